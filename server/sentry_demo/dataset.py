"""The demo Sentry's deterministic data set: organization `acme`, its teams, members, projects,
releases (with commits and deploys), issues and events. The fixed parts come from the data files
(`data/organization.json`, `projects.json`, `releases.json`); the rest is generated from them.

Everything derives from a fixed seed and a fixed reference time (never `now()`), so every run and
every test sees the same ids, short ids, titles and timestamps. `dataset()` builds it lazily, once
per process (a few milliseconds); apps copy the mutable issue state per instance (see `store.py`).
"""

from __future__ import annotations

import functools
import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from . import archetypes, population
from .models import (
    Commit,
    Dataset,
    Deploy,
    EndUser,
    Event,
    Issue,
    Member,
    Organization,
    Project,
    Release,
    Team,
)
from .tables import frozen, load, record, records

REFERENCE_TIME = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
"""The demo's "now": issue and event times spread over the 30 days before it."""

SEED = 20260302

_ORG, _PROJECTS, _RELEASES = load("organization"), load("projects"), load("releases")
ORG = record(Organization, _ORG["organization"])
TEAMS = records(Team, _ORG["teams"])
MEMBERS = records(Member, _ORG["members"])
TOKEN_OWNER_ID: str = _ORG["token_owner_id"]
TEAM_ADMINS = {(row["user_id"], row["team_slug"]) for row in _ORG["team_admins"]}
"""(user id, team slug) pairs with the team `admin` role; other members are `contributor`s."""
ENVIRONMENTS: tuple[tuple[str, str, bool], ...] = tuple((e["id"], e["name"], e["hidden"]) for e in _ORG["environments"])
"""(id, name, hidden): the organization's environments; `load-test` is hidden."""
PROJECTS = records(Project, _PROJECTS["projects"])
ISSUE_COUNTS: dict[str, dict[str, int]] = _PROJECTS["issue_counts"]
"""Per project: issues in all, and how many are csp, feedback and performance issues (the rest are errors)."""
SESSION_PROJECTS: tuple[str, ...] = frozen(_PROJECTS["session_projects"])
"""Projects that send release-health sessions (their releases have health data)."""
RENAMED_PROJECTS: dict[str, str] = _PROJECTS["renamed_projects"]
RELEASE_PLAN: tuple[tuple[str, str, float, tuple[str, ...]], ...] = tuple(
    (r["project_slug"], r["version"], r["days_ago"], frozen(r["environments"])) for r in _RELEASES["release_plan"]
)


def _hex(rng: random.Random, bits: int) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots) if "{" in template else template


def _releases(rng: random.Random) -> tuple[Release, ...]:
    out: list[Release] = []
    deploy_id = 31000
    for index, (slug, version, days_ago, envs) in enumerate(RELEASE_PLAN):
        created = REFERENCE_TIME - timedelta(days=days_ago, minutes=rng.randint(0, 600))
        team = next(p.team_slug for p in PROJECTS if p.slug == slug)
        authors = [m.id for m in MEMBERS if team in m.team_slugs]
        commits = tuple(
            Commit(
                _hex(rng, 160),
                rng.choice(population.COMMIT_MESSAGES),
                rng.choice(authors),
                created - timedelta(hours=rng.randint(2, 24 * 6), minutes=rng.randint(0, 59)),
            )
            for _ in range(rng.randint(2, 9))
        )
        deploys = []
        for step, env in enumerate(envs):
            deploy_id += 1
            start = created + timedelta(hours=1 + 4 * step, minutes=rng.randint(0, 30))
            deploys.append(Deploy(str(deploy_id), env, start, start + timedelta(seconds=rng.randint(60, 600))))
        out.append(
            Release(
                9001 + index, version, (slug,), created, tuple(sorted(commits, key=lambda c: c.date)), tuple(deploys)
            )
        )
    return tuple(out)


def _end_users(rng: random.Random) -> tuple[EndUser, ...]:
    users = []
    for index in range(40):
        first, last = rng.choice(population.FIRST_NAMES), rng.choice(population.LAST_NAMES)
        handle = f"{first}.{last}".lower().replace("ü", "ue").replace("á", "a")
        users.append(
            EndUser(
                str(880000 + index * 37),
                f"{first} {last}",
                f"{handle}@example.com",
                f"203.0.113.{rng.randint(2, 254)}",
                rng.choice(population.CITIES),
            )
        )
    return tuple(users)


def _issue_spec(rng: random.Random, slug: str, kind: str) -> dict[str, Any]:
    """Title, culprit, level and metadata for one issue of the given kind."""
    slots = {key: rng.choice(values) for key, values in archetypes.SLOTS.items()}
    transaction = rng.choice(archetypes.TRANSACTIONS[slug])
    if kind == "csp":
        host = rng.choice(archetypes.CSP_HOSTS)
        title = f"Blocked 'script' from '{host}'"
        return dict(
            title=title,
            culprit="script-src 'self' https://js.stripe.com",
            level="error",
            location=None,
            error=None,
            slots=slots,
            metadata={"directive": "script-src", "uri": host, "message": title, "title": title},
        )
    if kind == "feedback":
        message, user = rng.choice(archetypes.FEEDBACK), rng.choice(population.FIRST_NAMES)
        return dict(
            title="User Feedback",
            culprit=transaction,
            level="info",
            location=None,
            error=None,
            slots=slots,
            metadata={
                "title": "User Feedback",
                "value": message,
                "contact_email": f"{user.lower()}@example.com",
                "name": user,
                "source": "new_feedback_envelope",
            },
        )
    if kind == "performance":
        perf = rng.choice(archetypes.PERFORMANCE[slug])
        return dict(
            title=perf.title,
            culprit=transaction,
            level="info",
            location=None,
            error=None,
            slots=slots | {"perf_type": perf.issue_type, "op": perf.op},
            metadata={
                "title": perf.title,
                "value": _fill(perf.evidence, slots),
                "location": transaction,
                "initial_priority": 50,
            },
        )
    error = rng.choice(archetypes.ERRORS[slug])
    location = rng.choice(archetypes.LOCATIONS[slug])
    value = _fill(error.value, slots)
    culprit = f"{location.module} in {location.function}"
    return dict(
        title=f"{error.exc_type}: {value}",
        culprit=culprit,
        level=error.level,
        location=location,
        error=error,
        slots=slots,
        metadata={
            "type": error.exc_type,
            "value": value,
            "filename": location.path,
            "function": location.function,
            "in_app_frame_mix": "mixed",
        },
    )


def _initial_state(
    rng: random.Random,
    project: Project,
    kind: str,
    level: str,
    count: int,
    first_seen: datetime,
    releases: list[Release],
) -> dict[str, Any]:
    """Status, substatus, assignee and flags an issue starts with."""
    roll = rng.random()
    details: dict[str, Any] = {}
    if roll < 0.8 or kind == "feedback":
        status = "unresolved"
        if first_seen > REFERENCE_TIME - timedelta(days=7):
            substatus: str | None = "new"
        else:
            substatus = rng.choices(["ongoing", "escalating", "regressed"], [8, 1, 1])[0]
    elif roll < 0.9:
        status, substatus = "resolved", None
        if rng.random() < 0.5 and releases:
            details = {"inRelease": releases[-1].version}
    else:
        status = "ignored"
        substatus = rng.choice(
            [
                "archived_until_escalating",
                "archived_until_escalating",
                "archived_forever",
                "archived_until_condition_met",
            ]
        )
        if substatus == "archived_until_condition_met":
            details = {"ignoreCount": 100, "ignoreWindow": 60}
    team = next(t for t in TEAMS if t.slug == project.team_slug)
    people = [m.id for m in MEMBERS if project.team_slug in m.team_slugs]
    assign = rng.random()
    assignee = None if assign < 0.45 else (f"user:{rng.choice(people)}" if assign < 0.8 else f"team:{team.id}")
    if level == "fatal" or (level == "error" and count > 1500):
        priority = "high"
    elif level in ("warning", "info") and kind != "feedback":
        priority = "low"
    else:
        priority = "medium"
    return {
        "status": status,
        "substatus": substatus,
        "statusDetails": details,
        "assignee": assignee,
        "priority": priority,
        "isBookmarked": rng.random() < 0.08,
        "hasSeen": rng.random() < 0.6,
        "isSubscribed": assignee == f"user:{TOKEN_OWNER_ID}" or rng.random() < 0.3,
        "isPublic": False,
        "inbox": status == "unresolved" and substatus in ("new", "regressed", "escalating"),
    }


@functools.cache
def dataset() -> Dataset:
    """Build (once) the whole demo data set; identical on every call and every run."""
    rng = random.Random(SEED)
    releases = _releases(rng)
    end_users = _end_users(rng)
    drafts: list[dict[str, Any]] = []
    for project in PROJECTS:
        counts = ISSUE_COUNTS[project.slug]
        kinds = ["csp"] * counts["csp"] + ["feedback"] * counts["feedback"] + ["performance"] * counts["performance"]
        kinds += ["error"] * (counts["total"] - len(kinds))
        rng.shuffle(kinds)
        for kind in kinds:
            spec = _issue_spec(rng, project.slug, kind)
            age = timedelta(minutes=rng.randint(30, 30 * 24 * 60))
            first_seen = (REFERENCE_TIME - age).replace(microsecond=rng.randint(0, 999) * 1000)
            span = (REFERENCE_TIME - first_seen).total_seconds()
            recent = rng.random() < 0.35
            last_offset = span * (rng.uniform(0.97, 1.0) if recent else rng.random())
            last_seen = first_seen + timedelta(seconds=int(last_offset), milliseconds=rng.randint(0, 999))
            drafts.append(dict(spec, project=project, kind=kind, first_seen=first_seen, last_seen=last_seen))
    drafts.sort(key=lambda d: d["first_seen"])
    counters = dict.fromkeys(ISSUE_COUNTS, 0)
    issues: list[Issue] = []
    events: dict[str, Event] = {}
    for index, draft in enumerate(drafts):
        owner: Project = draft["project"]
        counters[owner.slug] += 1
        issue_id = str(6104218900 + index * 3 + 1)
        n_events = 1 if draft["kind"] == "feedback" else rng.choices([1, 2, 3, 4, 5], [2, 3, 3, 2, 2])[0]
        count = 1 if draft["kind"] == "feedback" else max(n_events, int(10 ** rng.uniform(0.3, 4.2)))
        user_count = 1 if count == 1 else max(1, int(count * rng.uniform(0.05, 0.6)))
        first, last = draft["first_seen"], draft["last_seen"]
        middle = sorted(first + (last - first) * rng.random() for _ in range(n_events - 2))
        times = [first, *middle, last] if n_events > 1 else [last]
        proj_releases = [r for r in releases if owner.slug in r.project_slugs]
        event_ids = []
        for ts in times:
            shipped = [r for r in proj_releases if r.date_created <= ts] or proj_releases[:1]
            event = Event(
                _hex(rng, 128),
                issue_id,
                owner.slug,
                ts,
                shipped[-1].version if shipped else None,
                "production" if rng.random() < 0.85 else "staging",
                rng.choice(end_users),
                rng.randrange(1 << 16),
            )
            events[event.id] = event
            event_ids.append(event.id)
        seen_releases = [r for r in proj_releases if r.date_created <= draft["last_seen"]]
        initial = _initial_state(rng, owner, draft["kind"], draft["level"], count, draft["first_seen"], seen_releases)
        issues.append(
            Issue(
                id=issue_id,
                number=counters[owner.slug],
                project_slug=owner.slug,
                kind=draft["kind"],
                title=draft["title"],
                culprit=draft["culprit"],
                level=draft["level"],
                metadata=draft["metadata"],
                location=draft["location"],
                error=draft["error"],
                slots=draft["slots"],
                first_seen=draft["first_seen"],
                last_seen=draft["last_seen"],
                count=count,
                user_count=user_count,
                num_comments=rng.choices([0, 1, 2, 4], [12, 3, 2, 1])[0],
                initial=initial,
                event_ids=tuple(event_ids),
            )
        )
    return Dataset(ORG, TEAMS, MEMBERS, PROJECTS, releases, tuple(issues), events, dict(RENAMED_PROJECTS))


def demo_token() -> str:
    """The token the demo accepts by default: `sntryu_demo` plus hex, shaped like a user token."""
    return "sntryu_demo" + hashlib.sha256(b"sentry-agent-mcp demo token").hexdigest()[:60]
