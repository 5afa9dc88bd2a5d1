"""Traces: the span tree as indented lines, errors and the slowest spans first, trimmed to a fixed size.

Sentry's ``/trace/{id}/`` answer is a list of root spans with nested ``children``, each span carrying
its ``errors`` and ``occurrences`` (performance issues); a trace can hold 100k spans. An agent needs
where the time went and where it failed: the spans with issues and the slowest spans, with the
ancestors that connect them, one line each (``op description 120ms [project]``), plus the issues
themselves and the counts of ``trace-meta``. Everything here is bounded whatever the answer holds: the
walk is iterative and stops after ``MAX_VISIT`` spans, depth is capped, a root re-attached under its
``parent_span_id`` never closes a cycle, and the lines stop at ``MAX_SHOWN`` spans and ``MAX_CHARS``.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from .base import View

MAX_VISIT = 200_000
"""Spans read from one answer; the rest are counted as not read."""
MAX_SHOWN = 40
"""Spans shown as lines (plus at most ``MAX_DEPTH`` ancestors of the last one picked)."""
MAX_DEPTH = 16
"""Deepest level shown; deeper spans are left out (and counted)."""
MAX_CHARS = 8_000
"""Characters of tree lines, so that a trace of long descriptions stays well inside the result budget."""
MAX_ERRORS = 10
MAX_OPS = 8
MAX_REPARENT = 200
"""Top-level spans considered for re-attachment under their ``parent_span_id``."""
TEXT = 120

_ISSUE_KEYS = ("errors", "occurrences")
_LEVELS = {"fatal": 0, "error": 1, "warning": 2}


@dataclass(slots=True)
class _Span:
    """One span as read: its raw item (labels are made only for the spans shown) and where it sits."""

    item: dict[str, Any]
    parent: int | None
    ms: float
    issues: list[str] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    depth: int = 0
    flagged: bool = False
    """It or a span below it has an issue."""


def _text(value: Any, limit: int = TEXT) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _raw_id(item: Mapping[str, Any], *keys: str) -> str:
    value = next((item[k] for k in keys if item.get(k)), "")
    return value if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _duration_ms(item: Mapping[str, Any]) -> float:
    duration = _number(item.get("duration"))
    if duration is not None:
        return max(duration, 0.0)
    start = _number(item.get("start_timestamp"))
    end = _number(item.get("end_timestamp")) or _number(item.get("timestamp"))
    return max((end - start) * 1000, 0.0) if start is not None and end is not None else 0.0


def _is_issue(item: Mapping[str, Any]) -> bool:
    """A top-level entry that is an error or an occurrence, not a span (errors not tied to a span)."""
    return item.get("event_type") in ("error", "occurrence") or ("children" not in item and item.get("type") == "error")


class _Walk:
    """The spans of one answer, flattened without recursion, with their issues."""

    def __init__(self) -> None:
        self.spans: list[_Span] = []
        self.issues: dict[str, dict[str, Any]] = {}
        self.unread = 0
        self.first: float | None = None
        self.last: float | None = None
        self.projects: dict[str, None] = {}

    def read(self, roots: list[Any]) -> None:
        self.unread += max(len(roots) - MAX_VISIT, 0)
        stack: list[tuple[Any, int | None]] = [(item, None) for item in reversed(roots[:MAX_VISIT])]
        while stack:
            item, parent = stack.pop()
            if not isinstance(item, dict):
                continue
            if parent is None and _is_issue(item):
                self._issue(item, None)
                continue
            if len(self.spans) >= MAX_VISIT:
                self.unread += 1
                continue
            index = self._span(item, parent)
            children = item.get("children")
            if children and isinstance(children, list):
                kept = children[: max(MAX_VISIT - len(self.spans) - len(stack), 0)]
                self.unread += len(children) - len(kept)
                stack.extend(zip(reversed(kept), repeat(index), strict=False))

    def _span(self, item: dict[str, Any], parent: int | None) -> int:
        span = _Span(item, parent, _duration_ms(item))
        index = len(self.spans)
        self.spans.append(span)
        project = item.get("project_slug")
        if isinstance(project, str) and project not in self.projects and len(self.projects) < 10:
            self.projects[project] = None
        start, end = _number(item.get("start_timestamp")), _number(item.get("end_timestamp"))
        if start is not None and end is not None:
            self.first = start if self.first is None else min(self.first, start)
            self.last = end if self.last is None else max(self.last, end)
        for key in _ISSUE_KEYS:
            found = item.get(key)
            for issue in found if isinstance(found, list) and found else ():
                if isinstance(issue, dict):
                    span.issues.append(self._issue(issue, _text(_raw_id(item, "event_id", "span_id"), 40)))
        return index

    def _issue(self, item: Mapping[str, Any], span_id: str | None) -> str:
        """Record one error or occurrence once (by event id); return how a span line names it."""
        short = _text(item.get("short_id") or item.get("issue_id") or item.get("issue") or "", 40)
        kind = "perf" if item.get("event_type") == "occurrence" else "error"
        label = f"{kind} {short}".strip()
        key = _text(item.get("event_id") or item.get("id"), 64) or f"#{len(self.issues)}"
        if key not in self.issues and len(self.issues) < MAX_VISIT:
            self.issues[key] = {
                "type": kind,
                "issue": short or None,
                "title": _text(item.get("description") or item.get("title"), 200),
                "level": _text(item.get("level"), 20) or None,
                "culprit": _text(item.get("culprit"), 120) or None,
                "project": _text(item.get("project_slug"), 60) or None,
                "event_id": key if not key.startswith("#") else None,
                "span": span_id or None,
            }
        return label


def _reattach_roots(spans: list[_Span], roots: list[int]) -> list[int]:
    """Top-level spans whose ``parent_span_id`` names a span of the trace go under it, unless that closes a
    cycle (a hostile answer can make parents point in circles); the others stay roots."""
    wanted = {root: _raw_id(spans[root].item, "parent_span_id") for root in roots[:MAX_REPARENT]}
    if not any(wanted.values()):
        return roots
    by_id = {_raw_id(span.item, "event_id", "span_id"): index for index, span in enumerate(spans)}
    by_id.pop("", None)
    kept = []
    for count, root in enumerate(roots):
        target = by_id.get(wanted.get(root, ""))
        if count >= MAX_REPARENT or target is None or target == root or _reaches(spans, target, root):
            kept.append(root)
            continue
        spans[root].parent = target
        spans[target].children.append(root)
    return kept


def _reaches(spans: list[_Span], start: int, wanted: int) -> bool:
    """Whether walking up from ``start`` meets ``wanted`` (or goes on too long to tell: then assume so)."""
    node: int | None = start
    for _ in range(2_000):
        if node is None:
            return False
        if node == wanted:
            return True
        node = spans[node].parent
    return True


def _layout(spans: list[_Span], roots: list[int]) -> list[int]:
    """Depths from the roots, breadth first; returns the spans in that order."""
    order = list(roots)
    for root in roots:
        spans[root].depth = 0
    position = 0
    while position < len(order):
        span = spans[order[position]]
        position += 1
        for child in span.children:
            spans[child].depth = span.depth + 1
            order.append(child)
    for index in reversed(order):
        span = spans[index]
        if span.issues:
            span.flagged = True
        if span.flagged and span.parent is not None:
            spans[span.parent].flagged = True
    return order


def _choose(spans: list[_Span], order: list[int]) -> set[int]:
    """Spans with issues, then the slowest, each with its ancestors, until ``MAX_SHOWN``."""
    reachable = [i for i in order if spans[i].depth <= MAX_DEPTH]
    ranked = heapq.nlargest(MAX_SHOWN, reachable, key=lambda i: (bool(spans[i].issues), spans[i].ms, -i))
    chosen: set[int] = set()
    for index in ranked:
        if len(chosen) >= MAX_SHOWN:
            break
        node: int | None = index
        while node is not None and node not in chosen:
            chosen.add(node)
            node = spans[node].parent
    return chosen


def _line(span: _Span, parent: _Span | None, hidden: int) -> str:
    item = span.item
    parts = ["  " * span.depth + (_text(item.get("op"), 40) or "span")]
    description = _text(item.get("description") or item.get("transaction") or item.get("name"))
    if description:
        parts.append(description)
    parts.append(f"{span.ms:.0f}ms")
    project = _text(item.get("project_slug"), 60)
    if project and (parent is None or parent.item.get("project_slug") != item.get("project_slug")):
        parts.append(f"[{project}]")
    if span.issues:
        parts.append("<" + ", ".join(span.issues[:3]) + (" …" if len(span.issues) > 3 else "") + ">")
    if hidden:
        parts.append(f"(+{hidden} more)")
    return " ".join(parts)


def _lines(spans: list[_Span], roots: list[int], chosen: set[int]) -> tuple[list[str], int]:
    """Depth-first lines of the chosen spans, siblings with issues first, then slowest; stops at ``MAX_CHARS``."""

    def rank(i: int) -> tuple[bool, float, int]:
        return (not spans[i].flagged, -spans[i].ms, i)

    lines: list[str] = []
    used = 0
    stack = sorted((r for r in roots if r in chosen), key=rank, reverse=True)
    while stack:
        index = stack.pop()
        span = spans[index]
        shown = [c for c in span.children if c in chosen]
        parent = spans[span.parent] if span.parent is not None else None
        line = _line(span, parent, len(span.children) - len(shown))
        if used + len(line) > MAX_CHARS:
            break
        lines.append(line)
        used += len(line)
        stack.extend(sorted(shown, key=rank, reverse=True))
    return lines, len(lines)


def _counts(meta: Any, walk: _Walk) -> dict[str, Any]:
    out: dict[str, Any] = {"spans": len(walk.spans) + walk.unread, "errors": len(walk.issues)}
    if isinstance(meta, dict):
        names = {
            "spansCount": "spans",
            "errorsCount": "errors",
            "performanceIssuesCount": "performance_issues",
            "logsCount": "logs",
        }
        for key, name in names.items():
            number = _number(meta.get(key))
            if number is not None:
                out[name] = int(number)
        ops = meta.get("spansCountMap")
        if isinstance(ops, dict):
            numeric = [(str(k), n) for k, v in list(ops.items())[:MAX_VISIT] if (n := _number(v)) is not None]
            out["ops"] = {k: int(n) for k, n in heapq.nlargest(MAX_OPS, numeric, key=lambda kv: kv[1])}
    return out


def trace_summary(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The compact trace: counts, the issues in it, and the trimmed span tree (module docstring)."""
    raw = obj.get("spans")
    walk = _Walk()
    walk.read(raw if isinstance(raw, list) else [])
    spans = walk.spans
    roots = [i for i, s in enumerate(spans) if s.parent is None]
    for index, span in enumerate(spans):
        if span.parent is not None:
            spans[span.parent].children.append(index)
    roots = _reattach_roots(spans, roots)
    order = _layout(spans, roots)
    chosen = _choose(spans, order)
    lines, shown = _lines(spans, roots, chosen)
    issues = sorted(walk.issues.values(), key=lambda e: (e["type"] != "error", _LEVELS.get(str(e["level"]), 3)))[
        :MAX_ERRORS
    ]
    out: dict[str, Any] = {
        "counts": _counts(obj.get("meta"), walk),
        "duration_ms": round((walk.last - walk.first) * 1000) if walk.first is not None and walk.last else None,
        "projects": list(walk.projects)[:10],
        "issues": issues,
        "tree": lines,
    }
    hidden = len(spans) + walk.unread - shown
    if hidden > 0:
        out["spans_not_shown"] = hidden
    if not spans and not walk.issues:
        out["note"] = "No spans found for this trace in the time window: try a longer stats_period or start/end."
    for key in ("meta_error", "meta_skipped"):
        if obj.get(key):
            out[key] = obj[key]
    return out


TRACE = View(summary=trace_summary)
"""``traces get``: the summary above; ``detail='full'`` gives Sentry's span tree and trace-meta as they came."""
