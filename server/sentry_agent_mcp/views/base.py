"""What a compact view is, and the projection that both views and the agent's ``fields`` use.

Sentry objects are built for its web UI: an issue in a list is ~2.3 KB of which an agent needs a
tenth. A view names what to keep (dotted paths, the rest dropped) or builds a summary (events);
either way nulls, empty containers and UI noise go, and timestamps lose their microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

NOISE_KEYS = frozenset(
    {
        "_meta",
        "avatar",
        "avatarUrl",
        "avatarUuid",
        "features",
        "access",
        "options",
        "experiments",
        "flags",
        "emails",
        "permissions",
        "identities",
        "authenticators",
        "sdkUpdates",
    }
)
"""Keys an agent never needs: avatars, feature-flag and permission lists, option blobs, UI state."""

_EMPTY: tuple[Any, ...] = (None, "", [], {})
_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(Z|[+-]\d\d:?\d\d)?$")
_MISSING = object()


def tidy_time(value: str) -> str:
    """``2026-02-15T08:07:00.408000Z`` -> ``2026-02-15T08:07:00Z`` (other strings unchanged)."""
    if len(value) > 20 and value[10:11] == "T" and value[19:20] == ".":
        match = _FRACTION.match(value)
        if match:
            return match.group(1) + (match.group(2) or "")
    return value


def tidy(value: Any) -> Any:
    """Drop empty values and noise keys, shorten timestamps; recursive, returns a new value."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in NOISE_KEYS:
                continue
            cleaned = tidy(item)
            if not _is_empty(cleaned):
                out[key] = cleaned
        return out
    if isinstance(value, list):
        return [tidy(item) for item in value if not _is_empty(item)]
    if isinstance(value, str):
        return tidy_time(value)
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _extract(obj: Any, parts: list[str]) -> Any:
    """The part of ``obj`` one dotted path selects, in the object's own shape; ``_MISSING`` if absent.

    Keys may contain dots themselves (``event.type``, ``count_unique(user)``): the longest key that
    matches wins. A list on the way applies the rest of the path to each of its items.
    """
    if not parts:
        return obj
    if isinstance(obj, list):
        picked = [_extract(item, parts) for item in obj]
        return [item for item in picked if item is not _MISSING]
    if not isinstance(obj, dict):
        return _MISSING
    for cut in range(len(parts), 0, -1):
        key = ".".join(parts[:cut])
        if key in obj:
            inner = _extract(obj[key], parts[cut:])
            if inner is not _MISSING:
                return {key: inner}
    return _MISSING


def _merge(into: Any, extra: Any) -> Any:
    if isinstance(into, dict) and isinstance(extra, dict):
        for key, value in extra.items():
            into[key] = _merge(into[key], value) if key in into else value
        return into
    if isinstance(into, list) and isinstance(extra, list) and len(into) == len(extra):
        return [_merge(a, b) for a, b in zip(into, extra, strict=True)]
    return extra


def select_fields(obj: Any, paths: Iterable[str]) -> Any:
    """Keep only ``paths`` (dotted) of ``obj``, in the order given; non-objects are returned as is."""
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for path in paths:
        picked = _extract(obj, path.split("."))
        if picked is not _MISSING:
            _merge(out, picked)
    return out


Summary = Callable[[Mapping[str, Any]], dict[str, Any]]

Tree = dict[str, Any]
"""Compiled ``keep`` paths: ``{"assignedTo": {"id": WHOLE, "name": WHOLE}, "title": WHOLE}``."""
WHOLE: Tree = {}


def compile_paths(paths: Iterable[str]) -> Tree:
    """Dotted paths as a tree, so that applying a view is one walk over the object."""
    tree: Tree = {}
    for path in paths:
        node = tree
        *parents, last = path.split(".")
        for part in parents:
            child = node.get(part)
            if child is WHOLE:
                break
            node = node.setdefault(part, {})
        else:
            node[last] = WHOLE
    return tree


def _walk(obj: Any, tree: Tree) -> Any:
    """``select_fields`` + ``tidy`` in one pass, for a view's compiled paths (keys are plain, never dotted)."""
    if isinstance(obj, list):
        return [item for item in (_walk(x, tree) for x in obj) if not _is_empty(item)]
    if not isinstance(obj, dict):
        return tidy(obj)
    out = {}
    for key, sub in tree.items():
        if key in obj:
            value = tidy(obj[key]) if sub is WHOLE else _walk(obj[key], sub)
            if not _is_empty(value):
                out[key] = value
    return out


@dataclass(frozen=True)
class View:
    """The compact form of one kind of Sentry object.

    ``keep`` lists dotted paths to keep (empty: keep everything that is not noise). ``nested`` gives
    a view for an object held under a key (an issue inside a feedback item). ``summary`` builds the
    compact form instead (events: a stack-trace summary in place of the raw ``entries``).
    """

    keep: tuple[str, ...] = ()
    nested: Mapping[str, View] = field(default_factory=dict)
    summary: Summary | None = None
    _tree: Tree = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_tree", compile_paths(self.keep))

    def apply(self, obj: Any) -> Any:
        if not isinstance(obj, dict):
            return tidy(obj)
        if self.summary is not None:
            return tidy(self.summary(obj))
        if not self.keep:
            return tidy({k: (self.nested[k].apply(v) if k in self.nested else v) for k, v in obj.items()})
        picked = _walk(obj, self._tree)
        for key, view in self.nested.items():
            inner = obj.get(key)
            value = [view.apply(item) for item in inner] if isinstance(inner, list) else view.apply(inner)
            if not _is_empty(value):
                picked[key] = value
        return picked


GENERIC = View()
"""For pairs without a declared view: everything except noise and empty values."""
