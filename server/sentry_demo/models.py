"""Record types of the demo data set (organization, teams, members, projects, releases, issues,
events) and the small encoders every module shares (timestamps, short ids, stable hashes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import archetypes

BASE32_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def iso(dt: datetime) -> str:
    """Sentry's timestamp style: ISO-8601 with `Z`, microseconds only when there are some."""
    return dt.isoformat(timespec="microseconds" if dt.microsecond else "seconds").replace("+00:00", "Z")


def base32_encode(number: int) -> str:
    """Sentry's short-id counter encoding (Crockford-style base32, upper case: 42 -> `1A`)."""
    digits = ""
    while True:
        number, rest = divmod(number, 32)
        digits = BASE32_ALPHABET[rest] + digits
        if number == 0:
            return digits


def base32_decode(text: str) -> int | None:
    """Inverse of `base32_encode`, case-insensitive and forgiving like Sentry (O->0, I/L->1)."""
    text = text.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if not text or any(ch not in BASE32_ALPHABET for ch in text):
        return None
    value = 0
    for ch in text:
        value = value * 32 + BASE32_ALPHABET.index(ch)
    return value


@dataclass(frozen=True)
class Organization:
    id: str
    slug: str
    name: str
    date_created: datetime


@dataclass(frozen=True)
class Team:
    id: str
    slug: str
    name: str
    date_created: datetime


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    username: str
    email: str
    date_joined: datetime
    team_slugs: tuple[str, ...]


@dataclass(frozen=True)
class Project:
    id: str
    slug: str
    name: str
    platform: str
    team_slug: str
    date_created: datetime
    color: str
    environments: tuple[str, ...] = ("production", "staging")


@dataclass(frozen=True)
class Commit:
    id: str
    message: str
    author_id: str
    date: datetime


@dataclass(frozen=True)
class Deploy:
    id: str
    environment: str
    date_started: datetime
    date_finished: datetime


@dataclass(frozen=True)
class Release:
    id: int
    version: str
    project_slugs: tuple[str, ...]
    date_created: datetime
    commits: tuple[Commit, ...]
    deploys: tuple[Deploy, ...]

    @property
    def date_released(self) -> datetime | None:
        """When it reached production (None while only on staging)."""
        prod = [d.date_finished for d in self.deploys if d.environment == "production"]
        return min(prod) if prod else None


@dataclass(frozen=True)
class EndUser:
    """A customer of Acme's apps, as the SDK reports them on events."""

    id: str
    name: str
    email: str
    ip_address: str
    geo: tuple[str, str, str]


@dataclass(frozen=True)
class Event:
    id: str
    issue_id: str
    project_slug: str
    timestamp: datetime
    release: str | None
    environment: str
    user: EndUser
    variant: int
    """Picks browser/device/breadcrumb variations deterministically."""


@dataclass(frozen=True)
class Issue:
    """An issue (Sentry "group") as generated; its mutable state lives in `store.IssueState`."""

    id: str
    number: int
    project_slug: str
    kind: str  # error | csp | performance | feedback
    title: str
    culprit: str
    level: str
    metadata: dict[str, Any]
    location: archetypes.Location | None
    error: archetypes.ErrorKind | None
    slots: dict[str, str]
    first_seen: datetime
    last_seen: datetime
    count: int
    user_count: int
    num_comments: int
    initial: dict[str, Any]
    event_ids: tuple[str, ...] = ()

    @property
    def short_id(self) -> str:
        return f"{self.project_slug.upper()}-{base32_encode(self.number)}"


@dataclass
class Dataset:
    """All generated records plus the indexes the routes look things up by."""

    organization: Organization
    teams: tuple[Team, ...]
    members: tuple[Member, ...]
    projects: tuple[Project, ...]
    releases: tuple[Release, ...]
    issues: tuple[Issue, ...]
    events: dict[str, Event]
    renamed_projects: dict[str, str] = field(default_factory=dict)

    def project(self, slug: str) -> Project:
        return next(p for p in self.projects if p.slug == slug)

    def team(self, slug: str) -> Team:
        return next(t for t in self.teams if t.slug == slug)

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    def issue_by_short_id(self, short_id: str) -> Issue:
        """The issue a data file's row names (`"issue": "API-1"`); a typo there fails at load."""
        return next(i for i in self.issues if i.short_id == short_id)


def stable_hash(*parts: object) -> str:
    """A short deterministic hex digest (unlike `hash()`, the same in every process)."""
    return hashlib.md5(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def stable_uuid(*parts: object) -> str:
    """A deterministic version-4-shaped uuid (monitor and check-in ids)."""
    raw = stable_hash(*parts)
    variant = "89ab"[int(raw[16], 16) % 4]
    return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{variant}{raw[17:20]}-{raw[20:32]}"
