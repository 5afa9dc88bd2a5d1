"""Handlers for session replays (data in `replay_data.py`): `/organizations/{org}/replays/` answers
`{"data": [...]}` (filters `project`, `environment`, time window, `query`; `sort`; `field` picks the
keys; `per_page`/`cursor` with a `Link` header) and `.../replays/{replay_id}/` answers `{"data": {...}}`
for the 32-hex id or its dashed uuid form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .dataset import dataset
from .handlers import get_org, ok
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .models import iso
from .pagination import link_header, paginate, parse_cursor, parse_per_page
from .params import in_window, project_slugs, time_window
from .replay_data import REPLAY_PROJECT, Replay, replays
from .search import parse
from .store import Store

JSON = dict[str, Any]
SORTS = (
    "started_at",
    "finished_at",
    "duration",
    "count_errors",
    "count_dead_clicks",
    "count_rage_clicks",
    "count_urls",
    "activity",
    "user.email",
)
QUERY_KEYS: dict[str, Callable[[JSON], Any]] = {
    "user.email": lambda r: r["user"]["email"],
    "user.id": lambda r: r["user"]["id"],
    "user.display_name": lambda r: r["user"]["display_name"],
    "browser.name": lambda r: r["browser"]["name"],
    "os.name": lambda r: r["os"]["name"],
    "release": lambda r: r["releases"],
    "environment": lambda r: r["environment"],
    "url": lambda r: r["urls"],
    "error_ids": lambda r: r["error_ids"],
    "replay_type": lambda r: r["replay_type"],
}
NUMERIC_KEYS = ("count_errors", "count_dead_clicks", "count_rage_clicks", "count_urls", "duration", "activity")


def replay_record(replay: Replay) -> JSON:
    project = dataset().project(REPLAY_PROJECT)
    name, version, os_name, os_version = replay.browser
    mobile = os_name == "iOS"
    country, city, region = replay.user.geo
    return {
        "id": replay.id,
        "project_id": project.id,
        "trace_ids": list(replay.trace_ids),
        "error_ids": list(replay.error_ids),
        "environment": replay.environment,
        "tags": {
            "browser.name": [name],
            "os.name": [os_name],
            "environment": [replay.environment],
            "release": [replay.release] if replay.release else [],
            "sdk.name": ["sentry.javascript.react"],
        },
        "user": {
            "id": replay.user.id,
            "username": None,
            "email": replay.user.email,
            "ip": replay.user.ip_address,
            "display_name": replay.user.email,
            "geo": {"city": city, "country_code": country, "region": region, "subdivision": region},
        },
        "sdk": {"name": "sentry.javascript.react", "version": "8.47.0"},
        "os": {"name": os_name, "version": os_version},
        "browser": {"name": name, "version": version},
        "device": {
            "name": "iPhone" if mobile else None,
            "brand": "Apple" if mobile else None,
            "model": "iPhone" if mobile else None,
            "family": "iOS" if mobile else "Other",
        },
        "ota_updates": {"channel": None, "runtime_version": None, "update_id": None},
        "is_archived": False,
        "urls": list(replay.urls),
        "clicks": [],
        "count_dead_clicks": replay.dead_clicks,
        "count_rage_clicks": replay.rage_clicks,
        "count_errors": len(replay.error_ids),
        "duration": replay.duration,
        "finished_at": iso(replay.finished_at),
        "started_at": iso(replay.started_at),
        "activity": min(10, 1 + len(replay.error_ids) * 2 + replay.rage_clicks * 2 + len(replay.urls) // 2),
        "count_urls": len(replay.urls),
        "replay_type": replay.replay_type,
        "count_segments": replay.duration // 5 + 1,
        "platform": "javascript",
        "releases": [replay.release] if replay.release else [],
        "dist": None,
        "count_warnings": replay.warnings,
        "count_infos": replay.infos,
        "has_viewed": replay.has_viewed,
    }


def _matches(record: JSON, key: str, values: tuple[str, ...]) -> bool:
    if key in NUMERIC_KEYS:
        return any(_number_matches(record[key], v) for v in values)
    getter = QUERY_KEYS.get(key)
    if getter is None:
        raise ApiError(400, f"Invalid field: {key}")
    actual = getter(record)
    actual_values = [str(a) for a in actual] if isinstance(actual, list) else [str(actual)]
    return any(v in actual_values for v in values)


def _number_matches(actual: int, raw: str) -> bool:
    op = next((o for o in (">=", "<=", ">", "<") if raw.startswith(o)), "")
    try:
        target = float(raw[len(op) :].rstrip("s"))
    except ValueError:
        raise ApiError(400, f"Invalid number: {raw}") from None
    return {">=": actual >= target, "<=": actual <= target, ">": actual > target, "<": actual < target}.get(
        op, actual == target
    )


def list_replays(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    slugs = project_slugs(store, request, slugs_ok=True)
    start, end = time_window(request)
    wanted_env = set(request.getlist("environment"))
    records = [
        replay_record(r)
        for r in replays()
        if (slugs is None or REPLAY_PROJECT in slugs)
        and in_window(r.started_at, start, end)
        and (not wanted_env or r.environment in wanted_env)
    ]
    terms, text = parse(request.get("query") or "")
    if text:
        needle = text.lower()
        records = [r for r in records if needle in r["user"]["email"].lower() or any(needle in u for u in r["urls"])]
    for term in terms:
        records = [r for r in records if _matches(r, term.key, term.values) != term.negated]
    sort = request.get("sort") or request.get("orderBy") or request.get("sortBy") or "-started_at"
    if sort.lstrip("-") not in SORTS:
        raise ApiError(400, body={"sort": [f'"{sort}" is not a valid choice.']})
    key = sort.lstrip("-")
    records.sort(key=lambda r: r["user"]["email"] if key == "user.email" else r[key], reverse=sort.startswith("-"))
    fields = request.getlist("field")
    unknown = [f for f in fields if f not in replay_record(replays()[0])]
    if unknown:
        raise ApiError(400, body={"field": [f'"{unknown[0]}" is not a valid choice.']})
    page = paginate(records, parse_cursor(request.get("cursor")), parse_per_page(request))
    data = [{k: v for k, v in r.items() if not fields or k in fields} for r in page.items]
    headers = [("Link", link_header(store.base_url, request.raw_path, request.query, page))]
    return ApiResponse(200, {"data": data}, headers)


def get_replay(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    wanted = request.params["replay_id"].lower().replace("-", "")
    replay = next((r for r in replays() if r.id == wanted), None)
    if replay is None:
        raise not_found()
    return ok({"data": replay_record(replay)})
