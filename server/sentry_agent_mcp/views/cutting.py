"""Cutting long strings, so the size budget holds even when one value alone is over it.

Halving lists fits most oversized objects, but not an issue whose title is a megabyte or a breadcrumb
message that holds a whole log. Every string longer than a common length is cut to that length (the
longest length that still fits the budget, so short strings stay whole) and ends with a mark that
says how long it was.
"""

from __future__ import annotations

import json
import re
from typing import Any

MARK = "...[cut: {total:,} characters in all]"
"""Appended where a string was cut."""
MARK_ROOM = len(MARK.format(total=10**12))
"""Characters a mark can take."""
MIN_KEEP = 64
"""Characters every cut string keeps, however tight the budget."""
_MARKED = re.compile(r"\.\.\.\[cut: ([\d,]{1,20}) characters in all\]$")

_Leaf = tuple[dict[Any, Any] | list[Any], Any, str, str]
"""``(container, key, dotted path, text)`` of one string value."""


def size_of(value: Any) -> int:
    """Characters of ``value`` as the MCP text block carries it (compact JSON)."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def _leaves(node: Any, path: str, out: list[_Leaf]) -> None:
    items: list[tuple[str | int, Any]]
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return
    for key, value in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(value, str):
            out.append((node, key, where, value))
        else:
            _leaves(value, where, out)


def _saved(lengths: list[int], keep: int) -> int:
    """Characters saved by cutting every string longer than ``keep`` plus a mark down to that."""
    return sum(n - keep - MARK_ROOM for n in lengths if n > keep + MARK_ROOM)


def _common_length(lengths: list[int], excess: int) -> int:
    """The longest length to cut strings to that saves at least ``excess`` characters (``MIN_KEEP`` at least)."""
    low, high = MIN_KEEP, max(lengths, default=MIN_KEEP)
    if _saved(lengths, low) < excess:
        return low
    while low < high:  # invariant: cutting to `low` saves enough
        middle = (low + high + 1) // 2
        if _saved(lengths, middle) >= excess:
            low = middle
        else:
            high = middle - 1
    return low


def cut_long_strings(obj: Any, budget: int) -> dict[str, int]:
    """Cut the longest strings of ``obj`` in place until its JSON fits ``budget`` characters.

    Returns ``{dotted path: original length}`` of the strings cut. Each kept character saves at
    least one character of JSON, so one pass is enough unless every string is already at ``MIN_KEEP``.
    """
    excess = size_of(obj) - budget
    if excess <= 0:
        return {}
    leaves: list[_Leaf] = []
    _leaves(obj, "", leaves)
    return _cut(leaves, _common_length([len(text) for *_, text in leaves], excess))


def cut_strings_over(obj: Any, keep: int) -> dict[str, int]:
    """Cut every string of ``obj`` longer than ``keep`` (plus a mark) to ``keep`` characters, in place."""
    leaves: list[_Leaf] = []
    _leaves(obj, "", leaves)
    return _cut(leaves, max(keep, MIN_KEEP))


def _cut(leaves: list[_Leaf], keep: int) -> dict[str, int]:
    cut: dict[str, int] = {}
    for container, key, path, text in leaves:
        if len(text) > keep + MARK_ROOM:
            marked = _MARKED.search(text)  # cut before: keep its first length
            total = int(marked.group(1).replace(",", "")) if marked else len(text)
            shorter = text[:keep] + MARK.format(total=total)
            container[key] = shorter
            cut[path] = total
    return cut


def cut_value(value: Any, budget: int) -> Any:
    """``value`` with its long strings cut to fit ``budget`` (a bare string too)."""
    holder = [value]
    cut_long_strings(holder, budget + 2)  # the holder's brackets
    return holder[0]
