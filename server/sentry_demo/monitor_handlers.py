"""Handlers for cron monitors (records in `monitor_records.py`): `/organizations/{org}/monitors/` (list:
`project`, `environment`, `owner`, `query`), `.../monitors/{id_or_slug}/` and `.../checkins/` (newest
first, paginated), plus the project-scoped twins under `/projects/{org}/{project}/monitors/`.
"""

from __future__ import annotations

from .handlers import get_org, get_project, ok, paged
from .http import ApiRequest, ApiResponse, not_found
from .monitor_records import MONITORS, Monitor, checkin_record, checkins, monitor_record
from .params import environments, in_window, project_slugs, time_window
from .store import Store


def _sort_key(monitor: Monitor) -> tuple[bool, bool, str]:
    return monitor.muted, not monitor.failing, monitor.name


def list_monitors(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    slugs = project_slugs(store, request)
    wanted = environments(request)
    owner = request.get("owner")
    query = (request.get("query") or "").lower()
    found = [
        m
        for m in sorted(MONITORS, key=_sort_key)
        if (slugs is None or m.project_slug in slugs)
        and (not wanted or wanted & set(m.environments))
        and (not owner or m.owner == owner or (owner == "me" and m.owner == f"user:{store.owner.id}"))
        and (query in m.name.lower() or query in m.slug)
    ]
    return paged(store, request, found, lambda m: monitor_record(store, m, wanted))


def _monitor(store: Store, request: ApiRequest, project_slug: str | None = None) -> Monitor:
    wanted = request.params["monitor"]
    monitor = next((m for m in MONITORS if wanted in (m.slug, m.guid)), None)
    if monitor is None or (project_slug is not None and monitor.project_slug != project_slug):
        raise not_found()
    return monitor


def get_monitor(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    return ok(monitor_record(store, _monitor(store, request), environments(request)))


def get_project_monitor(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    return ok(monitor_record(store, _monitor(store, request, project.slug), environments(request)))


def _checkins(store: Store, request: ApiRequest, monitor: Monitor) -> ApiResponse:
    wanted = environments(request)
    start, end = time_window(request, default=None)
    found = [
        c
        for c in checkins(monitor.slug)
        if (not wanted or c.environment in wanted) and in_window(c.expected, start, end)
    ]
    return paged(store, request, found, lambda c: checkin_record(monitor, c))


def list_checkins(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    return _checkins(store, request, _monitor(store, request))


def list_project_checkins(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    return _checkins(store, request, _monitor(store, request, project.slug))
