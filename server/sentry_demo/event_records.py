"""JSON shapes for events: the list row (`SimpleEventSerializer`) and the full event (`entries` from
`event_entries.py`), contexts, tags, user and SDK.

Built on demand from the compact generated `Event` and its issue; every choice is seeded by the event
or issue id, so the same event always renders the same way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import archetypes, population
from .event_entries import HOSTS, entries, request_entry
from .models import Event, Issue, iso, stable_hash
from .release_records import release_record
from .replay_data import replay_of_event

if TYPE_CHECKING:
    from .store import Store

JSON = dict[str, Any]

SDKS = {
    "web": ("sentry.javascript.react", "8.47.0"),
    "api": ("sentry.python.django", "2.19.2"),
    "worker": ("sentry.python.celery", "2.19.2"),
    "ios": ("sentry.cocoa", "8.42.1"),
}
EVENT_TYPES = {"error": "error", "csp": "csp", "performance": "transaction", "feedback": "generic"}


def fingerprint_hash(issue: Issue, event: Event, events: list[Event]) -> str:
    """The grouping hash an event was filed under: the oldest event of an issue with three or more
    events came in under a second hash that was later merged into the issue."""
    if len(events) >= 3 and event.id == events[0].id:
        return stable_hash("fingerprint-merged", issue.id)
    return stable_hash("fingerprint", issue.id)


def event_tags(event: Event, issue: Issue) -> list[JSON]:
    """Sorted by key, as Sentry returns them."""
    slug = issue.project_slug
    tags = {"environment": event.environment, "level": issue.level}
    if event.release:
        tags["release"] = event.release
    if issue.error is not None:
        tags |= {"handled": "yes" if issue.error.handled else "no", "mechanism": issue.error.mechanism}
    if slug == "web":
        name, version, os_name, os_version = population.BROWSERS[event.variant % len(population.BROWSERS)]
        tags |= {
            "browser": f"{name} {version}",
            "browser.name": name,
            "os": f"{os_name} {os_version}",
            "os.name": os_name,
            "transaction": archetypes.TRANSACTIONS["web"][event.variant % 6],
        }
    elif slug == "ios":
        model, os_version = population.DEVICES[event.variant % len(population.DEVICES)]
        tags |= {
            "device": model,
            "device.family": "iOS",
            "os": f"iOS {os_version}",
            "os.name": "iOS",
            "dist": _dist(event) or "1",
        }
    else:
        tags |= {
            "runtime": "CPython 3.12.8",
            "runtime.name": "CPython",
            "server_name": f"{slug}-{event.variant % 4 + 1}.acme.internal",
            "transaction": issue.culprit
            if issue.kind == "performance"
            else f"{issue.location.module}.{issue.location.function}"
            if issue.location
            else slug,
        }
    if slug != "worker":
        tags["user"] = f"id:{event.user.id}"
    request = request_entry(event, issue)
    if request is not None:
        tags["url"] = request["data"]["url"]
    replay_id = replay_of_event(event.id)
    if replay_id:
        tags["replayId"] = replay_id
    return [{"key": key, "value": tags[key]} for key in sorted(tags)]


def _user(event: Event, issue: Issue) -> JSON | None:
    if issue.project_slug == "worker":
        return None
    country, city, region = event.user.geo
    return {
        "id": event.user.id,
        "email": event.user.email,
        "username": None,
        "ip_address": event.user.ip_address,
        "name": event.user.name,
        "geo": {"country_code": country, "city": city, "region": region},
        "data": None,
    }


def _contexts(event: Event, issue: Issue) -> JSON:
    slug = issue.project_slug
    trace = {
        "trace_id": stable_hash("trace", event.id),
        "span_id": stable_hash("span", event.id)[:16],
        "op": {"web": "pageload", "ios": "ui.load"}.get(
            slug, "queue.task.celery" if slug == "worker" else "http.server"
        ),
        "status": "ok",
        "type": "trace",
    }
    contexts: JSON = {"trace": trace}
    replay_id = replay_of_event(event.id)
    if replay_id:
        contexts["replay"] = {"replay_id": replay_id, "type": "default"}
    if slug == "web":
        name, version, os_name, os_version = population.BROWSERS[event.variant % len(population.BROWSERS)]
        contexts |= {
            "browser": {"name": name, "version": version, "type": "browser"},
            "os": {"name": os_name, "version": os_version, "type": "os"},
        }
    elif slug == "ios":
        model, os_version = population.DEVICES[event.variant % len(population.DEVICES)]
        version = (event.release or "@0").split("@", 1)[1]
        contexts |= {
            "device": {"family": "iOS", "model": model, "arch": "arm64e", "simulator": False, "type": "device"},
            "os": {"name": "iOS", "version": os_version, "type": "os"},
            "app": {
                "app_identifier": "com.acme.ios",
                "app_version": version.split("+")[0],
                "app_build": version.split("+")[-1],
                "type": "app",
            },
        }
    else:
        contexts["runtime"] = {"name": "CPython", "version": "3.12.8", "type": "runtime"}
    if issue.kind == "feedback":
        contexts["feedback"] = {
            "message": issue.metadata["value"],
            "contact_email": issue.metadata["contact_email"],
            "name": issue.metadata["name"],
            "url": f"{HOSTS['web']}{issue.culprit}",
            "source": "widget",
            "type": "feedback",
        }
    return contexts


def event_simple(store: Store, event: Event, issue: Issue) -> JSON:
    """A row of an events list (without `entries`)."""
    return {
        "id": event.id,
        "event.type": EVENT_TYPES[issue.kind],
        "groupID": issue.id,
        "eventID": event.id,
        "projectID": store.data.project(issue.project_slug).id,
        "message": issue.metadata["value"] if issue.kind == "feedback" else issue.title if issue.kind == "csp" else "",
        "title": issue.title,
        "location": _location(issue),
        "culprit": issue.culprit,
        "user": _user(event, issue),
        "tags": event_tags(event, issue),
        "platform": store.event_platform(issue.project_slug),
        "dateCreated": iso(event.timestamp),
        "crashFile": None,
        "metadata": issue.metadata,
    }


def _location(issue: Issue) -> str | None:
    if issue.location is not None:
        return issue.location.path
    return issue.culprit if issue.kind == "performance" else None


def _dist(event: Event) -> str | None:
    """The build number of an iOS release (`com.acme.ios@4.3.0+131` -> `131`)."""
    version = event.release or ""
    return version.rsplit("+", 1)[1] if "+" in version else None


def _occurrence(event: Event, issue: Issue, project_id: str) -> JSON | None:
    if issue.kind not in ("performance", "feedback"):
        return None
    perf = issue.kind == "performance"
    evidence = (
        [{"name": "Offending Spans", "value": issue.metadata["value"], "important": True}]
        if perf
        else [{"name": "message", "value": issue.metadata["value"], "important": True}]
    )
    return {
        "id": stable_hash("occurrence", event.id),
        "projectId": int(project_id),
        "eventId": event.id,
        "fingerprint": [stable_hash("fingerprint", issue.id)],
        "issueTitle": issue.title,
        "subtitle": issue.metadata["value"],
        "resourceId": None,
        "evidenceData": {"op": issue.slots.get("op")} if perf else {"contactEmail": issue.metadata["contact_email"]},
        "evidenceDisplay": evidence,
        "type": 1006 if perf else 6001,
        "detectionTime": event.timestamp.timestamp(),
        "level": issue.level,
        "culprit": issue.culprit,
        "assignee": None,
        "priority": 50,
    }


def event_full(store: Store, event: Event, issue: Issue) -> JSON:
    """The whole event: `GET .../events/{event_id}/` and `full=true` list rows."""
    events = store.events_of(issue)
    index = next(n for n, e in enumerate(events) if e.id == event.id)
    release = store.release(event.release) if event.release else None
    record = event_simple(store, event, issue)
    del record["event.type"]
    sdk_name, sdk_version = SDKS[issue.project_slug]
    record |= {
        "type": EVENT_TYPES[issue.kind],
        "dateReceived": iso(event.timestamp + timedelta(milliseconds=312)),
        "contexts": _contexts(event, issue),
        "size": 4000 + event.variant % 9000,
        "entries": entries(event, issue),
        "dist": _dist(event) if issue.project_slug == "ios" else None,
        "sdk": {"name": sdk_name, "version": sdk_version},
        "context": {"session_id": stable_hash(event.id)[:12]},
        "packages": {"django": "5.1.4", "celery": "5.4.0"} if issue.project_slug in ("api", "worker") else {},
        "errors": [],
        "occurrence": _occurrence(event, issue, record["projectID"]),
        "_meta": {},
        "fingerprints": [fingerprint_hash(issue, event, events)],
        "groupingConfig": {"id": "newstyle:2023-01-11", "enhancements": "KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ"},
        "release": release_record(store, release) if release else None,
        "userReport": None,
        "sdkUpdates": [],
        "resolvedWith": [],
        "nextEventID": events[index + 1].id if index + 1 < len(events) else None,
        "previousEventID": events[index - 1].id if index > 0 else None,
    }
    if issue.kind == "performance":
        record |= {"startTimestamp": event.timestamp.timestamp() - 1.2, "endTimestamp": event.timestamp.timestamp()}
    return record
