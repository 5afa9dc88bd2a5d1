"""The catalog as documentation: JSON for tools, a Markdown table for the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import CATALOG
from .base import Pair
from .schema import input_schema

README_START = "<!-- tools-table:start -->"
README_END = "<!-- tools-table:end -->"


def _backends(pair: Pair) -> list[str]:
    names = []
    if any(s.value == "direct" for s in pair.served_by):
        names += ["direct", "demo"]
    if any(s.value == "hosted" for s in pair.served_by):
        names.append("hosted")
    return names


def catalog_json() -> list[dict[str, Any]]:
    """Every pair with its tool name, kind, backends and params schema."""
    return [
        {
            "entity": pair.entity,
            "action": pair.action,
            "tool": pair.tool_name,
            "kind": pair.kind.value,
            "read_only": pair.read_only,
            "backends": _backends(pair),
            "description": pair.description,
            "params": input_schema(pair),
        }
        for pair in CATALOG.values()
    ]


def _params_cell(pair: Pair) -> str:
    required = set(pair.required_fields())
    names = [f"`{n}`{'*' if n in required else ''}" for n in pair.field_names()]
    return ", ".join(names) or "none"


def markdown_table() -> str:
    """The README's tool table (one row per pair; * marks required params)."""
    lines = [
        "| tool | kind | params (* required) | backends | what it does |",
        "|---|---|---|---|---|",
    ]
    for pair in CATALOG.values():
        kind = "write" if not pair.read_only else f"read ({pair.kind.value})"
        lines.append(
            f"| `{pair.tool_name}` | {kind} | {_params_cell(pair)} | {', '.join(_backends(pair))} "
            f"| {pair.description} |"
        )
    return "\n".join(lines) + "\n"


def render_readme(text: str) -> str:
    """``text`` with the table between the README markers replaced by the current one."""
    start, end = text.index(README_START), text.index(README_END)
    return text[: start + len(README_START)] + "\n" + markdown_table() + text[end:]


def update_readme(path: Path) -> bool:
    """Rewrite the table in ``path``; True when it changed."""
    old = path.read_text(encoding="utf-8")
    new = render_readme(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old
