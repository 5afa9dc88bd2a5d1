"""Events: a stack-trace summary instead of Sentry's raw ``entries`` blob (~10 KB per event).

What an agent needs to debug is the exception (type, value, where), the in-app frames with the code
around the crash, the last breadcrumbs, the request URL and the tags. Frames keep Sentry's order:
the innermost (where it was raised) last.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .base import View, tidy_time

MAX_EXCEPTIONS = 3
MAX_FRAMES = 10
"""In-app frames shown per stack trace (the innermost ones)."""
FALLBACK_FRAMES = 5
"""Frames shown when none is in-app (a crash inside a library or the runtime)."""
CONTEXT_BEFORE, CONTEXT_AFTER = 2, 1
MAX_BREADCRUMBS = 5
MAX_SPANS = 5
MAX_TEXT = 200

PROMOTED_TAGS = ("level", "environment", "release")


def _short(text: Any, limit: int = MAX_TEXT) -> str:
    value = text if isinstance(text, str) else json.dumps(text, separators=(",", ":"), ensure_ascii=False)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _frame_label(frame: Mapping[str, Any]) -> str:
    where = frame.get("filename") or frame.get("module") or frame.get("absPath") or frame.get("package") or "?"
    line = frame.get("lineNo")
    function = frame.get("function") or frame.get("symbol") or "?"
    return f"{where}:{line} {function}" if line is not None else f"{where} {function}"


def _context(frame: Mapping[str, Any]) -> list[str]:
    line = frame.get("lineNo")
    rows = frame.get("context") or []
    if not isinstance(line, int):
        return []
    return [
        f"{number}: {str(code).rstrip()}"
        for number, code in (row for row in rows if isinstance(row, list | tuple) and len(row) == 2)
        if isinstance(number, int) and line - CONTEXT_BEFORE <= number <= line + CONTEXT_AFTER
    ]


def stack_summary(stacktrace: Mapping[str, Any] | None) -> dict[str, Any]:
    """In-app frames as ``file:line function`` (innermost last) and the code around the innermost."""
    frames = [f for f in (stacktrace or {}).get("frames") or [] if isinstance(f, dict)]
    if not frames:
        return {}
    in_app = [f for f in frames if f.get("inApp")]
    shown = in_app[-MAX_FRAMES:] if in_app else frames[-FALLBACK_FRAMES:]
    out: dict[str, Any] = {"frames": [_frame_label(f) for f in shown]}
    if len(shown) < len(frames):
        out["frames_omitted"] = len(frames) - len(shown)
    out["context"] = _context(shown[-1])
    return out


def _exceptions(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    values = [v for v in (entry.get("data") or {}).get("values") or [] if isinstance(v, dict)]
    out = []
    for value in values[-MAX_EXCEPTIONS:]:
        raw_mechanism = value.get("mechanism")
        mechanism: Mapping[str, Any] = raw_mechanism if isinstance(raw_mechanism, dict) else {}
        out.append(
            {
                "type": value.get("type"),
                "value": _short(value.get("value") or "", 500),
                "mechanism": mechanism.get("type"),
                "handled": mechanism.get("handled"),
                **stack_summary(value.get("stacktrace")),
            }
        )
    return out


def _thread(entry: Mapping[str, Any]) -> dict[str, Any]:
    threads = [t for t in (entry.get("data") or {}).get("values") or [] if isinstance(t, dict)]
    chosen = next((t for t in threads if t.get("crashed")), None) or next(
        (t for t in threads if t.get("current")), None
    )
    if chosen is None:
        return {}
    return {"id": chosen.get("id"), "name": chosen.get("name"), **stack_summary(chosen.get("stacktrace"))}


def _breadcrumb(crumb: Mapping[str, Any]) -> str:
    stamp = tidy_time(str(crumb.get("timestamp") or ""))
    clock = stamp[11:19] if len(stamp) >= 19 else stamp
    what = crumb.get("message") or (crumb.get("data") and _short(crumb["data"])) or ""
    return f"{clock} {crumb.get('level') or ''} {crumb.get('category') or crumb.get('type') or ''}: {what}".strip()


def _spans(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A transaction's spans (performance issues): how many, and the first few with their durations."""
    spans = [s for s in entry.get("data") or [] if isinstance(s, dict)]
    shown = []
    for span in spans[:MAX_SPANS]:
        start, end = span.get("start_timestamp"), span.get("timestamp")
        took = (
            f" {round((end - start) * 1000)}ms"
            if isinstance(start, int | float) and isinstance(end, int | float)
            else ""
        )
        shown.append(f"{span.get('op') or ''} {_short(span.get('description') or '', 120)}{took}".strip())
    return {"count": len(spans), "first": shown}


def _evidence(occurrence: Any) -> dict[str, Any]:
    """What Sentry's issue detection points at (performance and other non-error issues)."""
    if not isinstance(occurrence, dict):
        return {}
    shown = [e for e in occurrence.get("evidenceDisplay") or [] if isinstance(e, dict) and e.get("name")]
    return {str(e["name"]): _short(e.get("value") or "") for e in shown}


def _request(entry: Mapping[str, Any]) -> dict[str, Any]:
    data = entry.get("data") or {}
    query = data.get("query")
    url = str(data.get("url") or "")
    if isinstance(query, list) and query:
        url += "?" + "&".join(f"{k}={v}" for k, v in (p for p in query if isinstance(p, list | tuple) and len(p) == 2))
    elif isinstance(query, str) and query:
        url += "?" + query
    return {"method": data.get("method"), "url": url}


def _user(user: Any) -> dict[str, Any] | None:
    if not isinstance(user, dict):
        return None
    return {k: user.get(k) for k in ("id", "email", "username", "name")}


def event_summary(event: Mapping[str, Any]) -> dict[str, Any]:
    """The compact event: who, when, where, and the stack-trace summary when Sentry sent one."""
    tags = {
        str(t.get("key")): t.get("value")
        for t in event.get("tags") or []
        if isinstance(t, dict) and t.get("key") is not None
    }
    release = event.get("release")
    out: dict[str, Any] = {
        "eventID": event.get("eventID") or event.get("id"),
        "groupID": event.get("groupID"),
        "title": event.get("title"),
        "culprit": event.get("culprit"),
        "dateCreated": event.get("dateCreated"),
        "level": tags.get("level") or event.get("level"),
        "environment": tags.get("environment") or event.get("environment"),
        "release": release.get("version") if isinstance(release, dict) else (release or tags.get("release")),
        "user": _user(event.get("user")),
        "message": _short(event.get("message") or "", 500),
        "evidence": _evidence(event.get("occurrence")),
    }
    for entry in event.get("entries") or []:
        if not isinstance(entry, dict):
            continue
        kind = entry.get("type")
        if kind == "exception":
            out["exception"] = _exceptions(entry)
        elif kind == "threads" and "exception" not in out:
            out["thread"] = _thread(entry)
        elif kind == "stacktrace":
            out["stacktrace"] = stack_summary(entry.get("data"))
        elif kind == "message" and not out["message"]:
            data = entry.get("data") or {}
            out["message"] = _short(data.get("formatted") or data.get("message") or "", 500)
        elif kind == "breadcrumbs":
            crumbs = [c for c in (entry.get("data") or {}).get("values") or [] if isinstance(c, dict)]
            out["breadcrumbs"] = [_breadcrumb(c) for c in crumbs[-MAX_BREADCRUMBS:]]
        elif kind == "request":
            out["request"] = _request(entry)
        elif kind == "spans":
            out["spans"] = _spans(entry)
    out["tags"] = {k: v for k, v in tags.items() if k not in PROMOTED_TAGS}
    trace = (event.get("contexts") or {}).get("trace")
    if isinstance(trace, dict):
        out["trace_id"] = trace.get("trace_id")
    return out


EVENT = View(summary=event_summary)
"""One event (a get): the stack-trace summary, breadcrumbs, request and tags."""


def event_row(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event in a list: the summary without its tags, which a get (or ``issue_tags get``) gives."""
    out = event_summary(event)
    out.pop("tags", None)
    return out


EVENT_ROW = View(summary=event_row)
"""Events in lists; with ``full=true`` the stack-trace summary is included."""

EVENT_LOOKUP = View(keep=("organizationSlug", "projectSlug", "groupId", "eventId"), nested={"event": EVENT})
"""``event_ids get``: where an event lives, and the event itself."""
