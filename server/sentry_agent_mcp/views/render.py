"""Apply a view, a projection or nothing to a backend result; fit results into the size budget."""

from __future__ import annotations

import json
from typing import Any

from .base import GENERIC, View, project
from .options import ViewOptions

BUDGET_HINT = "narrow the query, ask for fewer fields=[...], or page on with cursor"


def size_of(value: Any) -> int:
    """Characters of ``value`` as the MCP text block carries it (compact JSON)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def shape_item(item: Any, view: View | None, options: ViewOptions) -> Any:
    """One object (a get's result or one list item) as the options ask."""
    if options.fields:
        return project(item, options.fields)
    if options.detail == "full":
        return item
    return (view or GENERIC).apply(item)


def as_columns(result: Any) -> Any:
    """A list envelope with its object rows as arrays under one ``columns`` header; anything else as is.

    ``{"data": [{"id": "1", "title": "A"}, ...], "meta": ...}`` becomes
    ``{"columns": ["id", "title"], "data": [["1", "A"], ...], "meta": ...}``: the same values without a
    key repeated on every row. Columns are every key any row has, in first-seen order; a row without one
    has null there. Values stay as they are (a nested object stays an object).
    """
    if not isinstance(result, dict) or not isinstance(result.get("data"), list):
        return result
    rows = result["data"]
    if not rows or not all(isinstance(row, dict) for row in rows):
        return result
    columns = list(dict.fromkeys(key for row in rows for key in row))
    table = [[row.get(column) for column in columns] for row in rows]
    return {"columns": columns, "data": table, **{k: v for k, v in result.items() if k != "data"}}


def _measure(node: Any, path: str, lists: list[tuple[int, str, list[Any]]]) -> int:
    """Approximate JSON size of ``node``, collecting every list of 2+ items with its size."""
    if isinstance(node, dict):
        return 2 + sum(len(str(k)) + 4 + _measure(v, f"{path}.{k}" if path else str(k), lists) for k, v in node.items())
    if isinstance(node, list):
        size = 2 + sum(_measure(v, f"{path}.{i}" if path else str(i), lists) + 1 for i, v in enumerate(node))
        if len(node) > 1:
            lists.append((size, path, node))
        return size
    return size_of(node)


def fit_object(obj: Any, budget: int) -> Any:
    """A single object over ``budget``: halve its largest lists until it fits, and say so.

    The note goes under ``_truncated`` (a get has no ``meta``). Only reached with ``detail: 'full'``
    or a huge object: compact views are far below the budget.
    """
    if not isinstance(obj, dict) or size_of(obj) <= budget:
        return obj
    totals: dict[str, int] = {}
    kept: dict[str, int] = {}
    for _ in range(64):
        lists: list[tuple[int, str, list[Any]]] = []
        if _measure(obj, "", lists) <= budget or not lists:
            break
        _, path, items = max(lists, key=lambda found: found[0])
        totals.setdefault(path, len(items))
        del items[max(1, len(items) // 2) :]
        kept[path] = len(items)
    obj["_truncated"] = {
        "lists": {path: f"kept {kept[path]} of {totals[path]}" for path in kept},
        "note": f"Cut to stay under {budget} characters (SENTRY_MCP_MAX_RESULT_CHARS); {BUDGET_HINT}.",
    }
    return obj
