"""`GET /organizations/{org}/stats_v2/`: what Sentry accepted, filtered, rate-limited or dropped, per
project, data category, outcome and reason, as hourly series over the demo's last 30 days.

Accepted errors follow the issues (each issue's `count` spread over its lifetime), so a client that adds
up issue counts and one that reads stats see the same story; other categories follow daily traffic
curves. Web had a rate-limit burst six days before "now". Errors are Sentry's `{"detail": ...}` 400s.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Sequence
from datetime import timedelta
from itertools import accumulate
from typing import Any

from .dataset import REFERENCE_TIME, dataset
from .handlers import get_org, ok
from .http import ApiError, ApiRequest, ApiResponse
from .models import iso
from .params import Buckets, buckets, fields_and_group_by, project_slugs
from .store import Store
from .tables import load

HOURS = 30 * 24
START = REFERENCE_TIME - timedelta(hours=HOURS)
"""Hour 0 of the series (the reference time is on the hour)."""
FIELDS = ("sum(quantity)", "sum(times_seen)")
GROUP_BY = ("outcome", "category", "reason", "project")
CATEGORIES = ("error", "transaction", "span", "attachment", "replay", "profile", "monitor")
OUTCOMES = ("accepted", "filtered", "rate_limited", "invalid", "abuse", "client_discard", "cardinality_limited")
_TABLES = load("outcomes")
TRAFFIC: dict[str, dict[str, int]] = _TABLES["traffic"]
"""Category -> project -> accepted items per hour at the daily peak (errors come from the issues)."""
ATTACHMENT_BYTES = 180_000
DROPS: dict[str, tuple[tuple[str, str, float], ...]] = {
    category: tuple((d["outcome"], d["reason"], d["share"]) for d in drops)
    for category, drops in _TABLES["drops"].items()
}
"""Category -> (outcome, reason, share of accepted)."""
Key = tuple[str, str, str, str]
"""(project slug, category, outcome, reason)."""


def _daily_curve(hour_index: int) -> float:
    hour = (START.hour + hour_index) % 24
    return 0.55 + 0.45 * math.sin(2 * math.pi * (hour - 9) / 24)


@functools.cache
def series() -> dict[Key, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Hourly (times_seen, quantity) per key, hour 0 = 30 days before "now"; prefix sums for fast buckets."""
    data = dataset()
    raw: dict[Key, list[float]] = {}
    for issue in data.issues:
        first = max(0, int((issue.first_seen - START).total_seconds() // 3600))
        last = min(HOURS - 1, int((issue.last_seen - START).total_seconds() // 3600))
        share = issue.count / (last - first + 1)
        values = raw.setdefault((issue.project_slug, "error", "accepted", "none"), [0.0] * HOURS)
        for hour in range(first, last + 1):
            values[hour] += share
    for category, projects in TRAFFIC.items():
        for slug, peak in projects.items():
            rng = random.Random(f"outcomes:{slug}:{category}")
            raw[(slug, category, "accepted", "none")] = [
                peak * _daily_curve(h) * rng.uniform(0.8, 1.2) for h in range(HOURS)
            ]
    for (slug, category, _, _), accepted in list(raw.items()):
        for outcome, reason, share in DROPS.get(category, ()):
            raw[(slug, category, outcome, reason)] = [v * share for v in accepted]
    web_errors = raw[("web", "error", "accepted", "none")]
    burst = range(HOURS - 6 * 24 + 2, HOURS - 6 * 24 + 6)
    raw[("web", "error", "rate_limited", "key_quota")] = [
        (4 * web_errors[h] + 1500) if h in burst else 0.0 for h in range(HOURS)
    ]
    out = {}
    for key, values in raw.items():
        counts = [round(v) for v in values]
        sizes = [c * ATTACHMENT_BYTES for c in counts] if key[1] == "attachment" else counts
        out[key] = (tuple(accumulate(counts, initial=0)), tuple(accumulate(sizes, initial=0)))
    return out


def _bucket_sums(prefix: Sequence[int], window: Buckets) -> list[int]:
    """Sum the hourly values falling in each bucket (hours outside the 30 days count as zero)."""
    sums = []
    step = window.interval // 3600
    for bucket_start in window.starts:
        first = int((bucket_start - START).total_seconds() // 3600)
        lo, hi = max(0, first), min(HOURS, first + step)
        sums.append(prefix[hi] - prefix[lo] if hi > lo else 0)
    return sums


def _choice(request: ApiRequest, name: str, choices: Sequence[str]) -> str | None:
    value = request.get(name)
    if value is not None and value not in choices:
        raise ApiError(400, f'Invalid {name}: "{value}"')
    return value


def get_stats(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    fields, group_by = fields_and_group_by(request, FIELDS, GROUP_BY)
    category = _choice(request, "category", CATEGORIES)
    outcome = _choice(request, "outcome", OUTCOMES)
    reason = request.get("reason")
    if category is None and "category" not in group_by:
        raise ApiError(400, "Query must have category as groupby or filter")
    window = buckets(request)
    slugs = project_slugs(store, request)
    ids = {p.slug: int(p.id) for p in store.data.projects}
    groups: dict[tuple[Any, ...], dict[str, list[int]]] = {}
    for (slug, cat, out, why), (times, sizes) in series().items():
        if (slugs is not None and slug not in slugs) or (category and cat != category) or (outcome and out != outcome):
            continue
        if reason and why != reason:
            continue
        dims = {"project": ids[slug], "category": cat, "outcome": out, "reason": why}
        key = tuple(dims[g] for g in group_by)
        target = groups.setdefault(key, {name: [0] * len(window.starts) for name in fields})
        for name in fields:
            sums = _bucket_sums(sizes if name == "sum(quantity)" else times, window)
            target[name] = [a + b for a, b in zip(target[name], sums, strict=True)]
    rows = []
    for key in sorted(groups, key=lambda k: tuple(str(v) for v in k)):
        values = groups[key]
        totals = {name: sum(values[name]) for name in fields}
        if any(totals.values()):
            rows.append({"by": dict(zip(group_by, key, strict=True)), "totals": totals, "series": values})
    return ok({"start": iso(window.start), "end": iso(window.end), "intervals": window.labels(), "groups": rows})
