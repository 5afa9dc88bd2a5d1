"""The MCP tool listing, derived from the catalog and the configuration.

Built once per server: schemas are computed at startup, not per ``tools/list``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mcp.types import Tool, ToolAnnotations

from .catalog import Pair, Served, callable_pairs
from .catalog.schema import input_schema
from .config import BackendKind, Settings

EXECUTE_TOOL = "sentry_execute"
DESCRIBE_TOOL = "sentry_describe"

# Sentry is one fixed system with a known API, not an open-ended world (web search, arbitrary URLs),
# so every tool says openWorldHint=false.
_OPEN_WORLD = False


def _annotations(pair: Pair) -> ToolAnnotations:
    return ToolAnnotations(
        read_only_hint=pair.read_only,
        destructive_hint=pair.destructive,
        idempotent_hint=pair.idempotent,
        open_world_hint=_OPEN_WORLD,
    )


def _pair_tool(pair: Pair, defaults: Mapping[str, str], hosted: bool) -> Tool:
    return Tool(
        name=pair.tool_name,
        description=pair.description,
        input_schema=input_schema(pair, defaults, view_options=False, hosted=hosted),
        annotations=_annotations(pair),
    )


def _execute_tool(pairs: list[Pair], listed: bool) -> Tool:
    """``listed``: every pair has its own tool, whose names already say what exists."""
    by_entity: dict[str, list[str]] = {}
    for pair in pairs:
        by_entity.setdefault(pair.entity, []).append(pair.action)
    listing = "; ".join(f"{entity}: {', '.join(actions)}" for entity, actions in by_entity.items())
    writes = any(not p.read_only for p in pairs)
    return Tool(
        name=EXECUTE_TOOL,
        description=(
            "Run any Sentry entity/action: same params and results as sentry_<entity>_<action>"
            + ("." if listed else f". Available: {listing}.")
        ),
        input_schema={
            "type": "object",
            "properties": {
                "entity": {"type": "string", "enum": list(by_entity), "description": "Entity, e.g. 'issues'."},
                "action": {
                    "type": "string",
                    "enum": sorted({p.action for p in pairs}),
                    "description": "Action of that entity, e.g. 'list'.",
                },
                "params": {
                    "type": "object",
                    "description": "The action's params; reads also take fields and detail.",
                },
            },
            "required": ["entity", "action"],
            "additionalProperties": False,
        },
        annotations=ToolAnnotations(
            read_only_hint=not writes,
            destructive_hint=any(p.destructive for p in pairs),
            idempotent_hint=all(p.idempotent for p in pairs),
            open_world_hint=_OPEN_WORLD,
        ),
    )


def _describe_tool() -> Tool:
    return Tool(
        name=DESCRIBE_TOOL,
        description=(
            "Find what sentry_execute can call: without arguments, every entity/action with a one-line "
            "description; with entity and action, that pair's params schema."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "entity": {"type": "string", "description": "Entity to describe."},
                "action": {"type": "string", "description": "Action of that entity."},
            },
            "additionalProperties": False,
        },
        annotations=ToolAnnotations(
            read_only_hint=True,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=False,
        ),
    )


@dataclass(frozen=True)
class ToolSurface:
    """What ``tools/list`` shows and which names ``tools/call`` accepts."""

    tools: list[Tool]
    pairs_by_tool: dict[str, Pair]

    @classmethod
    def build(cls, settings: Settings) -> ToolSurface:
        serves = Served.HOSTED if settings.backend_kind() is BackendKind.HOSTED else Served.DIRECT
        pairs = callable_pairs(serves, settings.allow_writes)
        defaults = settings.scoping_defaults
        if settings.tools == "execute":
            shown: list[Pair] = []
        else:
            entities = settings.tool_entities()
            shown = [p for p in pairs if entities is None or p.entity in entities]
        hosted = serves is Served.HOSTED
        tools = [_pair_tool(p, defaults, hosted) for p in shown] + [_execute_tool(pairs, len(shown) == len(pairs))]
        if settings.tools == "execute":
            tools.append(_describe_tool())
        return cls(tools=tools, pairs_by_tool={p.tool_name: p for p in shown})

    @property
    def names(self) -> set[str]:
        return {tool.name for tool in self.tools}
