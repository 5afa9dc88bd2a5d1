"""What ``tools/list`` needs of each pair, and the file that holds it precomputed (``tool_entries.json``).

The file is keyed by a fingerprint of the sources the entries are derived from: the bytes of every
module the catalog is built from (``FINGERPRINTED``, a test checks it covers the catalog's imports)
and the pydantic version that writes the schemas. Hashing those ~30 files costs ~2 ms; importing the
catalog and building its schemas costs ~0.2 s. A file whose fingerprint does not match the sources
beside it is ignored, so a stale file can never hide, add or change a tool: the entries then come
from the live catalog. ``make catalog-files`` regenerates it; ``startup.py`` decides when it is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic.version import VERSION as PYDANTIC_VERSION

from .tool_spec import tool_name

PACKAGE = Path(__file__).parent
ENTRIES_FILE = PACKAGE / "tool_entries.json"
FINGERPRINTED = ("catalog", "views", "tool_spec.py", "tool_entries.py", "errors.py", "redaction.py", "hosts.py")
"""The package's sources the entries depend on: the catalog and everything it imports, and this module."""


@dataclass(frozen=True)
class ToolEntry:
    """One pair as ``tools/list`` shows it; ``schema`` is the base input schema (no defaults applied,
    without ``fields``/``detail``), ``hosted_params`` the params the hosted connector takes (None: all)."""

    entity: str
    action: str
    title: str
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
        return tool_name(self.entity, self.action)

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


def sources_fingerprint(package: Path = PACKAGE) -> str:
    """A hash of the ``FINGERPRINTED`` sources (line endings normalised) and the pydantic version."""
    digest = hashlib.sha256(PYDANTIC_VERSION.encode())
    for name in FINGERPRINTED:
        path = package / name
        for source in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def entries_from_catalog() -> list[ToolEntry]:
    """Every pair of the catalog, in catalog order (imports the catalog)."""
    from .catalog import CATALOG
    from .catalog.schema import base_schema

    return [
        ToolEntry(
            entity=pair.entity,
            action=pair.action,
            title=pair.title,
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
    """The file's text: the fingerprint of the sources it was made from, and the entries."""
    body = {"sources_fingerprint": sources_fingerprint(), "entries": [asdict(e) for e in entries]}
    return json.dumps(body, indent=1) + "\n"


def read_entries(path: Path = ENTRIES_FILE) -> list[ToolEntry] | None:
    """The entries in ``path`` when it was made from the sources beside it; None when missing, broken or stale."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("sources_fingerprint") == sources_fingerprint(path.parent):
            return [ToolEntry.from_json(item) for item in data["entries"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def write_entries(path: Path = ENTRIES_FILE) -> bool:
    """Regenerate the file from the catalog; True when it changed."""
    text = render(entries_from_catalog())
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
