"""Query parameters many routes share, parsed the way Sentry parses them: the time window (`statsPeriod`
or `start`+`end`, relative to the demo's fixed "now"), time-series buckets (`interval`, rounded like
Sentry's `get_constrained_date_range`), the `project` / `environment` filters, and the `field` / `groupBy`
lists of the stats endpoints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .dataset import REFERENCE_TIME
from .http import NO_PERMISSION, ApiError, ApiRequest
from .models import iso

if TYPE_CHECKING:
    from .store import Store

PERIOD = re.compile(r"^(\d+)([smhdw]?)$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "seconds"}
DEFAULT_PERIOD = timedelta(days=14)
"""Sentry's `DEFAULT_STATS_PERIOD`: the window when a request names none."""
MAX_POINTS = 10000
HOUR, DAY = 3600, 86400


def parse_duration(text: str, name: str = "statsPeriod") -> timedelta:
    match = PERIOD.match(text.strip())
    if not match:
        raise ApiError(400, f"Invalid {name}: {text!r}")
    return timedelta(**{UNITS[match[2]]: int(match[1])})


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 (naive means UTC) or epoch seconds."""
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise ApiError(400, f"{text} is not a valid ISO8601 date query") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def time_window(
    request: ApiRequest, default: timedelta | None = DEFAULT_PERIOD
) -> tuple[datetime | None, datetime | None]:
    """`statsPeriod` wins over `start`/`end`; neither gives `default` before now (or no bounds if None)."""
    period = request.get("statsPeriod")
    if period:
        return REFERENCE_TIME - parse_duration(period), REFERENCE_TIME
    start_text, end_text = request.get("start"), request.get("end")
    if start_text or end_text:
        if not (start_text and end_text):
            raise ApiError(400, "start and end are both required")
        start, end = parse_timestamp(start_text), parse_timestamp(end_text)
        if start > end:
            raise ApiError(400, "start must be before end")
        return start, end
    if default is None:
        return None, None
    return REFERENCE_TIME - default, REFERENCE_TIME


def in_window(when: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or when >= start) and (end is None or when <= end)


@dataclass(frozen=True)
class Buckets:
    """A rounded time range cut into equal intervals (what `/stats_v2/` and `/sessions/` answer over)."""

    start: datetime
    end: datetime
    interval: int
    """Seconds."""

    @property
    def starts(self) -> list[datetime]:
        count = int((self.end - self.start).total_seconds()) // self.interval
        return [self.start + timedelta(seconds=self.interval * n) for n in range(count)]

    def index(self, when: datetime) -> int | None:
        """The bucket `when` falls in, or None outside the range."""
        if not self.start <= when < self.end:
            return None
        return int((when - self.start).total_seconds()) // self.interval

    def labels(self) -> list[str]:
        return [iso(s) for s in self.starts]


def buckets(request: ApiRequest, default_period: timedelta = DEFAULT_PERIOD) -> Buckets:
    """`interval` between 1h and 1d dividing a day; the range is rounded out to whole intervals."""
    interval = int(parse_duration(request.get("interval") or "1h", "interval").total_seconds())
    if interval > DAY:
        raise ApiError(400, "The interval has to be less than one day.")
    if interval < HOUR or interval % HOUR:
        raise ApiError(400, "The interval has to be a multiple of the minimum interval of one hour.")
    if DAY % interval:
        raise ApiError(400, "The interval should divide one day without a remainder.")
    start, end = time_window(request, default_period)
    assert start is not None and end is not None
    span = max(interval, math.ceil((end - start).total_seconds() / interval) * interval)
    end_ts = math.ceil(end.timestamp() / interval) * interval
    rounded_end = datetime.fromtimestamp(end_ts, UTC)
    if span // interval > MAX_POINTS:
        raise ApiError(
            400,
            "Your interval and date range would create too many results. "
            "Use a larger interval, or a smaller date range.",
        )
    return Buckets(rounded_end - timedelta(seconds=span), rounded_end, interval)


def project_slugs(store: Store, request: ApiRequest, *, slugs_ok: bool = False) -> set[str] | None:
    """The projects named by repeated `project` params (ids; slugs too where Sentry takes them).

    None means every project (no param, or `-1`); an unknown id answers 403 like Sentry, which
    cannot tell "no such project" from "not yours".
    """
    wanted = [p for p in request.getlist("project") if p not in ("-1", "")]
    if not wanted:
        return None
    found: set[str] = set()
    for value in wanted:
        if not value.lstrip("-").isdigit() and not slugs_ok:
            raise ApiError(400, "Invalid project parameter. Values must be numbers.")
        project = next((p for p in store.data.projects if value in (p.id, p.slug)), None)
        if project is None:
            raise ApiError(403, NO_PERMISSION)
        found.add(project.slug)
    return found


def environments(request: ApiRequest) -> set[str]:
    """Repeated `environment` params (empty set = all)."""
    return {e for e in request.getlist("environment") if e}


def fields_and_group_by(
    request: ApiRequest, known_fields: Collection[str], known_group_by: Collection[str]
) -> tuple[list[str], list[str]]:
    """A stats endpoint's `field` (at least one) and `groupBy` lists, each name checked (sessions, outcomes)."""
    fields = request.getlist("field")
    if not fields:
        raise ApiError(400, 'Request is missing a "field"')
    for name in fields:
        if name not in known_fields:
            raise ApiError(400, f'Invalid field: "{name}"')
    group_by = request.getlist("groupBy")
    for name in group_by:
        if name not in known_group_by:
            raise ApiError(400, f'Invalid groupBy: "{name}"')
    return fields, group_by
