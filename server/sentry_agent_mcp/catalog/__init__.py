"""The catalog: every entity/action pair, declared once, one module per entity family.

The MCP tools, ``sentry_execute``, the CLI and the README table are all derived from ``CATALOG``.
"""

from __future__ import annotations

from . import (
    alert_writes,
    attachments,
    dashboards,
    events,
    health,
    issue_details,
    issues,
    management,
    monitoring,
    organizations,
    projects,
    releases,
    replays,
    resources,
    search,
    seer,
    traces,
)
from .base import Kind, Pair, Params, Route, Served

FAMILIES = (
    resources,
    organizations,
    projects,
    management,
    issues,
    issue_details,
    seer,
    events,
    attachments,
    traces,
    releases,
    health,
    monitoring,
    alert_writes,
    dashboards,
    replays,
    search,
)
"""One module per entity family; their order is the order of tools/list and of the README table."""

CATALOG: dict[tuple[str, str], Pair] = {pair.key: pair for module in FAMILIES for pair in module.PAIRS}


def callable_pairs(serves: Served, allow_writes: bool) -> list[Pair]:
    """The pairs a backend family serves, writes only when allowed, in catalog order."""
    return [p for p in CATALOG.values() if serves in p.served_by and (p.read_only or allow_writes)]


def entities() -> list[str]:
    """Entity names in catalog order, each once."""
    return list(dict.fromkeys(entity for entity, _ in CATALOG))


__all__ = ["CATALOG", "Kind", "Pair", "Params", "Route", "Served", "callable_pairs", "entities"]
