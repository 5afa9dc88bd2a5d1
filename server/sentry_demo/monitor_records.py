"""Cron monitors and their check-ins: four monitors (`data/monitors.json`), one failing (`sync-inventory`:
its latest check-ins errored, timed out or were missed, and its environment has an open incident), one muted.
Their routes are in `monitor_handlers.py`.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .dataset import REFERENCE_TIME
from .models import iso, stable_uuid
from .records import project_legacy
from .store import Store
from .tables import load, records

JSON = dict[str, Any]
ENV_STATUS = {"ok": "ok", "error": "error", "missed": "missed_checkin", "timeout": "timeout"}


@dataclass(frozen=True)
class Monitor:
    slug: str
    name: str
    project_slug: str
    schedule_type: str
    schedule: str | tuple[int, str]
    margin: int
    """Minutes a check-in may be late."""
    max_runtime: int
    """Minutes before an in-progress check-in times out."""
    owner: str
    """`team:<id>` or `user:<id>`."""
    environments: tuple[str, ...]
    date_created: datetime
    typical_ms: int
    muted: bool = False
    failing: tuple[str, ...] = ()
    """Statuses of the newest check-ins (newest first) in the first environment; older ones are ok."""
    history: int = 30
    """How many check-ins per environment the demo keeps."""

    @property
    def guid(self) -> str:
        return stable_uuid("monitor", self.slug)

    @property
    def step(self) -> timedelta:
        """Time between runs (the demo's schedules are hourly, daily, weekly or every N minutes)."""
        if isinstance(self.schedule, tuple):
            return timedelta(**{f"{self.schedule[1]}s": self.schedule[0]})
        _, hour, _, _, weekday = self.schedule.split()
        if weekday != "*":
            return timedelta(weeks=1)
        return timedelta(days=1) if hour != "*" else timedelta(hours=1)

    def last_expected(self) -> datetime:
        """The newest scheduled time before the demo's "now" (whose run has finished or failed by then)."""
        now = REFERENCE_TIME - timedelta(minutes=1)
        if isinstance(self.schedule, tuple):
            return now.replace(minute=now.minute // self.schedule[0] * self.schedule[0], second=0, microsecond=0)
        minute, hour, _, _, weekday = self.schedule.split()
        when = now.replace(minute=int(minute), second=0, microsecond=0)
        if hour != "*":
            when = when.replace(hour=int(hour))
        if weekday != "*":
            when -= timedelta(days=(when.isoweekday() % 7 - int(weekday)) % 7)
        while when > now:
            when -= self.step
        return when

    def config(self) -> JSON:
        return {
            "schedule_type": self.schedule_type,
            "schedule": list(self.schedule) if isinstance(self.schedule, tuple) else self.schedule,
            "checkin_margin": self.margin,
            "max_runtime": self.max_runtime,
            "timezone": "UTC",
            "failure_issue_threshold": 2 if self.failing else 1,
            "recovery_threshold": 1,
            "alert_rule_id": None,
        }


MONITORS = records(Monitor, load("monitors")["monitors"])


@dataclass(frozen=True)
class CheckIn:
    id: str
    environment: str
    status: str
    expected: datetime
    started: datetime | None
    duration: int | None
    """Milliseconds (None for a missed check-in)."""


@functools.cache
def checkins(slug: str) -> tuple[CheckIn, ...]:
    """Newest first, across the monitor's environments."""
    monitor = next(m for m in MONITORS if m.slug == slug)
    out = []
    for env_index, env in enumerate(monitor.environments):
        rng = random.Random(f"checkins:{slug}:{env}")
        expected = monitor.last_expected()
        for n in range(monitor.history):
            status = monitor.failing[n] if env_index == 0 and n < len(monitor.failing) else "ok"
            if status == "ok" and rng.random() < 0.03:
                status = "error"
            duration = None if status == "missed" else int(monitor.typical_ms * rng.uniform(0.7, 1.4))
            if status == "timeout":
                duration = monitor.max_runtime * 60_000
            started = None if status == "missed" else expected + timedelta(seconds=rng.randint(0, 40))
            out.append(CheckIn(stable_uuid("checkin", slug, env, n), env, status, expected, started, duration))
            expected -= monitor.step
    return tuple(sorted(out, key=lambda c: c.expected, reverse=True))


def actor_record(store: Store, owner: str) -> JSON:
    kind, _, ident = owner.partition(":")
    if kind == "user":
        member = store.data.member(ident)
        assert member is not None
        return {"type": "user", "id": member.id, "name": member.name, "email": member.email}
    team = next(t for t in store.data.teams if t.id == ident)
    return {"type": "team", "id": team.id, "name": team.slug}


def _environment(monitor: Monitor, env: str, wanted: set[str]) -> Iterator[JSON]:
    if wanted and env not in wanted:
        return
    history = [c for c in checkins(monitor.slug) if c.environment == env]
    latest = history[0]
    failing = []
    for checkin in history:
        if checkin.status == "ok":
            break
        failing.append(checkin)
    incident = None
    if len(failing) >= monitor.config()["failure_issue_threshold"]:
        incident = {"startingTimestamp": iso(failing[-1].expected), "resolvingTimestamp": None, "brokenNotice": None}
    next_run = latest.expected + monitor.step
    yield {
        "name": env,
        "status": ENV_STATUS[latest.status],
        "isMuted": monitor.muted,
        "dateCreated": iso(monitor.date_created),
        "lastCheckIn": iso(latest.started or latest.expected + timedelta(minutes=monitor.margin)),
        "nextCheckIn": iso(next_run),
        "nextCheckInLatest": iso(next_run + timedelta(minutes=monitor.margin)),
        "activeIncident": incident,
    }


def monitor_record(store: Store, monitor: Monitor, wanted: set[str] | None = None) -> JSON:
    project = project_legacy(store, store.data.project(monitor.project_slug))
    del project["organization"]
    envs = [e for env in monitor.environments for e in _environment(monitor, env, wanted or set())]
    return {
        "id": monitor.guid,
        "name": monitor.name,
        "slug": monitor.slug,
        "status": "active",
        "isMuted": monitor.muted,
        "isUpserting": False,
        "type": "cron_job",
        "config": monitor.config(),
        "dateCreated": iso(monitor.date_created),
        "project": project,
        "environments": envs,
        "owner": actor_record(store, monitor.owner),
    }


def checkin_record(monitor: Monitor, checkin: CheckIn) -> JSON:
    created = checkin.started or checkin.expected + timedelta(minutes=monitor.margin)
    finished = created + timedelta(milliseconds=checkin.duration or 0)
    return {
        "id": checkin.id,
        "environment": checkin.environment,
        "status": checkin.status,
        "duration": checkin.duration,
        "dateCreated": iso(created),
        "dateAdded": iso(created),
        "dateUpdated": iso(finished),
        "dateInProgress": iso(checkin.started) if checkin.started else None,
        "dateClock": iso(created),
        "expectedTime": iso(checkin.expected),
        "monitorConfig": monitor.config(),
    }
