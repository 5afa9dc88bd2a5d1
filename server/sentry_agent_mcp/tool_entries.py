"""What ``tools/list`` needs of each pair, precomputed so that listing the tools needs no catalog import.

Importing the catalog (~45 pydantic models) and generating their JSON schemas takes ~160 ms, and an MCP
client asks for the tool list right after ``initialize``: that is the time until its user can use the
server. ``tool_entries.json``, beside this module, holds each pair's name, description, annotations,
backends and base input schema, generated from the catalog by ``make catalog-files`` (a test fails when
it is stale). The catalog itself is then imported on the first call, in the background
(``mcp_server._warm_up``). Without the file (or with one from another version) the entries are
computed from the catalog, with the same result.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import __version__

ENTRIES_FILE = Path(__file__).with_name("tool_entries.json")


@dataclass(frozen=True)
class ToolEntry:
    """One pair as ``tools/list`` shows it; ``schema`` is the base input schema (no defaults applied,
    without ``fields``/``detail``), ``hosted_params`` the params the hosted connector takes (None: all)."""

    entity: str
    action: str
    description: str
    read_only: bool
    destructive: bool
    idempotent: bool
    served: tuple[str, ...]
    schema: dict[str, Any]
    hosted_params: tuple[str, ...] | None
    hosted_required: tuple[str, ...]

    @property
    def tool_name(self) -> str:
        return f"sentry_{self.entity}_{self.action}"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ToolEntry:
        hosted_params = data["hosted_params"]
        return cls(
            **{
                **data,
                "served": tuple(data["served"]),
                "hosted_params": tuple(hosted_params) if hosted_params is not None else None,
                "hosted_required": tuple(data["hosted_required"]),
            }
        )


def finish_schema(
    base: dict[str, Any],
    defaults: Mapping[str, str] | None = None,
    *,
    hosted_params: Sequence[str] | None = None,
    hosted_required: Sequence[str] = (),
) -> dict[str, Any]:
    """A pair's base schema made specific (a fresh copy): the hosted connector's params only when
    ``hosted_params`` is given, and configured defaults, which make their fields optional."""
    schema = copy.deepcopy(base)
    if hosted_params is not None:
        keep = set(hosted_params) | {"fields", "detail"}
        schema["properties"] = {k: v for k, v in schema["properties"].items() if k in keep}
        required = [k for k in schema["properties"] if k in set(schema.get("required", [])) | set(hosted_required)]
        schema.pop("required", None)
        if required:
            schema["required"] = required
    for name, value in (defaults or {}).items():
        prop = schema.get("properties", {}).get(name)
        if prop is None:
            continue
        prop["description"] = f"{prop.get('description', '')} Defaults to '{value}'.".strip()
        required = schema.get("required", [])
        if name in required:
            required.remove(name)
            if not required:
                schema.pop("required")
    return schema


def entries_from_catalog() -> list[ToolEntry]:
    """Every pair of the catalog, in catalog order (imports the catalog)."""
    from .catalog import CATALOG
    from .catalog.schema import base_schema

    return [
        ToolEntry(
            entity=pair.entity,
            action=pair.action,
            description=pair.description,
            read_only=pair.read_only,
            destructive=pair.destructive,
            idempotent=bool(pair.idempotent),
            served=tuple(sorted(str(served) for served in pair.served_by)),
            schema=base_schema(pair, view_options=False),
            hosted_params=pair.hosted.params if pair.hosted is not None else None,
            hosted_required=pair.hosted.required if pair.hosted is not None else (),
        )
        for pair in CATALOG.values()
    ]


def render(entries: list[ToolEntry]) -> str:
    """The file's text: the version it belongs to and the entries, one JSON document."""
    return json.dumps({"version": __version__, "entries": [asdict(e) for e in entries]}, indent=1) + "\n"


def load_entries(path: Path = ENTRIES_FILE) -> list[ToolEntry]:
    """The precomputed entries when ``path`` holds this version's, else the catalog's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") == __version__:
            return [ToolEntry.from_json(item) for item in data["entries"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return entries_from_catalog()


def write_entries(path: Path = ENTRIES_FILE) -> bool:
    """Regenerate the file from the catalog; True when it changed."""
    text = render(entries_from_catalog())
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
