"""The catalog: every entity/action pair, declared once, one module per entity family.

The MCP tools, ``sentry_execute``, the CLI and the README table are all derived from ``CATALOG``.
"""

from __future__ import annotations

from . import events, issues, projects, releases, search
from .base import Kind, Pair, Params, Route, Served

CATALOG: dict[tuple[str, str], Pair] = {
    pair.key: pair for module in (projects, issues, events, releases, search) for pair in module.PAIRS
}


def entities() -> list[str]:
    """Entity names in catalog order, each once."""
    return list(dict.fromkeys(entity for entity, _ in CATALOG))


def actions_of(entity: str) -> list[str]:
    return [action for e, action in CATALOG if e == entity]


__all__ = ["CATALOG", "Kind", "Pair", "Params", "Route", "Served", "actions_of", "entities"]
