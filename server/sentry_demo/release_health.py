"""`GET /organizations/{org}/sessions/` (release health): sessions, users and crash rates of the
projects that send sessions (`web`, `ios`), hourly over the demo's last 30 days.

Each hour's sessions go to the release live in each environment: in production the newest release
deployed there takes over within 12 hours of its deploy, staging runs the newest staging deploy at a
twentieth of the traffic, development the newest build at a hundredth. `frontend@2.4.0` is the bad
release: about 3% of its sessions crash, against well under 1% for the others.
"""

from __future__ import annotations

import functools
import math
import random
from datetime import datetime, timedelta
from typing import Any

from .dataset import REFERENCE_TIME, SESSION_PROJECTS, dataset
from .handlers import get_org
from .http import ApiError, ApiRequest, ApiResponse
from .models import Release, iso
from .pagination import link_header, paginate, parse_cursor, parse_per_page
from .params import Buckets, buckets, environments, fields_and_group_by, project_slugs
from .search import parse
from .store import Store
from .tables import load

HOURS = 30 * 24
START = REFERENCE_TIME - timedelta(hours=HOURS)
_TABLES = load("releases")
BAD_RELEASE: str = _TABLES["bad_release"]
PEAK_SESSIONS: dict[str, int] = _TABLES["peak_sessions"]
ENV_SHARE: dict[str, float] = _TABLES["environment_share"]
RAMP = timedelta(hours=12)
USERS_PER_SESSION = 0.42
STATUSES = ("healthy", "errored", "crashed", "abnormal")


def _shares(row: dict[str, float]) -> tuple[float, float, float]:
    return row["crashed"], row["errored"], row["abnormal"]


HEALTH = {version: _shares(row) for version, row in _TABLES["health"].items()}
"""Release -> (crashed, errored, abnormal) shares of its sessions (`data/releases.json`)."""
DEFAULT_HEALTH = _shares(_TABLES["default_health"])
FIELDS = ("sum(session)", "count_unique(user)", "crash_free_rate(session)", "crash_free_rate(user)")
RATE_FIELDS = ("crash_free_rate(session)", "crash_free_rate(user)", "crash_rate(session)", "crash_rate(user)")
GROUP_BY = ("project", "release", "environment", "session.status")
QUERY_KEYS = ("release", "environment", "project", "session.status")
Key = tuple[str, str, str]
"""(project slug, release, environment)."""


def _live(releases: list[Release], env: str, when: datetime) -> list[tuple[str, float]]:
    """(release, share) pairs live in an environment at a moment."""
    if env == "development":
        built = [r for r in releases if r.date_created <= when]
        return [(built[-1].version, 1.0)] if built else []
    deployed = sorted(
        (d.date_finished, r.version)
        for r in releases
        for d in r.deploys
        if d.environment == env and d.date_finished <= when
    )
    if not deployed:
        return []
    latest_at, latest = deployed[-1]
    ramp = min(1.0, (when - latest_at) / RAMP)
    if ramp >= 1.0 or len(deployed) < 2:
        return [(latest, 1.0)]
    return [(latest, ramp), (deployed[-2][1], 1.0 - ramp)]


@functools.cache
def series() -> dict[Key, dict[str, list[float]]]:
    """Hourly sessions by status per (project, release, environment), hour 0 = 30 days before "now"."""
    data = dataset()
    out: dict[Key, dict[str, list[float]]] = {}
    for slug in SESSION_PROJECTS:
        releases = [r for r in data.releases if slug in r.project_slugs]
        rng = random.Random(f"sessions:{slug}")
        for hour in range(HOURS):
            when = START + timedelta(hours=hour, minutes=30)
            volume = PEAK_SESSIONS[slug] * (0.55 + 0.45 * math.sin(2 * math.pi * (when.hour - 9) / 24))
            volume *= rng.uniform(0.85, 1.15)
            jitter = rng.uniform(0.6, 1.4)
            for env, env_share in ENV_SHARE.items():
                for version, share in _live(releases, env, when):
                    statuses = out.setdefault((slug, version, env), {s: [0.0] * HOURS for s in STATUSES})
                    for status, value in _status_split(version, volume * env_share * share, jitter).items():
                        statuses[status][hour] += value
    return out


def _status_split(version: str, sessions: float, jitter: float) -> dict[str, float]:
    crashed, errored, abnormal = (share * jitter for share in HEALTH.get(version, DEFAULT_HEALTH))
    return {
        "healthy": sessions * (1 - crashed - errored - abnormal),
        "errored": sessions * errored,
        "crashed": sessions * crashed,
        "abnormal": sessions * abnormal,
    }


def _sums(values: list[float], window: Buckets) -> list[float]:
    step = window.interval // 3600
    out = []
    for bucket_start in window.starts:
        first = int((bucket_start - START).total_seconds() // 3600)
        out.append(sum(values[max(0, first) : max(0, min(HOURS, first + step))]))
    return out


def _value(field: str, status: dict[str, float], total_users: float | None = None) -> float | int | None:
    sessions = sum(status.values())
    users = total_users if total_users is not None else sessions * USERS_PER_SESSION
    if field == "sum(session)":
        return round(sessions)
    if field == "count_unique(user)":
        return round(users)
    if sessions < 0.5:
        return None
    if field.endswith("(session)"):
        rate = status["crashed"] / sessions
    else:  # a crashed user is one of ~0.42 users per session; a few crash twice
        rate = min(1.0, status["crashed"] * 0.85 / (sessions * USERS_PER_SESSION))
    return round(1 - rate if field.startswith("crash_free") else rate, 6)


def _filters(request: ApiRequest) -> list[tuple[str, set[str], bool]]:
    terms, text = parse(request.get("query") or "")
    if text:
        raise ApiError(400, f"Invalid query: free text is not supported ({text!r})")
    filters = []
    for term in terms:
        if term.key not in QUERY_KEYS:
            raise ApiError(400, f"Invalid search filter: {term.key}")
        filters.append((term.key, set(term.values), term.negated))
    return filters


def query_sessions(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    fields, group_by = fields_and_group_by(request, (*FIELDS, *RATE_FIELDS), GROUP_BY)
    if "session.status" in group_by:
        for name in fields:
            if name in RATE_FIELDS:
                raise ApiError(400, f"Cannot group field {name} by session.status")
    window = buckets(request)
    slugs = project_slugs(store, request, slugs_ok=True)
    wanted = environments(request)
    filters = _filters(request)
    ids = {p.slug: p.id for p in store.data.projects}
    split = "session.status" in group_by or any(k == "session.status" for k, _, _ in filters)
    statuses = STATUSES if split else ("",)
    groups: dict[tuple[Any, ...], list[dict[str, list[float]]]] = {}
    for (slug, version, env), hourly in series().items():
        if (slugs is not None and slug not in slugs) or (wanted and env not in wanted):
            continue
        for status in statuses:
            dims = {"project": ids[slug], "release": version, "environment": env, "session.status": status}
            if not all((dims[k] in v or (k == "project" and slug in v)) != neg for k, v, neg in filters if k in dims):
                continue
            sums = {s: _sums(hourly[s], window) if status in ("", s) else [0.0] * len(window.starts) for s in STATUSES}
            key = tuple(int(dims[g]) if g == "project" else dims[g] for g in group_by)
            groups.setdefault(key, []).append(sums)
    rows = [row for key, parts in groups.items() if (row := _group(group_by, key, parts, fields, window))]
    rows = _order(rows, request.get("orderBy"), fields)
    page = paginate(rows, parse_cursor(request.get("cursor")), parse_per_page(request))
    include_totals, include_series = request.get("includeTotals") != "0", request.get("includeSeries") != "0"
    for row in page.items:
        row["totals"] = row["totals"] if include_totals else {}
        row["series"] = row["series"] if include_series else {}
    body = {
        "start": iso(window.start),
        "end": iso(window.end),
        "intervals": window.labels() if include_series else [],
        "groups": page.items,
        "query": request.get("query") or "",
    }
    return ApiResponse(200, body, [("Link", link_header(store.base_url, request.raw_path, request.query, page))])


def _group(
    group_by: list[str], key: tuple[Any, ...], parts: list[dict[str, list[float]]], fields: list[str], window: Buckets
) -> dict[str, Any] | None:
    """One group's totals and series; None when it had no sessions in the window."""
    size = len(window.starts)
    per_bucket = [{s: sum(p[s][n] for p in parts) for s in STATUSES} for n in range(size)]
    total = {s: sum(b[s] for b in per_bucket) for s in STATUSES}
    if sum(total.values()) < 0.5:
        return None
    busy = sum(1 for b in per_bucket if sum(b.values()) >= 0.5)
    total_users = sum(total.values()) * USERS_PER_SESSION * (0.6 if busy > 1 else 1.0)
    return {
        "by": dict(zip(group_by, key, strict=True)),
        "totals": {f: _value(f, total, total_users) for f in fields},
        "series": {f: [_value(f, b) for b in per_bucket] for f in fields},
    }


def _order(rows: list[dict[str, Any]], order_by: str | None, fields: list[str]) -> list[dict[str, Any]]:
    rows.sort(key=lambda r: tuple(str(v) for v in r["by"].values()))
    if not order_by:
        return rows
    name = order_by.lstrip("-")
    if name not in fields:
        raise ApiError(400, "'orderBy' must be one of the provided 'fields'")
    present = [r for r in rows if r["totals"].get(name) is not None]
    missing = [r for r in rows if r["totals"].get(name) is None]
    return sorted(present, key=lambda r: r["totals"][name], reverse=order_by.startswith("-")) + missing
