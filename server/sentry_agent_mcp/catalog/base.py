"""The building blocks of catalog entries: params models, routes and pairs.

A pair is data, not code: a pydantic params model (the tool's input schema), a route (how the
direct backend turns params into an HTTP request) and a few facts (list/get/write, which backends
serve it). Everything else (MCP tools, ``sentry_execute``, the CLI, the README table) is derived.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..tool_spec import DEFAULT_LIMIT, MAX_LIMIT, tool_name, tool_title

if TYPE_CHECKING:
    from ..views import View
    from .writing import WritePlan


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

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """JSON ``true`` is no number: pydantic's lax mode would take it as 1 and hide the caller's mistake.

        Lax otherwise, so the CLI's ``limit=5`` (a string) still counts.
        """
        if isinstance(value, bool) and info.field_name in _numeric_fields(cls):
            raise PydanticCustomError("number_type", "Input should be a number, not true or false")
        return value


@cache
def _numeric_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` that take numbers and not booleans."""

    def numeric(annotation: Any) -> bool:
        members = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
        return bool not in members and any(member in (int, float) for member in members)

    return frozenset(name for name, info in model.model_fields.items() if numeric(info.annotation))


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
        description="Organization slug or id.",
    ),
]
ProjectSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=_SLUG_PATTERN,
        description="Project slug, id or URL.",
    ),
]
ProjectFilter = Annotated[
    str | None,
    Field(
        None,
        min_length=1,
        max_length=100,
        pattern=_SLUG_PATTERN,
        description="Only this project (slug, id or URL).",
    ),
]
Cursor = Annotated[
    str | None,
    Field(
        None,
        max_length=200,
        pattern=r"^[0-9.:\-]+$",
        description="Next page: meta.next_cursor.",
    ),
]
Limit = Annotated[
    int | None,
    Field(None, ge=1, le=MAX_LIMIT, description=f"Max items, 1-{MAX_LIMIT}; default {DEFAULT_LIMIT}."),
]
StatsPeriod = Annotated[
    str | None,
    Field(
        None,
        pattern=r"^\d{1,4}[mhdw]$",
        description="Window ending now, e.g. '24h', '14d'.",
    ),
]
Environments = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]] | None,
    Field(None, max_length=20, description="Only these environments."),
]


class TimeWindow(Params):
    """``stats_period`` or ``start`` + ``end``, never both: Sentry answers 400 to a mix."""

    stats_period: StatsPeriod = None
    start: datetime | None = Field(None, description="Window start, ISO 8601 (with end).")
    end: datetime | None = Field(None, description="Window end, ISO 8601.")

    @model_validator(mode="after")
    def _one_window(self) -> Self:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.start is not None and self.stats_period is not None:
            raise ValueError("give stats_period or start/end, not both")
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("start must be before end")
        return self


TIME_WINDOW_QUERY = {"stats_period": "statsPeriod", "start": "start", "end": "end"}

_PLACEHOLDER = re.compile(r"{(\w+)}")


class Host(StrEnum):
    """Which Sentry host a route is sent to."""

    ORGANIZATION = "organization"
    """The organization's region (``links.regionUrl``), or the configured host when it has none."""
    CONTROL = "control"
    """Always the configured host: user-level routes (``/auth/``, ``/users/me/regions/``)."""


@dataclass(frozen=True)
class LeanQuery:
    """One query item (``collapse=stats``) that asks Sentry to leave ``removes`` (top-level keys of each
    returned object) out of its answer, and to skip the work of computing them."""

    name: str
    value: str
    removes: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """How the direct backend calls Sentry for a pair.

    ``path`` is a template under ``/api/0`` whose ``{placeholders}`` are param names; each value is
    percent-encoded as one path segment. ``query`` and ``body`` map param names to Sentry's names;
    ``fixed_query`` items are sent on every call, whatever the params. ``flags`` are boolean params
    sent as ``name=1`` when true and left out otherwise (Sentry reads any non-empty value, ``false``
    included, as true). ``project_ids`` maps params holding project
    slugs to the query name that wants numeric ids (the backend looks the ids up, cached).
    ``build_body`` replaces ``body`` when the request body is not a plain renaming. ``unwrap`` names
    the key that holds the payload in bodies like ``{"data": ...}``; ``drop`` lists dotted keys
    removed from every returned object (secrets). ``across_regions`` merges the answer of every region.
    ``wrap`` puts the answer under that key of a new object; ``companions`` are more GETs of the same
    call whose answers join the result (``Companion``). ``host``, ``idempotent``, ``compact_query``
    and ``lean_query`` are described where they are declared.
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)
    fixed_query: Mapping[str, str] = field(default_factory=dict)
    project_ids: Mapping[str, str] = field(default_factory=dict)
    build_body: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    unwrap: str | None = None
    drop: tuple[str, ...] = ()
    host: Host = Host.ORGANIZATION
    across_regions: bool = False
    wrap: str | None = None
    companions: tuple[Companion, ...] = ()
    idempotent: bool | None = None
    """This request alone may be repeated (the PUT of a write whose follow-up may not); None: as the pair."""
    compact_query: tuple[LeanQuery, ...] = ()
    """Query items that make Sentry's answer leaner, declared here but not sent as such: per call the executor
    copies those whose left-out keys the result will not show into ``lean_query`` (``catalog/lean.py``)."""
    lean_query: tuple[tuple[str, str], ...] = ()
    """Query items sent as they are, repeated names included (filled per call from ``compact_query``)."""

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.path))


@dataclass(frozen=True)
class Companion:
    """One more GET of the same call (a trace's counts beside its spans, a file beside its metadata).

    Its answer goes under ``key`` of the (object) result. ``path``, ``query`` and ``fixed_query`` work
    as in ``Route``. ``skip`` looks at the main result and says why not to fetch (kept under
    ``{key}_skipped``), or None to fetch. ``text_chars``: the answer is a file read as text and cut to
    that many characters, not JSON. A companion that fails leaves ``{key}_error``; the result stands.
    """

    key: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    fixed_query: Mapping[str, str] = field(default_factory=dict)
    skip: Callable[[Any], str | None] | None = None
    text_chars: int | None = None


@dataclass(frozen=True)
class HostedCall:
    """How the Airbyte-hosted connector takes a pair: which params it knows (None: all of ours),
    which it requires, and the names it wants for some of them."""

    params: tuple[str, ...] | None = None
    required: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Pair:
    """One entity/action pair of the catalog, a record built by name (``Pair(entity=..., action=..., ...)``).

    ``route`` may be a tuple of alternatives: the first whose path params are all given is used
    (``projects list`` is org-scoped when an organization is known, else every project). ``hosted``
    is set on the pairs the Airbyte-hosted connector serves (the nine seed pairs and its searches).
    ``view`` is the compact form of what it returns (of each item, for a list); None keeps everything
    but noise (see ``views``).
    """

    entity: str
    action: str
    params: type[Params]
    kind: Kind
    description: str
    route: Route | tuple[Route, ...] | None = None
    hosted: HostedCall | None = None
    destructive: bool = False
    idempotent: bool | None = None
    """None: reads are idempotent, writes are not (a write is repeated only when it says it is)."""
    view: View | None = None
    write: WritePlan | None = None
    """A write's confirmation and extra requests (``catalog/writing.py``); every write has one."""
    title: str = ""
    """The tool's human title (MCP ``Tool.title``); empty: derived from entity and action ("List issues")."""
    dispatch: bool = False
    """No route of its own: the executor runs the pair its params name (``resources get``: ``catalog/resources.py``)."""

    def __post_init__(self) -> None:
        if self.idempotent is None:
            object.__setattr__(self, "idempotent", self.read_only)
        if not self.title:
            object.__setattr__(self, "title", tool_title(self.entity, self.action))

    @property
    def served_by(self) -> frozenset[Served]:
        """Direct (and demo) when it has a route or dispatches; hosted when the Airbyte connector has it."""
        served = {Served.DIRECT} if self.route is not None or self.dispatch else set()
        if self.hosted is not None:
            served.add(Served.HOSTED)
        return frozenset(served)

    @property
    def routes(self) -> tuple[Route, ...]:
        if self.route is None:
            return ()
        return self.route if isinstance(self.route, tuple) else (self.route,)

    @property
    def tool_name(self) -> str:
        return tool_name(self.entity, self.action)

    @property
    def read_only(self) -> bool:
        return self.kind is not Kind.WRITE

    @property
    def key(self) -> tuple[str, str]:
        return (self.entity, self.action)

    def field_names(self) -> list[str]:
        """Required params first, the time window last, each group in declaration order."""
        fields = self.params.model_fields
        return sorted(fields, key=lambda name: (not fields[name].is_required(), name in TIME_WINDOW_QUERY))

    @property
    def shapes_results(self) -> bool:
        """Results get a compact view, unless the pair has its own ``fields`` (hosted searches)."""
        return "fields" not in self.params.model_fields

    @property
    def takes_view_options(self) -> bool:
        """Reads accept ``fields`` and ``detail`` besides their own params (never sent upstream)."""
        return self.kind is not Kind.WRITE and self.shapes_results and "detail" not in self.params.model_fields

    def required_fields(self) -> list[str]:
        return [name for name, f in self.params.model_fields.items() if f.is_required()]
