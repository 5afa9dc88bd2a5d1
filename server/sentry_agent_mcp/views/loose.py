"""Reading upstream answers whose shape is not promised (experimental or undocumented endpoints):
a value of the wrong type reads as empty instead of failing the call."""

from __future__ import annotations

from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def dicts(value: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The objects among the first ``limit`` items of ``value`` (all when None), when it is a list."""
    return [item for item in value[:limit] if isinstance(item, dict)] if isinstance(value, list) else []
