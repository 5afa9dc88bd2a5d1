"""The MCP tool listing, derived from the catalog's tool entries and the configuration.

Built once per server, from the tool entries (``startup.tool_entries``): listing the tools with a current
``tool_entries.json`` imports no catalog and generates no schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mcp.types import Tool, ToolAnnotations

from .config import BackendKind, Settings
from .errors import ConfigurationError, clip
from .startup import tool_entries
from .tool_entries import ToolEntry
from .tool_spec import DEFAULT_LIMIT, MAX_LIMIT, finish_schema

EXECUTE_TOOL = "sentry_execute"
DESCRIBE_TOOL = "sentry_describe"
GENERIC_TOOLS = (EXECUTE_TOOL, DESCRIBE_TOOL)
"""Listed in every tool mode besides the pairs' own tools."""

# Sentry is one fixed system with a known API, not an open-ended world (web search, arbitrary URLs),
# so every tool says openWorldHint=false.
_OPEN_WORLD = False


def _annotations(entry: ToolEntry) -> ToolAnnotations:
    return ToolAnnotations(
        read_only_hint=entry.read_only,
        destructive_hint=entry.destructive,
        idempotent_hint=entry.idempotent,
        open_world_hint=_OPEN_WORLD,
    )


def _pair_tool(entry: ToolEntry, defaults: Mapping[str, str], hosted: bool) -> Tool:
    schema = finish_schema(
        entry.schema,
        defaults,
        hosted_params=entry.hosted_params if hosted else None,
        hosted_required=entry.hosted_required if hosted else (),
    )
    return Tool(
        name=entry.tool_name,
        title=entry.title,
        description=entry.description,
        input_schema=schema,
        annotations=_annotations(entry),
    )


def _execute_tool(pairs: list[ToolEntry], listed: bool) -> Tool:
    """``listed``: every pair has its own tool, whose names already say what exists."""
    by_entity: dict[str, list[str]] = {}
    for pair in pairs:
        by_entity.setdefault(pair.entity, []).append(pair.action)
    listing = "; ".join(f"{entity}: {', '.join(actions)}" for entity, actions in by_entity.items())
    writes = any(not p.read_only for p in pairs)
    return Tool(
        name=EXECUTE_TOOL,
        title="Run a Sentry action",
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


DESCRIBE_TEXT = (
    "Without arguments: every entity/action here. With entity and action: its params. Every list and get "
    "also takes detail='full' (Sentry's raw object) or fields=['id','metadata.type'] (only those paths); "
    f"lists give {DEFAULT_LIMIT} rows unless limit (max {MAX_LIMIT}), then meta.next_cursor as cursor."
)
"""Listed in every tool mode: clients that drop the server instructions still learn ``fields``/``detail``."""


def _describe_tool() -> Tool:
    return Tool(
        name=DESCRIBE_TOOL,
        title="Describe Sentry actions",
        description=DESCRIBE_TEXT,
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
    pairs_by_tool: dict[str, tuple[str, str]]
    """Each pair tool's (entity, action)."""

    @classmethod
    def build(cls, settings: Settings) -> ToolSurface:
        hosted = settings.backend_kind() is BackendKind.HOSTED
        serves = "hosted" if hosted else "direct"
        entities = settings.tool_entities()  # also restricts sentry_execute: its enum and the Executor
        entries = tool_entries()
        unknown = sorted((entities or frozenset()) - {e.entity for e in entries})
        if unknown:  # a typo would otherwise leave a server with no tools and no word of why
            raise ConfigurationError(
                f"SENTRY_MCP_TOOLS names unknown entities: {', '.join(clip(name) for name in unknown)}.",
                hint=f"Use all, execute, or a comma list of: {', '.join(sorted({e.entity for e in entries}))}.",
            )
        pairs = [
            e
            for e in entries
            if serves in e.served
            and (e.read_only or settings.allow_writes)
            and (entities is None or e.entity in entities)
        ]
        defaults = settings.scoping_defaults
        shown: list[ToolEntry] = [] if settings.tools == "execute" else pairs
        tools = [_pair_tool(p, defaults, hosted) for p in shown] + [_execute_tool(pairs, len(shown) == len(pairs))]
        tools.append(_describe_tool())
        return cls(tools=tools, pairs_by_tool={p.tool_name: (p.entity, p.action) for p in shown})

    @property
    def names(self) -> set[str]:
        return {tool.name for tool in self.tools}
