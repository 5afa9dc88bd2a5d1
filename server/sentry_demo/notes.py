"""Seeded issue notes (comments): exactly `numComments` per issue, written by members of the owning
team between the issue's first sighting and the demo's "now", so a client that reads `numComments`
and then the notes sees the same number. Each `Store` copies them into its own issue activity, where
`POST .../notes/` adds more.
"""

from __future__ import annotations

import functools
import random
from typing import Any

from .dataset import REFERENCE_TIME, dataset
from .models import iso
from .records import user_record
from .tables import frozen, load

NOTE_ID_START = 5_100_000
"""Seeded note ids count up from here (in issue order); notes posted later get ids above 5_110_000."""

TEXTS: dict[str, tuple[str, ...]] = {kind: frozen(texts) for kind, texts in load("notes")["texts"].items()}
"""Per issue kind, the note templates (`data/notes.json`) over release, project, number and short id."""


@functools.cache
def seeded_notes() -> dict[str, tuple[dict[str, Any], ...]]:
    """Issue id -> its note activities, oldest first (ids increase with time)."""
    data = dataset()
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    next_id = NOTE_ID_START
    for issue in data.issues:
        if not issue.num_comments:
            continue
        rng = random.Random(f"notes:{issue.id}")
        team = data.project(issue.project_slug).team_slug
        authors = [m for m in data.members if team in m.team_slugs]
        span = REFERENCE_TIME - issue.first_seen
        times = sorted(issue.first_seen + span * rng.uniform(0.05, 0.98) for _ in range(issue.num_comments))
        release = next((e.release for e in (data.events[i] for i in issue.event_ids) if e.release), "the last deploy")
        slots = {
            "release": release,
            "project": issue.project_slug,
            "number": str(rng.randint(1000, 1999)),
            "short_id": f"{issue.project_slug.upper()}-{rng.randint(1, 9)}",
        }
        texts = TEXTS["error" if issue.kind == "error" else issue.kind]
        notes = []
        for when in times:
            next_id += 1
            notes.append(
                {
                    "id": str(next_id),
                    "user": user_record(rng.choice(authors)),
                    "sentry_app": None,
                    "type": "note",
                    "data": {"text": rng.choice(texts).format(**slots)},
                    "dateCreated": iso(when.replace(microsecond=0)),
                }
            )
        out[issue.id] = tuple(notes)
    return out
