"""Apply a view, a projection or nothing to a backend result; fit results into the size budget."""

from __future__ import annotations

from typing import Any

from ..errors import clip
from .base import GENERIC, View, select_fields
from .cutting import cut_long_strings, cut_strings_over, cut_value, size_of
from .options import ViewOptions

BUDGET_HINT = "narrow the query, ask for fewer fields=[...], or page on with cursor"
_NAMED = 3
"""Cut lists and cut strings named in the ``_truncated`` note, each (a cut string also carries its own mark)."""
_PATH_CHARS = 40
"""Characters of a path named in the note."""
_NOTE_ROOM = 500
"""Characters kept free for the note: its longest form (3 + 3 paths cut to 40 characters) takes under 400."""


def shape_item(item: Any, view: View | None, options: ViewOptions) -> Any:
    """One object (a get's result or one list item) as the options ask."""
    if options.fields:
        return select_fields(item, options.fields)
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
    """A single object over ``budget``: halve its largest lists, then cut its longest strings, and say so.

    The note goes under ``_truncated`` (a get has no ``meta``) and counts in the budget; each cut string
    ends with a mark that gives its full length. Only reached with ``detail: 'full'`` or a huge object:
    compact views are far below the budget. Anything but an object only has its strings cut.
    """
    if size_of(obj) <= budget:
        return obj
    if not isinstance(obj, dict):
        return cut_value(obj, budget)
    room = budget - _NOTE_ROOM
    strings = cut_strings_over(obj, room // 4)  # one huge value must not cost every list its items
    totals: dict[str, int] = {}
    kept: dict[str, int] = {}
    for _ in range(64):
        lists: list[tuple[int, str, list[Any]]] = []
        if _measure(obj, "", lists) <= room or not lists:
            break
        _, path, items = max(lists, key=lambda found: found[0])
        totals.setdefault(path, len(items))
        del items[max(1, len(items) // 2) :]
        kept[path] = len(items)
    strings.update(cut_long_strings(obj, room))
    obj["_truncated"] = _note(kept, totals, strings, budget)
    return obj


def _note(kept: dict[str, int], totals: dict[str, int], strings: dict[str, int], budget: int) -> dict[str, Any]:
    """What ``fit_object`` cut, naming at most a few paths each, so that it fits in ``_NOTE_ROOM``."""
    note: dict[str, Any] = {}
    if kept:
        named = list(kept)[:_NAMED]
        note["lists"] = {clip(path, _PATH_CHARS): f"kept {kept[path]} of {totals[path]}" for path in named}
    if strings:
        named = list(strings)[:_NAMED]
        note["strings"] = {clip(path, _PATH_CHARS): f"cut from {strings[path]:,} characters" for path in named}
    note["note"] = f"Cut to stay under {budget} characters (SENTRY_MCP_MAX_RESULT_CHARS); {BUDGET_HINT}."
    return note
