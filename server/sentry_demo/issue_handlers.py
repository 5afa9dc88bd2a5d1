"""Handlers for issues: the project and organization issue lists (search, sort, `limit`, `X-Hits`,
event-id and short-id direct hits), issue detail and PUT, an issue's events (with `latest`,
`oldest`, `recommended`), and short-id resolution.
"""

from __future__ import annotations

import re
from typing import Any

from . import event_records, issue_records, mutations, search
from .handlers import get_issue, get_org, get_project, is_event_id, ok, paged
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .models import Event, Issue
from .params import environments, project_slugs, time_window
from .store import Store

ERR_PROJECT_STATS = "Invalid stats_period. Valid choices are '', '24h', and '14d'"
ERR_GROUP_STATS = "Invalid stats_period. Valid choices are '', '24h', '14d' and 'auto'"
_SHORT_ID = re.compile(r"^[A-Za-z0-9_.-]+-[A-Za-z0-9]+$")


def _direct_hit(
    store: Store, request: ApiRequest, query: str, pool: list[Issue] | tuple[Issue, ...]
) -> tuple[Issue, Event | None] | None:
    """An event id, or a short id with `shortIdLookup=1`, names one issue directly."""
    if is_event_id(query):
        event = store.event(query)
        issue = store.issue(event.issue_id) if event else None
        return (issue, event) if issue in pool and issue is not None else None
    if request.get("shortIdLookup") == "1" and _SHORT_ID.match(query):
        issue = store.issue(query)
        return (issue, None) if issue in pool and issue is not None else None
    return None


def _direct_hit_response(row: dict[str, Any], event: Event | None) -> ApiResponse:
    if event is not None:
        row |= {"matchingEventId": event.id, "matchingEventEnvironment": event.environment}
    return ApiResponse(200, [row], [("X-Sentry-Direct-Hit", "1")])


def _search(store: Store, request: ApiRequest, pool: list[Issue] | tuple[Issue, ...], query: str) -> list[Issue]:
    try:
        issues = search.matching(store, pool, query)
        wanted = environments(request)
        if wanted:
            issues = [i for i in issues if wanted & {e.environment for e in store.events_of(i)}]
        return search.sort_issues(store, issues, request.get("sort") or "date")
    except search.SearchError as exc:
        raise ApiError(400, str(exc)) from None


def list_project_issues(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    stats_period = request.get("statsPeriod")
    if stats_period not in (None, "", "24h", "14d"):
        raise ApiError(400, ERR_PROJECT_STATS)
    period = "24h" if stats_period is None else (stats_period or None)
    query = (request.get("query", "is:unresolved") or "").strip()
    pool = store.issues_of(project.slug)
    hit = _direct_hit(store, request, query, pool) if query else None
    if hit:
        return _direct_hit_response(issue_records.issue_stream(store, hit[0], period), hit[1])
    issues = _search(store, request, pool, query)
    return paged(
        store, request, issues, lambda i: issue_records.issue_stream(store, i, period), size_param="limit", hits=True
    )


def list_org_issues(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    group_period = request.get("groupStatsPeriod")
    if group_period not in (None, "", "24h", "14d", "auto"):
        raise ApiError(400, ERR_GROUP_STATS)
    period = {"auto": "24h", None: "24h"}.get(group_period, group_period) or None
    collapse = frozenset(request.getlist("collapse"))  # repeated, as Sentry's `request.GET.getlist` reads it
    slugs = project_slugs(store, request)
    pool = [i for i in store.all_issues() if slugs is None or i.project_slug in slugs]
    start, end = time_window(request, default=None)
    pool = [i for i in pool if (start is None or i.last_seen >= start) and (end is None or i.first_seen <= end)]
    query = (request.get("query", "is:unresolved") or "").strip()
    hit = _direct_hit(store, request, query, pool) if query else None
    if hit:
        return _direct_hit_response(issue_records.issue_org_row(store, hit[0], period, collapse), hit[1])
    issues = _search(store, request, pool, query)
    return paged(
        store,
        request,
        issues,
        lambda i: issue_records.issue_org_row(store, i, period, collapse),
        size_param="limit",
        hits=True,
    )


def get_issue_detail(store: Store, request: ApiRequest) -> ApiResponse:
    return ok(issue_records.issue_detail(store, get_issue(store, request)))


def update_issue(store: Store, request: ApiRequest) -> ApiResponse:
    issue = get_issue(store, request)
    mutations.update_issue(store, issue, request.json_body())
    return ok(issue_records.issue_detail(store, issue))


def list_issue_events(store: Store, request: ApiRequest) -> ApiResponse:
    issue = get_issue(store, request)
    full = request.get("full") in ("1", "true")
    events = list(reversed(store.events_of(issue)))
    environments = set(request.getlist("environment"))
    if environments:
        events = [e for e in events if e.environment in environments]

    def render(event: Event) -> dict[str, Any]:
        simple = event_records.event_simple(store, event, issue)
        return simple | event_records.event_full(store, event, issue) if full else simple

    return paged(store, request, events, render)


def get_issue_event(store: Store, request: ApiRequest) -> ApiResponse:
    issue = get_issue(store, request)
    events = store.events_of(issue)
    wanted = request.params["event_id"]
    if wanted in ("latest", "recommended"):
        event: Event | None = events[-1]
    elif wanted == "oldest":
        event = events[0]
    elif is_event_id(wanted):
        event = store.event(wanted)
    else:
        event = None
    if event is None or event.issue_id != issue.id:
        raise not_found()
    return ok(event_records.event_full(store, event, issue))


def resolve_short_id(store: Store, request: ApiRequest) -> ApiResponse:
    org = get_org(store, request)
    short_id = request.params["issue_id"]
    issue = store.issue(short_id) if _SHORT_ID.match(short_id) else None
    if issue is None:
        raise not_found()
    return ok(
        {
            "organizationSlug": org.slug,
            "projectSlug": issue.project_slug,
            "groupId": issue.id,
            "shortId": issue.short_id,
            "group": issue_records.issue_detail(store, issue),
        }
    )
