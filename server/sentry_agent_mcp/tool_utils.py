"""``SentryConnector.tool_utils``: make a ``sentry_execute`` function a good agent tool.

It appends an exact description of the catalog to the function's docstring (what the model reads as
the tool description) and guards the size of what the function returns. The description has no blank
lines, because Pydantic AI keeps only the first paragraph of a docstring's description.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from typing import Any, TypeVar, overload

from pydantic import BaseModel

from .catalog import CATALOG, Pair, Served
from .catalog.search import SEARCH_MAX_LIMIT
from .errors import SentryAgentError
from .redaction import SECRETS, redact, redact_data
from .tool_spec import MAX_LIMIT, PAGE_SIZE

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_MAX_OUTPUT_CHARS = 100_000


class OutputTooLargeError(SentryAgentError):
    """A tool result over the size limit (raised when Pydantic AI is not installed)."""

    code = "output_too_large"


def _signature(pair: Pair) -> str:
    required = set(pair.required_fields())
    names = [f"{name}{'*' if name in required else '?'}" for name in pair.field_names()]
    return f"{pair.action}({', '.join(names)})"


def describe_catalog(*, hosted: bool = True) -> str:
    """The catalog as tool-description text: entities, actions, params, results, pagination."""
    lines = ["ENTITIES (ACTIONS + PARAMS; * = required, ? = optional):"]
    by_entity: dict[str, list[Pair]] = {}
    for pair in CATALOG.values():
        if Served.DIRECT in pair.served_by or hosted:
            by_entity.setdefault(pair.entity, []).append(pair)
    for entity, pairs in by_entity.items():
        lines.append(f"  {entity}:")
        for pair in pairs:
            notes = []
            if not pair.read_only:
                notes.append("write: only when the server allows writes (SENTRY_MCP_ALLOW_WRITES=true)")
            if Served.DIRECT not in pair.served_by:
                notes.append("hosted backend only")
            suffix = f" [{'; '.join(notes)}]" if notes else ""
            lines.append(f"    - {_signature(pair)}: {pair.description}{suffix}")
    lines += [
        "RESULTS:",
        "  - list actions return {data: [...], meta: {has_more: bool, next_cursor: str|null}}.",
        "  - To get the next page, call the same action with the same params plus cursor=<meta.next_cursor>;",
        f"    stop when has_more is false. limit sets how many items come back (1-{MAX_LIMIT}; over {PAGE_SIZE},",
        "    several of Sentry's pages are fetched).",
        "  - get and query actions return the Sentry object itself.",
        "  - organization_slug and project_slug may be left out when the connector has defaults for them.",
        "  - Issue ids are numeric ids or short ids like 'WEB-1A'. Unknown params are errors, never ignored.",
        "  - Errors name the problem, Sentry's own message and HTTP status, and what to try next.",
    ]
    if hosted:
        lines += [
            "SEARCH (hosted backend only): action='context_store_search' with params",
            "  {query: {filter: <condition>, sort: [{<field>: 'asc'|'desc'}]}, limit, cursor, fields};"
            f" limit 1-{SEARCH_MAX_LIMIT}.",
            "  Conditions: {eq|neq|gt|gte|lt|lte: {field: value}}, {in: {field: [values]}},",
            "  {like|fuzzy|keyword: {field: text}}, {contains: {field: value}}, {any: {field: <condition>}},",
            "  {not: <condition>}, {and|or: [<condition>, ...]}. Field names are camelCase (lastSeen, shortId).",
        ]
    lines += [
        "FUNCTION PARAMETERS:",
        "  - entity: entity name, e.g. 'issues'",
        "  - action: the entity's action, e.g. 'list'",
        "  - params: the action's params as an object",
    ]
    return "\n".join(lines)


def _size(result: Any) -> tuple[int, str]:
    if isinstance(result, BaseModel):
        text = result.model_dump_json()
    else:
        text = json.dumps(result, default=str, ensure_ascii=False)
    return len(text), text


def _too_large(name: str, size: int, limit: int, text: str) -> Exception:
    message = (
        f"Tool '{name}' output too large ({size} characters, limit {limit}). Narrow the call: a smaller "
        "'limit', a tighter 'query' or time window ('stats_period'), one project ('project_slug'), then page "
        f"with 'cursor'. Preview: {redact(text)[:500]}..."
    )
    try:
        from pydantic_ai import ModelRetry
    except ImportError:
        return OutputTooLargeError(message)
    return ModelRetry(message)


@overload
def tool_utils(func: F) -> F: ...
@overload
def tool_utils(
    func: None = None,
    *,
    update_docstring: bool = True,
    enable_hosted_mode_features: bool = True,
    max_output_chars: int | None = DEFAULT_MAX_OUTPUT_CHARS,
) -> Callable[[F], F]: ...


def tool_utils(
    func: F | None = None,
    *,
    update_docstring: bool = True,
    enable_hosted_mode_features: bool = True,
    max_output_chars: int | None = DEFAULT_MAX_OUTPUT_CHARS,
) -> F | Callable[[F], F]:
    """Use bare (``@tool_utils``) or with options (``@tool_utils(max_output_chars=20_000)``)."""

    def guard(name: str, result: Any) -> Any:
        """The exit to the agent: results past the budget are refused, secrets masked."""
        size, text = _size(result)
        if max_output_chars and max_output_chars > 0 and size > max_output_chars:
            raise _too_large(name, size, max_output_chars, text)
        if SECRETS.found_in(text):
            return redact_data(result.model_dump(mode="json") if isinstance(result, BaseModel) else result)
        return result

    def decorate(fn: F) -> F:
        wrapper: Any
        if inspect.iscoroutinefunction(fn):

            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                return guard(fn.__name__, await fn(*args, **kwargs))

        else:

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return guard(fn.__name__, fn(*args, **kwargs))

        functools.wraps(fn)(wrapper)
        if update_docstring:
            description = describe_catalog(hosted=enable_hosted_mode_features)
            original = (fn.__doc__ or "").strip()
            wrapper.__doc__ = f"{original}\n{description}" if original else description
        return wrapper  # type: ignore[no-any-return]

    return decorate(func) if func is not None else decorate
