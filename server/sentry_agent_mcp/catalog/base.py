"""The building blocks of catalog entries: params models, routes and pairs.

A pair is data, not code: a pydantic params model (the tool's input schema), a route (how the
direct backend turns params into an HTTP request) and a few facts (list/get/write, which backends
serve it). Everything else (MCP tools, ``sentry_execute``, the CLI, the README table) is derived.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class Kind(StrEnum):
    """What a call does, which decides its result envelope and annotations."""

    LIST = "list"
    GET = "get"
    WRITE = "write"


class Served(StrEnum):
    """Which backend family serves a pair (the demo backend is a direct backend)."""

    DIRECT = "direct"
    HOSTED = "hosted"


class Params(BaseModel):
    """Base of every params model: unknown fields are an error, never dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


def not_dot_segment(value: str) -> str:
    # "." and ".." survive percent-encoding and would be collapsed by URL normalisation,
    # reaching another route; no Sentry identifier is spelled like that.
    if value in (".", ".."):
        raise ValueError("must not be '.' or '..'")
    return value


_SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"

OrganizationSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=_SLUG_PATTERN,
        description="Organization slug or numeric id, e.g. 'acme'.",
    ),
]
ProjectSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=_SLUG_PATTERN,
        description="Project slug or numeric id, e.g. 'web'.",
    ),
]
Cursor = Annotated[
    str | None,
    Field(
        None,
        max_length=200,
        pattern=r"^[0-9.:\-]+$",
        description="Opaque cursor from a previous result's meta.next_cursor; omit for the first page.",
    ),
]
Limit = Annotated[
    int | None,
    Field(None, ge=1, le=100, description="Page size, 1-100 (Sentry's default is 100)."),
]
_PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Route:
    """How the direct backend calls Sentry for a pair.

    ``path`` is a template under ``/api/0`` whose ``{placeholders}`` are param names; each value is
    percent-encoded as one path segment. ``query`` and ``body`` map param names to Sentry's names.
    ``flags`` are boolean params sent as ``name=1`` when true and left out otherwise (Sentry reads
    any non-empty value, ``false`` included, as true). ``fixed_query`` is sent on every call.
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)
    fixed_query: Mapping[str, str] = field(default_factory=dict)

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.path))


@dataclass(frozen=True)
class Pair:
    """One entity/action pair of the catalog."""

    entity: str
    action: str
    params: type[Params]
    kind: Kind
    description: str
    route: Route | None = None
    served_by: frozenset[Served] = frozenset({Served.DIRECT, Served.HOSTED})
    destructive: bool = False
    idempotent: bool = True

    @property
    def tool_name(self) -> str:
        return f"sentry_{self.entity}_{self.action}"

    @property
    def read_only(self) -> bool:
        return self.kind is not Kind.WRITE

    @property
    def key(self) -> tuple[str, str]:
        return (self.entity, self.action)

    def field_names(self) -> list[str]:
        return list(self.params.model_fields)

    def required_fields(self) -> list[str]:
        return [name for name, f in self.params.model_fields.items() if f.is_required()]

    def query_value(self, params: Params) -> dict[str, Any]:
        """The params as plain values, without the ones left unset."""
        return params.model_dump(exclude_none=True, mode="json")
