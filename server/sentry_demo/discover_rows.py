"""The rows behind `GET /organizations/{org}/events/` (Discover / Explore), one builder per dataset:

- `errors` (error and CSP events), `transactions` (performance issues' transactions), `discover`
  (all events), each row with the event's columns and every tag as a column;
- `spans` (the spans of those transactions), `logs` (breadcrumbs and error lines as log records);
- `profile_functions`, `tracemetrics`, `uptime_results`: valid names without demo data (no rows).

Every event row stands for its share of the issue's `count` (`_weight`), so `count()` agrees with the
issue lists. Columns starting with `_` are internal.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .event_entries import breadcrumbs, spans
from .event_records import EVENT_TYPES, event_tags
from .models import Event, Issue, stable_hash
from .tag_stats import event_weights

if TYPE_CHECKING:
    from .store import Store

Row = dict[str, Any]
DATASETS = (
    "errors",
    "logs",
    "profile_functions",
    "spans",
    "tracemetrics",
    "uptime_results",
    "discover",
    "transactions",
)
EVENT_KINDS = {
    "errors": ("error", "csp"),
    "transactions": ("performance",),
    "discover": ("error", "csp", "performance", "feedback"),
}
INTEGER = {"issue.id", "project.id", "severity_number"}
DATES = {"timestamp"}
DURATIONS = {"transaction.duration", "span.duration"}
SEVERITY_NUMBERS = {"debug": 5, "info": 9, "warning": 13, "error": 17, "fatal": 21}


def column_type(name: str) -> str:
    if name in DATES:
        return "date"
    if name in DURATIONS:
        return "duration"
    return "integer" if name in INTEGER else "string"


def _base(store: Store, event: Event, issue: Issue) -> Row:
    project = store.data.project(issue.project_slug)
    return {
        "timestamp": event.timestamp,
        "project": project.slug,
        "project.name": project.slug,
        "project.id": int(project.id),
        "issue": issue.short_id,
        "issue.id": int(issue.id),
        "release": event.release,
        "environment": event.environment,
        "trace": stable_hash("trace", event.id),
        "platform": store.event_platform(issue.project_slug),
        "_title": issue.title,
    }


def _user_columns(event: Event, issue: Issue) -> Row:
    if issue.project_slug == "worker":
        return {"user": None, "user.id": None, "user.email": None, "user.display": None, "user.ip": None}
    return {
        "user": f"id:{event.user.id}",
        "user.id": event.user.id,
        "user.email": event.user.email,
        "user.display": event.user.email,
        "user.ip": event.user.ip_address,
        "user.username": None,
        "geo.country_code": event.user.geo[0],
        "geo.city": event.user.geo[1],
    }


def event_rows(store: Store, kinds: tuple[str, ...]) -> Iterator[Row]:
    for issue in store.all_issues():
        if issue.kind not in kinds:
            continue
        events = store.events_of(issue)
        weights = event_weights(issue, events)
        for event in events:
            tags = {t["key"]: t["value"] for t in event_tags(event, issue)}
            message = issue.metadata["value"] if issue.kind == "feedback" else issue.title
            row = tags | _base(store, event, issue) | _user_columns(event, issue)
            row |= {
                "id": event.id,
                "title": issue.title,
                "message": message,
                "level": issue.level,
                "culprit": issue.culprit,
                "transaction": tags.get("transaction") or issue.culprit,
                "event.type": EVENT_TYPES[issue.kind],
                "location": issue.location.path if issue.location else None,
                "error.type": issue.error.exc_type if issue.error else None,
                "error.value": issue.metadata.get("value") if issue.error else None,
                "error.handled": (1 if issue.error.handled else 0) if issue.error else None,
                "_weight": weights[event.id],
                "_users": issue.user_count * weights[event.id] / max(1, issue.count),
            }
            if issue.kind == "performance":
                row["transaction.duration"] = 1200.0
                row["transaction.op"] = {"web": "pageload", "ios": "ui.load"}.get(issue.project_slug, "http.server")
            yield row


def span_rows(store: Store) -> Iterator[Row]:
    for row in event_rows(store, ("performance",)):
        issue = store.issue(str(row["issue.id"]))
        event = store.event(row["id"])
        assert issue is not None and event is not None
        for span in spans(event, issue):
            yield {
                **_base(store, event, issue),
                **_user_columns(event, issue),
                "id": span["span_id"],
                "span.op": span["op"],
                "span.description": span["description"],
                "span.duration": round((span["timestamp"] - span["start_timestamp"]) * 1000, 3),
                "span.status": span["status"],
                "transaction": row["transaction"],
                "is_transaction": 0,
                "timestamp": datetime.fromtimestamp(span["timestamp"], UTC),
                "_title": span["description"],
                "_weight": 1,
                "_users": 0.0,
            }


def log_rows(store: Store) -> Iterator[Row]:
    """An `error` log line per error event plus its breadcrumbs as info/warning lines."""
    for row in event_rows(store, ("error",)):
        issue = store.issue(str(row["issue.id"]))
        event = store.event(row["id"])
        assert issue is not None and event is not None
        lines = [
            (crumb["level"], crumb.get("message") or _crumb_text(crumb), crumb["category"], crumb["timestamp"])
            for crumb in breadcrumbs(event, issue)["data"]["values"]
        ]
        lines.append((issue.level, issue.title, "logger", None))
        for n, (severity, message, category, when) in enumerate(lines):
            timestamp = datetime.fromisoformat(when.replace("Z", "+00:00")) if when else event.timestamp
            yield {
                **_base(store, event, issue),
                "id": stable_hash("log", event.id, n),
                "message": message,
                "severity": severity,
                "severity_number": SEVERITY_NUMBERS.get(severity, 9),
                "logger.name": category,
                "timestamp": timestamp,
                "_title": message,
                "_weight": 1,
                "_users": 0.0,
            }


def _crumb_text(crumb: dict[str, Any]) -> str:
    data = crumb.get("data") or {}
    if "url" in data:
        return f"{data.get('method', 'GET')} {data['url']} [{data.get('status_code', '')}]"
    return " -> ".join(str(v) for v in data.values())


def rows(store: Store, dataset: str) -> Iterator[Row]:
    if dataset in EVENT_KINDS:
        return event_rows(store, EVENT_KINDS[dataset])
    if dataset == "spans":
        return span_rows(store)
    if dataset == "logs":
        return log_rows(store)
    return iter(())
