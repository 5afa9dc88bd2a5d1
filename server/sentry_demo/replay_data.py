"""Session replays of the `web` project: some recorded around real error events (the replay lists the
event in `error_ids`, the event carries a `replayId` tag and a `replay` context), the rest quiet
sessions. Built once per process from the data set, deterministic like everything else.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import archetypes, population
from .dataset import REFERENCE_TIME, dataset
from .models import EndUser, Event, stable_hash

REPLAY_PROJECT = "web"
APP_URL = "https://app.acme.example"


@dataclass(frozen=True)
class Replay:
    id: str
    """32 lower-case hex digits (Sentry also accepts the dashed uuid form in paths)."""
    started_at: datetime
    duration: int
    """Seconds."""
    user: EndUser
    release: str | None
    environment: str
    browser: tuple[str, str, str, str]
    """(name, version, os name, os version), as in `population.BROWSERS`."""
    urls: tuple[str, ...]
    error_ids: tuple[str, ...]
    trace_ids: tuple[str, ...]
    dead_clicks: int
    rage_clicks: int
    warnings: int
    infos: int
    replay_type: str
    has_viewed: bool

    @property
    def finished_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.duration)


def _urls(rng: random.Random, first: str | None = None) -> tuple[str, ...]:
    paths = list(archetypes.TRANSACTIONS["web"])
    rng.shuffle(paths)
    chosen = ([first] if first else []) + [p for p in paths if p != first][: rng.randint(1, 4)]
    return tuple(APP_URL + p.replace(":slug", "blue-shoes").replace(":id", "1042") for p in chosen)


@functools.cache
def replays() -> tuple[Replay, ...]:
    """Newest first."""
    data = dataset()
    rng = random.Random("replays")
    web_issues = [i for i in data.issues if i.project_slug == REPLAY_PROJECT and i.kind == "error"]
    web_events = sorted((e for i in web_issues for e in _events(i.event_ids)), key=lambda e: (e.timestamp, e.id))
    users = sorted({e.user for e in web_events}, key=lambda u: u.id)
    releases = [r for r in data.releases if REPLAY_PROJECT in r.project_slugs]
    out: list[Replay] = []
    used: set[str] = set()
    for event in rng.sample(web_events, 30):
        if event.id in used or len(out) == 18:
            continue
        errors = [event] + [
            e
            for e in web_events
            if e.user == event.user and e.id not in used and 0 < (e.timestamp - event.timestamp).total_seconds() < 600
        ]
        used.update(e.id for e in errors)
        start = event.timestamp - timedelta(seconds=rng.randint(20, 400))
        duration = int((errors[-1].timestamp - start).total_seconds()) + rng.randint(15, 240)
        out.append(
            _replay(rng, start, duration, event.user, event.release, event.environment, event.variant, errors, True)
        )
    for _ in range(27):
        start = REFERENCE_TIME - timedelta(minutes=rng.randint(10, 30 * 24 * 60))
        shipped = [r.version for r in releases if r.date_created <= start] or [releases[0].version]
        env = "production" if rng.random() < 0.9 else "staging"
        out.append(
            _replay(rng, start, rng.randint(8, 1500), rng.choice(users), shipped[-1], env, rng.randrange(1 << 16), [])
        )
    return tuple(sorted(out, key=lambda r: (r.started_at, r.id), reverse=True))


def _events(event_ids: tuple[str, ...]) -> list[Event]:
    events = dataset().events
    return [events[e] for e in event_ids]


def _replay(
    rng: random.Random,
    start: datetime,
    duration: int,
    user: EndUser,
    release: str | None,
    environment: str,
    variant: int,
    errors: list[Event],
    buffered: bool = False,
) -> Replay:
    browser = population.BROWSERS[variant % len(population.BROWSERS)]
    first = archetypes.TRANSACTIONS["web"][variant % 6] if errors else None
    traces = [stable_hash("trace", e.id) for e in errors] or [f"{rng.getrandbits(128):032x}"]
    return Replay(
        id=f"{rng.getrandbits(128):032x}",
        started_at=start.replace(microsecond=0),
        duration=duration,
        user=user,
        release=release,
        environment=environment,
        browser=browser,
        urls=_urls(rng, first),
        error_ids=tuple(e.id for e in errors),
        trace_ids=tuple(dict.fromkeys(traces)),
        dead_clicks=rng.choice([0, 0, 0, 1, 2]) + (1 if errors else 0),
        rage_clicks=rng.choice([0, 0, 0, 0, 1, 3]) if errors else 0,
        warnings=rng.randint(0, 4),
        infos=rng.randint(0, 12),
        replay_type="buffer" if buffered else "session",
        has_viewed=rng.random() < 0.3,
    )


@functools.cache
def _by_event() -> dict[str, str]:
    return {event_id: r.id for r in replays() for event_id in r.error_ids}


def replay_of_event(event_id: str) -> str | None:
    """The replay that recorded an error event, if any."""
    return _by_event().get(event_id)
