"""Handlers for the index, organizations, teams, projects and project events, plus the lookups and
list plumbing every handler shares (404s, the renamed-project 302, paged responses). Issue routes are
in `issue_handlers.py`, releases in `release_handlers.py`, the rest in modules named after them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from . import event_records, records, search
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .models import Event, Issue, Organization, Project, Release
from .pagination import link_header, paginate, parse_cursor, parse_per_page
from .store import Store

T = TypeVar("T")
EVENT_ID_CHARS = frozenset("0123456789abcdef")


# --- shared lookups ---


def get_org(store: Store, request: ApiRequest) -> Organization:
    org = store.organization(request.params["org"])
    if org is None:
        raise not_found()
    return org


def get_project(store: Store, request: ApiRequest) -> Project:
    """The project in the path; an old slug answers Sentry's 302 `resource-moved`."""
    org = get_org(store, request)
    slug = request.params["project"]
    project = store.project(slug)
    if project is not None:
        return project
    new_slug = store.renamed_project(slug)
    if new_slug is None:
        raise not_found()
    old = f"projects/{quote(request.params['org'])}/{quote(slug)}/"
    new = f"projects/{org.slug}/{new_slug}/"
    url = request.raw_path.replace(old, new, 1) + (f"?{request.query_string}" if request.query_string else "")
    raise ApiError(
        302,
        body={
            "detail": {
                "code": "resource-moved",
                "message": "Resource has been moved",
                "extra": {"url": url, "slug": new_slug},
            }
        },
    )


def get_issue(store: Store, request: ApiRequest) -> Issue:
    get_org(store, request)
    issue = store.issue(request.params["issue_id"])
    if issue is None:
        raise not_found()
    return issue


def get_release(store: Store, request: ApiRequest) -> Release:
    get_org(store, request)
    release = store.release(request.params["version"])
    if release is None:
        raise not_found()
    return release


def is_event_id(text: str) -> bool:
    compact = text.lower().replace("-", "")
    return len(compact) == 32 and set(compact) <= EVENT_ID_CHARS


def paged(
    store: Store,
    request: ApiRequest,
    items: Sequence[T],
    render: Callable[[T], Any],
    *,
    size_param: str = "per_page",
    hits: bool = False,
) -> ApiResponse:
    """A list response with Sentry's `Link` header (and `X-Hits` on issue lists)."""
    per_page = parse_per_page(request, size_param)
    page = paginate(items, parse_cursor(request.get("cursor")), per_page)
    headers = [("Link", link_header(store.base_url, request.raw_path, request.query, page))]
    if hits:
        headers += [("X-Hits", str(page.total)), ("X-Max-Hits", "1000")]
    return ApiResponse(200, [render(item) for item in page.items], headers)


def ok(body: Any) -> ApiResponse:
    return ApiResponse(200, body)


# --- index, organizations, teams, projects ---


def index(store: Store, request: ApiRequest) -> ApiResponse:
    if request.token is None:
        return ok({"version": "0", "auth": None, "user": None})
    return ok({"version": "0", "auth": {"scopes": sorted(request.scopes)}, "user": records.user_record(store.owner)})


def list_organizations(store: Store, request: ApiRequest) -> ApiResponse:
    needle = (request.get("query") or "").strip().lower().removeprefix("slug:")
    orgs = [o for o in [store.data.organization] if needle in o.slug or needle in o.name.lower()]
    return paged(store, request, orgs, lambda _: records.org_summary(store))


def get_organization(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    return ok(records.org_detail(store, detailed=request.get("detailed") != "0"))


def list_teams(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    query = (request.get("query") or "").lower()
    teams = [t for t in store.data.teams if query in t.slug or query in t.name.lower()]
    return paged(store, request, teams, lambda t: records.team_record(store, t))


def list_org_projects(store: Store, request: ApiRequest) -> ApiResponse:
    """`query`: free text (substring of name or slug) and `id:`, `slug:`, `team:`, `platform:` filters."""
    get_org(store, request)
    terms, text = search.parse(request.get("query") or "")
    needle = text.lower()
    projects = [p for p in store.data.projects if needle in p.slug or needle in p.name.lower()]
    fields: dict[str, Callable[[Project], str]] = {
        "id": lambda p: p.id,
        "slug": lambda p: p.slug,
        "team": lambda p: p.team_slug,
        "platform": lambda p: p.platform,
    }
    for term in terms:
        get = fields.get(term.key)
        if get is None:
            continue
        projects = [p for p in projects if (get(p) in term.values) != term.negated]
    return paged(store, request, projects, lambda p: records.project_summary(store, p))


def list_projects(store: Store, request: ApiRequest) -> ApiResponse:
    return paged(store, request, list(store.data.projects), lambda p: records.project_legacy(store, p))


def get_project_detail(store: Store, request: ApiRequest) -> ApiResponse:
    from .management import project_settings  # what a PUT changed beside the record

    project = get_project(store, request)
    return ok(records.project_detail(store, project) | project_settings(store, project))


# --- project events ---


def _project_events(store: Store, project: Project) -> list[Event]:
    """Error-dataset events of a project, newest first (Sentry's project events list is errors only)."""
    events = [e for i in store.issues_of(project.slug) if i.kind in ("error", "csp") for e in store.events_of(i)]
    return sorted(events, key=lambda e: (e.timestamp, e.id), reverse=True)


def list_project_events(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    full = bool(request.get("full"))  # Sentry tests truthiness: any non-empty value, even "false"
    events = _project_events(store, project)
    query = (request.get("query") or "").lower()
    if query:
        events = [e for e in events if query in _issue_of(store, e).title.lower()]

    def render(event: Event) -> dict[str, Any]:
        issue = _issue_of(store, event)
        simple = event_records.event_simple(store, event, issue)
        return simple | event_records.event_full(store, event, issue) if full else simple

    return paged(store, request, events, render)


def _issue_of(store: Store, event: Event) -> Issue:
    issue = store.issue(event.issue_id)
    assert issue is not None
    return issue


def get_project_event(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    event_id = request.params["event_id"]
    event = store.event(event_id) if is_event_id(event_id) else None
    if event is None or event.project_slug != project.slug:
        raise not_found()
    return ok(event_records.event_full(store, event, _issue_of(store, event)))
