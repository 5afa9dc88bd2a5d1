"""JSON shapes for issues (Sentry "groups"): the base group, the project-list row (stream), the
organization-list row, the detail view, and the pieces they share (assignee, stats, activity).

Built from the generated `Issue` plus this app's mutable `IssueState`, so changes made by PUT show up
in every later read.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .dataset import REFERENCE_TIME
from .models import Issue, iso
from .records import user_record
from .release_records import release_ref
from .tag_stats import tag_label, tag_stats

if TYPE_CHECKING:
    from .store import Store

JSON = dict[str, Any]

ISSUE_TYPES = {"error": "error", "csp": "error", "feedback": "feedback"}
CATEGORIES = {"error": "error", "csp": "error", "performance": "performance", "feedback": "feedback"}
EVENT_TYPES = {"error": "error", "csp": "csp", "performance": "transaction", "feedback": "generic"}
PERIODS = {"24h": (24, timedelta(hours=1)), "14d": (14, timedelta(days=1)), "30d": (30, timedelta(days=1))}


def issue_type(issue: Issue) -> str:
    """The issue platform type (`error`, `performance_n_plus_one_db_queries`, `feedback`, ...)."""
    return ISSUE_TYPES.get(issue.kind) or issue.slots["perf_type"]


def issue_category(issue: Issue) -> str:
    return CATEGORIES[issue.kind]


def assigned_to(store: Store, assignee: str | None) -> JSON | None:
    """Sentry's actor shape: users by display name and email, teams by slug."""
    if not assignee:
        return None
    kind, _, ident = assignee.partition(":")
    if kind == "user":
        member = store.data.member(ident)
        return None if member is None else {"type": "user", "id": member.id, "name": member.name, "email": member.email}
    team = next((t for t in store.data.teams if t.id == ident), None)
    return None if team is None else {"type": "team", "id": team.id, "name": team.slug}


def _bucket_starts(period: str) -> tuple[tuple[datetime, int], ...]:
    """Each bucket's start (and as epoch seconds), oldest first: the same for every issue."""
    buckets, step = PERIODS[period]
    end = REFERENCE_TIME.replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        end = end.replace(hour=0)
    starts = (end - n * step for n in range(buckets - 1, -1, -1))
    return tuple((start, int(start.timestamp())) for start in starts)


BUCKET_STARTS = {period: _bucket_starts(period) for period in PERIODS}
"""Computed once: the stats of an issue list were most of the time the demo took to answer it."""


def stats(issue: Issue, period: str) -> list[list[float]]:
    """Event counts per bucket (hourly for 24h, daily otherwise), zero outside the issue's lifetime."""
    step = PERIODS[period][1]
    rng = random.Random(f"stats:{issue.id}:{period}")
    average = max(1, issue.count // max(1, (issue.last_seen - issue.first_seen).days + 1))
    scale = 1 / 24 if step < timedelta(days=1) else 1
    after, until = issue.first_seen - step, issue.last_seen
    return [
        [seconds, int(rng.uniform(0.2, 1.8) * average * scale + 0.5) if after < start <= until else 0]
        for start, seconds in BUCKET_STARTS[period]
    ]


def issue_base(store: Store, issue: Issue) -> JSON:
    """The fields every group serializer returns (the single-issue PUT response schema)."""
    state = store.state[issue.id]
    project = store.data.project(issue.project_slug)
    org = store.data.organization
    return {
        "id": issue.id,
        "shareId": None,
        "shortId": issue.short_id,
        "title": issue.title,
        "culprit": issue.culprit,
        "permalink": f"{store.base_url}/organizations/{org.slug}/issues/{issue.id}/",
        "logger": "django.request" if issue.kind == "error" and issue.project_slug == "api" else None,
        "level": issue.level,
        "status": state.status,
        "statusDetails": dict(state.status_details),
        "substatus": state.substatus,
        "isPublic": state.is_public,
        "platform": store.event_platform(issue.project_slug),
        "priority": state.priority,
        "priorityLockedAt": iso(state.priority_locked_at) if state.priority_locked_at else None,
        "seerFixabilityScore": None,
        "seerAutofixLastTriggered": None,
        "seerExplorerAutofixLastTriggered": None,
        "project": {"id": project.id, "name": project.name, "slug": project.slug, "platform": project.platform},
        "type": EVENT_TYPES[issue.kind],
        "issueType": issue_type(issue),
        "issueCategory": issue_category(issue),
        "metadata": dict(issue.metadata),
        "numComments": sum(1 for a in state.activity if a["type"] == "note"),
        "assignedTo": assigned_to(store, state.assignee),
        "isBookmarked": state.is_bookmarked,
        "isSubscribed": state.is_subscribed,
        "subscriptionDetails": {"reason": "assigned"}
        if state.is_subscribed and state.assignee == f"user:{store.owner.id}"
        else None,
        "hasSeen": state.has_seen,
        "annotations": [],
        "isUnhandled": issue.error is not None and not issue.error.handled,
        "count": str(issue.count),
        "userCount": issue.user_count,
        "firstSeen": iso(issue.first_seen),
        "lastSeen": iso(issue.last_seen),
    }


def issue_stream(store: Store, issue: Issue, stats_period: str | None) -> JSON:
    """`GET /projects/{org}/{project}/issues/` rows; `stats` is empty when `statsPeriod=` (blank)."""
    record = issue_base(store, issue)
    record["stats"] = {stats_period: stats(issue, stats_period)} if stats_period else {}
    return record


def _inbox(store: Store, issue: Issue) -> JSON | None:
    state = store.state[issue.id]
    if not state.inbox:
        return None
    reason = {"new": 0, "regressed": 2, "escalating": 6}.get(state.substatus or "", 0)
    return {"reason": reason, "reason_details": None, "date_added": iso(issue.first_seen)}


def _owner(store: Store, issue: Issue) -> JSON:
    project = store.data.project(issue.project_slug)
    team = store.data.team(project.team_slug)
    return {"type": "ownershipRule", "owner": f"team:{team.id}", "date_added": iso(issue.first_seen)}


LIFETIME = ("count", "userCount", "firstSeen", "lastSeen")
"""The base group's totals that a row's `lifetime` repeats (the demo has no time-filtered counts)."""
SEEN_STATS = ("id", *LIFETIME, "isUnhandled")
"""What a row keeps of the base group under `collapse=base`."""


def issue_org_row(store: Store, issue: Issue, stats_period: str | None, collapse: frozenset[str] = frozenset()) -> JSON:
    """`GET /organizations/{org}/issues/` rows (the stream row plus lifetime, inbox, owners, ...).

    `collapse` leaves fields out as Sentry's `StreamGroupSerializerSnuba` does, without computing them: `stats`
    the time series and with it `lifetime`, `filtered` and `sessionCount`; `lifetime`, `filtered` and
    `unhandled` (`isUnhandled`) one each; `base` every base field but the seen stats.
    """
    record = issue_base(store, issue)
    if "base" in collapse:
        record = {key: record[key] for key in SEEN_STATS}
    if "unhandled" in collapse:
        del record["isUnhandled"]
    if "stats" not in collapse:
        record["stats"] = {stats_period: stats(issue, stats_period)} if stats_period else {}
        if "lifetime" not in collapse:
            record["lifetime"] = {key: record[key] for key in LIFETIME}
        if "filtered" not in collapse:
            record["filtered"] = None
        record["sessionCount"] = 0
    state = store.state[issue.id]
    record |= {
        "inbox": _inbox(store, issue) or {"reason": 0, "reason_details": None, "date_added": iso(issue.first_seen)},
        "owners": _owner(store, issue),
        "integrationIssues": [],
        "sentryAppIssues": [],
        "latestEventHasAttachments": False,
        "matchingEventId": None,
        "matchingEventEnvironment": None,
        "derivedData": {
            "blocker": "none",
            "progress": "not_started",
            "status": "open",
            "viewCount": 0,
            "hasOpenFixPr": False,
            "isAssigned": state.assignee is not None,
            "hasRootCause": False,
            "lastCompletedAutofixStep": "",
            "lastProgressedAt": None,
        },
    }
    return record


def issue_detail(store: Store, issue: Issue) -> JSON:
    """`GET /organizations/{org}/issues/{issue_id}/`: the base group plus activity, releases, tags, stats."""
    state = store.state[issue.id]
    events = store.events_of(issue)
    record = issue_base(store, issue)
    participants = []
    if state.assignee and state.assignee.startswith("user:"):
        member = store.data.member(state.assignee.removeprefix("user:"))
        participants = [user_record(member)] if member else []
    seen_by = [user_record(store.owner) | {"lastSeen": iso(issue.last_seen)}] if state.has_seen else []
    record |= {
        "activity": list(reversed(state.activity)),
        "seenBy": seen_by,
        "userReportCount": 1 if issue.kind == "feedback" else 0,
        "participants": participants,
        "firstRelease": release_ref(store, events[0].release),
        "lastRelease": release_ref(store, events[-1].release),
        "tags": [
            {"key": key, "name": tag_label(key), "totalValues": sum(s.count for s in values)}
            for key, values in tag_stats(store, issue).items()
        ],
        "stats": {"24h": stats(issue, "24h"), "30d": stats(issue, "30d")},
        "inbox": _inbox(store, issue),
        "owners": [_owner(store, issue)],
        "pluginActions": [],
        "pluginIssues": [],
        "pluginContexts": [],
        "sentryAppIssues": [],
        "integrationIssues": [],
        "latestEventHasAttachments": False,
    }
    return record
