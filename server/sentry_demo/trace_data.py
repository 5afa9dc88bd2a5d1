"""Traces of the demo's events: every error and performance event's `contexts.trace.trace_id` names a trace.

Its spans follow the project's span tree in `data/traces.json` (a web page load calls the `api`
project, so web traces cross projects), scaled by a per-trace factor so no two look alike. An error
event hangs on the span marked `error` (whose id is the event's `contexts.trace.span_id`); a
performance event adds its offending spans under the root and an occurrence on the root. The span
carrying a profile (`profiled`) names it when `data/profiles.json` profiles that event. Other trace
ids have no spans, as in Sentry.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from . import event_records
from .dataset import dataset
from .event_entries import spans as offending_spans
from .models import Event, Issue, stable_hash
from .tables import load

JSON = dict[str, Any]
SPAN_TREES: dict[str, list[JSON]] = load("traces")["span_trees"]
ISSUE_TYPES = {"error": 1, "performance": 1006}
"""Sentry's group type ids: errors, and the N+1 query / API call performance issues."""


@dataclass(frozen=True)
class TraceSource:
    event: Event
    issue: Issue


def trace_id_of(event: Event) -> str:
    """The trace id an event's `contexts.trace` carries."""
    return stable_hash("trace", event.id)


@functools.cache
def _sources() -> dict[str, TraceSource]:
    data = dataset()
    issues = {i.id: i for i in data.issues}
    return {
        trace_id_of(e): TraceSource(e, issues[e.issue_id])
        for e in data.events.values()
        if issues[e.issue_id].kind in ISSUE_TYPES
    }


def source(trace_id: str) -> TraceSource | None:
    return _sources().get(trace_id.lower())


@functools.cache
def profiled_events() -> dict[str, str]:
    """Event id -> profile id, for the events `data/profiles.json` profiles (their issue's latest event)."""
    issues = [dataset().issue_by_short_id(p["issue"]) for p in _profiles()]
    return {issue.event_ids[-1]: profile_id_of(issue) for issue in issues}


def profile_id_of(issue: Issue) -> str:
    """The id of the profile taken with an issue's latest event."""
    return stable_hash("profile", issue.id)


def _profiles() -> list[JSON]:
    profiles: list[JSON] = load("profiles")["profiles"]
    return profiles


def transaction_name(event: Event, issue: Issue) -> str:
    if issue.kind == "performance":
        return issue.culprit
    tags = {t["key"]: t["value"] for t in event_records.event_tags(event, issue)}
    return str(tags.get("transaction") or issue.culprit)


def _issue_item(src: TraceSource, kind: str, start: float, end: float, transaction: str) -> JSON:
    project = dataset().project(src.issue.project_slug)
    return {
        "event_id": src.event.id,
        "event_type": "occurrence" if kind == "performance" else "error",
        "issue_id": int(src.issue.id),
        "issue_type": ISSUE_TYPES[kind],
        "short_id": src.issue.short_id,
        "level": src.issue.level,
        "culprit": src.issue.culprit,
        "description": src.issue.title,
        "project_id": int(project.id),
        "project_slug": project.slug,
        "transaction": transaction,
        "start_timestamp": round(start, 6),
        "end_timestamp": round(end, 6),
    }


def build_spans(src: TraceSource) -> list[JSON]:
    """The spans of one trace, flat and in template order, each with `parent` (an index) kept aside."""
    event, issue = src.event, src.issue
    rows = SPAN_TREES[issue.project_slug]
    rng = random.Random(f"trace:{event.id}")
    scale = rng.uniform(0.75, 1.35)
    error_row = next(i for i, r in enumerate(rows) if r.get("error"))
    error_at = rows[error_row]["start_ms"] + rows[error_row]["duration_ms"] * 0.9
    begin = (event.timestamp - timedelta(milliseconds=error_at * scale)).timestamp()
    transaction = transaction_name(event, issue)
    profile_id = profiled_events().get(event.id, "")
    spans: list[JSON] = []
    for n, row in enumerate(rows):
        slug = row.get("project", issue.project_slug)
        span_id = stable_hash("span", event.id)[:16] if n == error_row else stable_hash("span", event.id, n)[:16]
        start = begin + row["start_ms"] * scale / 1000
        duration = round(row["duration_ms"] * scale * rng.uniform(0.9, 1.0), 3)
        text = row["description"].replace("{transaction}", transaction).replace("{culprit}", issue.culprit)
        spans.append(
            {
                "parent": row["parent"],
                "transaction_root": row.get("transaction", False),
                "project": dataset().project(slug),
                "span_id": span_id,
                "op": row["op"],
                "description": text,
                "start": start,
                "duration": duration,
                "profile_id": profile_id if row.get("profiled") else "",
                "issues": [],
            }
        )
    if issue.kind == "performance":
        root = spans[0]
        for extra in offending_spans(event, issue):
            spans.append(
                {
                    "parent": 0,
                    "transaction_root": False,
                    "project": root["project"],
                    "span_id": extra["span_id"],
                    "op": extra["op"],
                    "description": extra["description"],
                    "start": extra["start_timestamp"],
                    "duration": round((extra["timestamp"] - extra["start_timestamp"]) * 1000, 3),
                    "profile_id": "",
                    "issues": [],
                }
            )
        root["issues"].append(("performance", root["start"], root["start"] + root["duration"] / 1000))
    else:
        hit = spans[error_row]
        hit["issues"].append(("error", event.timestamp.timestamp(), event.timestamp.timestamp()))
    return spans


def _segment_ids(src: TraceSource, spans: list[JSON]) -> list[str]:
    """Each span's transaction event id: that of its nearest ancestor (or itself) that starts a transaction."""
    out: list[str] = []
    for n, span in enumerate(spans):
        if span["transaction_root"]:
            out.append(stable_hash("transaction", src.event.id, n))
        else:
            out.append(out[span["parent"]])
    return out


def span_records(src: TraceSource) -> list[JSON]:
    """Sentry's `/trace/{id}/` answer for the trace: root spans with nested `children`."""
    spans = build_spans(src)
    segments = _segment_ids(src, spans)
    records: list[JSON] = []
    for n, span in enumerate(spans):
        project = span["project"]
        parent = span["parent"]
        transaction = _own_name(spans, n)
        records.append(
            {
                "children": [],
                "errors": [],
                "occurrences": [],
                "event_id": span["span_id"],
                "event_type": "span",
                "transaction_id": segments[n],
                "project_id": int(project.id),
                "project_slug": project.slug,
                "transaction": transaction,
                "description": span["description"],
                "op": span["op"],
                "name": span["op"],
                "parent_span_id": spans[parent]["span_id"] if parent is not None else None,
                "profile_id": span["profile_id"],
                "profiler_id": "",
                "sdk_name": event_records.SDKS[project.slug][0],
                "is_transaction": span["transaction_root"],
                "start_timestamp": round(span["start"], 6),
                "end_timestamp": round(span["start"] + span["duration"] / 1000, 6),
                "duration": span["duration"],
                "measurements": {},
                "browser_web_vital": {},
                "mobile_app_vital": {},
            }
        )
        for kind, start, end in span["issues"]:
            key = "occurrences" if kind == "performance" else "errors"
            records[n][key].append(_issue_item(src, kind, start, end, transaction))
    roots: list[JSON] = []
    for n, span in enumerate(spans):
        parent = span["parent"]
        (roots if parent is None else records[parent]["children"]).append(records[n])
    return roots


def _own_name(spans: list[JSON], n: int) -> str:
    """The name of the transaction a span of another project belongs to (its nearest transaction root)."""
    while not spans[n]["transaction_root"]:
        n = spans[n]["parent"]
    return str(spans[n]["description"])


def trace_meta(src: TraceSource | None) -> JSON:
    """Sentry's `/trace-meta/{id}/` counts for the trace (zeros for a trace without spans)."""
    spans = build_spans(src) if src is not None else []
    segments = _segment_ids(src, spans) if src is not None else []
    kinds = [kind for span in spans for kind, _, _ in span["issues"]]
    per_segment = Counter(segments)
    return {
        "errorsCount": kinds.count("error"),
        "performanceIssuesCount": kinds.count("performance"),
        "spansCount": float(len(spans)),
        "logsCount": 0.0,
        "metricsCount": 0.0,
        "spansCountMap": {op: float(n) for op, n in Counter(s["op"] for s in spans).most_common()},
        "transactionChildCountMap": [
            {"transaction.event_id": segment, "count()": count} for segment, count in per_segment.items()
        ],
    }
