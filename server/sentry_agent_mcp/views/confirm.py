"""The one answer every write gives: a short confirmation, not the object (README "Writes").

``{"created": "team", "id": "…", "slug": "…", "name": "…"}``, ``{"updated": "issue", "id": "…",
"changed": {"status": "resolved"}}``: what was done to what, the object's key fields, what changed
(and, when the old value is known, what it ``was``). It stays under ``CONFIRMATION_CHARS``: long
values are cut, and the changed fields that do not fit are counted under ``more``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .base import tidy_time
from .cutting import size_of

CONFIRMATION_CHARS = 300
"""What a write's answer stays under (README "Writes"), measured as compact JSON."""
_VALUE_CHARS = 80
_SHORT_CHARS = 32
_NAMING_KEYS = ("slug", "name", "label", "email", "id")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def brief(value: Any, limit: int = _VALUE_CHARS) -> Any:
    """A value as a confirmation shows it: scalars as they are (strings cut), an object by its name,
    a list by its first three items."""
    if isinstance(value, str):
        return _cut(tidy_time(value), limit)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        for key in _NAMING_KEYS:
            if value.get(key) not in (None, ""):
                return brief(value[key], limit)
        return _cut(json.dumps(value, separators=(",", ":"), default=str), limit) if value else {}
    if isinstance(value, list | tuple):
        items = [brief(item, _SHORT_CHARS) for item in value[:3]]
        return [*items, f"+{len(value) - 3} more"] if len(value) > 3 else items
    return _cut(str(value), limit)


def dig(obj: Any, path: str) -> Any:
    """The value at a dotted path, or None."""
    for part in path.split("."):
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


def confirmation(
    verb: str,
    noun: str,
    keys: Mapping[str, Any],
    *,
    changed: Mapping[str, Any] | None = None,
    was: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the confirmation, cut to fit ``CONFIRMATION_CHARS`` (``extra``, e.g. a follow-up's
    outcome, is kept whole and counted on top: it may say what failed)."""
    # Raw values, briefed once per build: briefing twice would count a list's "+N more" as one of its items.
    head = {verb: noun} | {k: v for k, v in keys.items() if v not in (None, "")}
    new = dict(changed or {})
    old = {k: v for k, v in (was or {}).items() if k in new}
    tail = dict(extra or {})

    def build(limit: int) -> dict[str, Any]:
        out = {k: brief(v, limit) for k, v in head.items()}
        if new:
            out["changed"] = {k: brief(v, limit) for k, v in new.items()}
        if old:
            out["was"] = {k: brief(v, limit) for k, v in old.items()}
        if len(new) < len(changed or {}):
            out["more"] = len(changed or {}) - len(new)
        return out | tail

    budget = CONFIRMATION_CHARS + (size_of(tail) if tail else 0)  # what failed is said whole, on top
    result = build(_VALUE_CHARS)
    if size_of(result) <= budget:
        return result
    result = build(_SHORT_CHARS)
    while size_of(result) > budget and (old or new):
        if old:
            old.popitem()
        else:
            new.popitem()
        result = build(_SHORT_CHARS)
    return result
