"""Handlers for tags: an issue's tag keys (`.../issues/{id}/tags/`), one key with its top values
(`.../tags/{key}/`), all values of a key (`.../tags/{key}/values/`, paginated, `sort`), and the
organization's tag keys (`/organizations/{org}/tags/`). The numbers come from `tag_stats.py`.
"""

from __future__ import annotations

from . import replay_data
from .event_records import event_tags
from .handlers import get_issue, get_org, ok, paged
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .params import environments, in_window, project_slugs, time_window
from .store import Store
from .tag_stats import ValueStat, event_weights, key_record, tag_label, tag_stats, value_record

SORTS = {"age": "first_seen", "count": "count", "date": "last_seen", "id": "ordinal"}
DATASET_KINDS: dict[str, tuple[str, ...]] = {
    "events": ("error", "csp", "performance", "feedback"),
    "discover": ("error", "csp", "performance", "feedback"),
    "errors": ("error", "csp"),
    "search_issues": ("performance", "feedback"),
}
REPLAY_TAG_KEYS = ("browser.name", "environment", "os.name", "release", "url", "user.email")


def _issue_key(store: Store, request: ApiRequest) -> tuple[str, list[ValueStat]]:
    issue = get_issue(store, request)
    key = request.params["key"]
    values = tag_stats(store, issue, environments(request)).get(key)
    if not values:
        raise not_found()
    return key, values


def list_issue_tags(store: Store, request: ApiRequest) -> ApiResponse:
    issue = get_issue(store, request)
    stats = tag_stats(store, issue, environments(request))
    return ok([key_record(key, values) for key, values in stats.items()])


def get_issue_tag(store: Store, request: ApiRequest) -> ApiResponse:
    key, values = _issue_key(store, request)
    return ok(key_record(key, values))


def list_issue_tag_values(store: Store, request: ApiRequest) -> ApiResponse:
    """Sorted by `sort` (`age`, `count`, `date`, `id`; `-` = descending; default `-id`)."""
    key, values = _issue_key(store, request)
    sort = request.get("sort") or "-id"
    attr = SORTS.get(sort.lstrip("-"))
    if attr is None:
        choices = ", ".join(sorted([*SORTS, *(f"-{s}" for s in SORTS)]))
        raise ApiError(400, f"Invalid sort parameter. Please use one of: {choices}")
    ordered = sorted(values, key=lambda s: (getattr(s, attr), s.ordinal), reverse=sort.startswith("-"))
    return paged(store, request, ordered, lambda s: value_record(key, s))


def list_org_tags(store: Store, request: ApiRequest) -> ApiResponse:
    """Tag keys seen in the window (`project`, `environment`, `statsPeriod`/`start`/`end`, `dataset`)."""
    get_org(store, request)
    slugs = project_slugs(store, request, slugs_ok=True)
    wanted = environments(request)
    start, end = time_window(request)
    dataset = request.get("dataset") or "events"
    if dataset not in DATASET_KINDS and dataset != "replays":
        raise ApiError(400, f"Invalid dataset parameter: {dataset!r}")
    totals: dict[str, int] = {}
    if dataset == "replays":
        if slugs is None or replay_data.REPLAY_PROJECT in slugs:
            for replay in replay_data.replays():
                if in_window(replay.started_at, start, end) and (not wanted or replay.environment in wanted):
                    for key in REPLAY_TAG_KEYS:
                        totals[key] = totals.get(key, 0) + 1
    else:
        kinds = DATASET_KINDS[dataset]
        for issue in store.all_issues():
            if issue.kind not in kinds or (slugs is not None and issue.project_slug not in slugs):
                continue
            events = store.events_of(issue)
            weights = event_weights(issue, events)
            for event in events:
                if in_window(event.timestamp, start, end) and (not wanted or event.environment in wanted):
                    for tag in event_tags(event, issue):
                        totals[tag["key"]] = totals.get(tag["key"], 0) + weights[event.id]
    return ok([{"key": k, "name": tag_label(k), "totalValues": totals[k]} for k in sorted(totals)])
