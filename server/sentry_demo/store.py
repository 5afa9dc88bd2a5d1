"""One app instance's view of the demo data: lookups by id or slug, the mutable issue state (with the
notes), and the region settings (`regions`, `org_region_url`).

The generated data set is shared and immutable; each `Store` owns its own `IssueState` per issue,
so a PUT or a new note in one app (or one test) never leaks into another.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .dataset import TOKEN_OWNER_ID
from .models import (
    Dataset,
    Event,
    Issue,
    Member,
    Organization,
    Project,
    Release,
    base32_decode,
    base32_encode,
    iso,
)
from .notes import NOTE_ID_START, seeded_notes

EVENT_PLATFORMS = {
    "javascript-react": "javascript",
    "python-django": "python",
    "python": "python",
    "apple-ios": "cocoa",
}


@dataclass
class IssueState:
    """What a PUT can change on an issue."""

    status: str
    substatus: str | None
    status_details: dict[str, Any]
    assignee: str | None  # "user:<id>" | "team:<id>" | None
    priority: str | None
    is_bookmarked: bool
    has_seen: bool
    is_subscribed: bool
    is_public: bool
    inbox: bool
    priority_locked_at: datetime | None = None
    activity: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ReleaseStats:
    new_groups: int
    first_event: datetime | None
    last_event: datetime | None
    environments: frozenset[str] = frozenset()
    """Where the release was deployed or sent events (what the releases list's `environment` filters on)."""


class Store:
    """Indexes over the data set plus per-instance issue state."""

    def __init__(
        self,
        data: Dataset,
        base_url: str,
        *,
        regions: list[dict[str, str]] | None = None,
        org_region_url: str | None = None,
    ) -> None:
        self.data = replace(data)
        """This app's own copy: a created team or project (`management.py`) joins only its tuples."""
        self.base_url = base_url.rstrip("/")
        self.regions = [dict(r) for r in regions] if regions is not None else [{"name": "us", "url": self.base_url}]
        """What `/users/me/regions/` lists; empty = a self-hosted or old Sentry (that route answers 404)."""
        self.org_region_url = (org_region_url or self.base_url).rstrip("/")
        """The organization's `links.regionUrl`: where a client should send org-scoped calls."""
        self._next_note_id = NOTE_ID_START + 10_000
        notes = seeded_notes()
        owner = data.member(TOKEN_OWNER_ID)
        assert owner is not None
        self.owner: Member = owner
        self.state: dict[str, IssueState] = {}
        for issue in data.issues:
            init = issue.initial
            self.state[issue.id] = IssueState(
                status=init["status"],
                substatus=init["substatus"],
                status_details=dict(init["statusDetails"]),
                assignee=init["assignee"],
                priority=init["priority"],
                is_bookmarked=init["isBookmarked"],
                has_seen=init["hasSeen"],
                is_subscribed=init["isSubscribed"],
                is_public=init["isPublic"],
                inbox=init["inbox"],
                activity=[
                    {
                        "id": f"{issue.id}0",
                        "type": "first_seen",
                        "data": {},
                        "user": None,
                        "dateCreated": iso(issue.first_seen),
                    },
                    *(dict(note) for note in notes.get(issue.id, ())),
                ],
            )
        self._issues = {i.id: i for i in data.issues}
        self._short_ids = {i.short_id: i for i in data.issues}
        self._by_project: dict[str, list[Issue]] = {p.slug: [] for p in data.projects}
        for issue in data.issues:
            self._by_project[issue.project_slug].append(issue)
        self._events_by_issue: dict[str, list[Event]] = {
            i.id: [data.events[e] for e in i.event_ids] for i in data.issues
        }
        self._releases = {r.version: r for r in data.releases}
        self._release_stats = self._compute_release_stats()

    # --- lookups (None means: answer 404) ---

    def organization(self, id_or_slug: str) -> Organization | None:
        org = self.data.organization
        return org if id_or_slug in (org.id, org.slug) else None

    def project(self, id_or_slug: str) -> Project | None:
        return next((p for p in self.data.projects if id_or_slug in (p.id, p.slug)), None)

    def renamed_project(self, slug: str) -> str | None:
        """The new slug when `slug` is an old name of a project (Sentry answers 302 resource-moved)."""
        return self.data.renamed_projects.get(slug)

    def issue(self, id_or_short_id: str) -> Issue | None:
        """By numeric id or by short id (`WEB-1A`, case-insensitive, forgiving O/0 and I/L/1)."""
        if id_or_short_id.isdecimal():
            return self._issues.get(id_or_short_id)
        slug, sep, counter = id_or_short_id.rpartition("-")
        number = base32_decode(counter) if sep else None
        if number is None:
            return None
        return self._short_ids.get(f"{slug.upper()}-{base32_encode(number)}")

    def event(self, event_id: str) -> Event | None:
        return self.data.events.get(event_id.lower().replace("-", ""))

    def release(self, version: str) -> Release | None:
        return self._releases.get(version)

    def member_by_actor(self, text: str) -> Member | None:
        """A member by id, username or email (how `assignedTo` names users)."""
        lowered = text.lower()
        return next((m for m in self.data.members if lowered in (m.id, m.username.lower(), m.email.lower())), None)

    def next_note_id(self) -> str:
        self._next_note_id += 1
        return str(self._next_note_id)

    def notes_of(self, issue: Issue) -> list[dict[str, Any]]:
        """The issue's notes (comment activities), newest first."""
        notes = [a for a in self.state[issue.id].activity if a["type"] == "note"]
        return sorted(notes, key=lambda a: int(a["id"]), reverse=True)

    # --- collections ---

    def issues_of(self, project_slug: str) -> list[Issue]:
        return self._by_project.get(project_slug, [])

    def all_issues(self) -> tuple[Issue, ...]:
        return self.data.issues

    def events_of(self, issue: Issue) -> list[Event]:
        """Oldest first."""
        return self._events_by_issue[issue.id]

    def releases_of(self, project_slug: str) -> list[Release]:
        """Oldest first."""
        return [r for r in self.data.releases if project_slug in r.project_slugs]

    def latest_release(self, project_slug: str) -> Release | None:
        releases = self.releases_of(project_slug)
        return releases[-1] if releases else None

    def release_stats(self, version: str) -> ReleaseStats:
        return self._release_stats.get(version, ReleaseStats(0, None, None))

    def event_platform(self, project_slug: str) -> str:
        """The SDK platform events of a project carry (`javascript`, `python`, `cocoa`)."""
        platform = self.data.project(project_slug).platform
        return EVENT_PLATFORMS.get(platform, platform.split("-")[0])

    def _compute_release_stats(self) -> dict[str, ReleaseStats]:
        new_groups: dict[str, int] = {}
        times: dict[str, list[datetime]] = {}
        envs: dict[str, set[str]] = {r.version: {d.environment for d in r.deploys} for r in self.data.releases}
        for issue in self.data.issues:
            events = self.events_of(issue)
            if events and events[0].release:
                new_groups[events[0].release] = new_groups.get(events[0].release, 0) + 1
            for event in events:
                if event.release:
                    times.setdefault(event.release, []).append(event.timestamp)
                    envs.setdefault(event.release, set()).add(event.environment)
        stats = {}
        for release in self.data.releases:
            seen = times.get(release.version, [])
            stats[release.version] = ReleaseStats(
                new_groups.get(release.version, 0),
                min(seen) if seen else None,
                max(seen) if seen else None,
                frozenset(envs[release.version]),
            )
        return stats
