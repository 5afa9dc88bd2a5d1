"""The demo's sampled profiles (`data/profiles.json`): one Django request of `api`, in Sentry's sample format.

Each stack row of the file (frames leaf first, as SDKs send them) is sampled `samples` times every
`interval_ms`, interleaved deterministically, on the transaction's active thread. The profile belongs
to its issue's latest event; that event's trace names it on its `http.server` span (`trace_data.py`).
"""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from typing import Any

from .dataset import dataset
from .models import iso, stable_hash
from .tables import load
from .trace_data import profile_id_of, trace_id_of, transaction_name

JSON = dict[str, Any]


@functools.cache
def _profiles() -> dict[str, JSON]:
    """Profile id -> Sentry's profile object."""
    data = dataset()
    out: dict[str, JSON] = {}
    for row in load("profiles")["profiles"]:
        issue = data.issue_by_short_id(row["issue"])
        event = data.events[issue.event_ids[-1]]
        profile_id = profile_id_of(issue)
        stack_ids = [n for n, stack in enumerate(row["stacks"]) for _ in range(stack["samples"])]
        random.Random(f"profile:{profile_id}").shuffle(stack_ids)
        step_ns = row["interval_ms"] * 1_000_000
        release = next((r for r in data.releases if r.version == event.release), None)
        project = data.project(issue.project_slug)
        out[profile_id] = {
            "event_id": profile_id,
            "project_id": int(project.id),
            "version": "1",
            "platform": "python",
            "environment": event.environment,
            "received": iso(event.timestamp + timedelta(seconds=2)),
            "timestamp": iso(event.timestamp - timedelta(milliseconds=len(stack_ids) * row["interval_ms"])),
            "release": {"version": release.version, "shortVersion": release.version} if release else None,
            "os": {"name": "Linux", "version": "6.1.0", "build_number": ""},
            "device": {"architecture": "x86_64"},
            "runtime": {"name": "CPython", "version": "3.12.8"},
            "profile": {
                "samples": [
                    {"stack_id": stack, "thread_id": row["thread_id"], "elapsed_since_start_ns": n * step_ns}
                    for n, stack in enumerate(stack_ids)
                ],
                "stacks": [stack["frames"] for stack in row["stacks"]],
                "frames": row["frames"],
                "thread_metadata": {row["thread_id"]: {"name": row["thread_name"]}},
            },
            "transaction": {
                "name": transaction_name(event, issue),
                "trace_id": trace_id_of(event),
                "id": stable_hash("transaction", event.id, 0),
                "active_thread_id": row["thread_id"],
            },
        }
    return out


def profile(profile_id: str) -> JSON | None:
    return _profiles().get(profile_id.lower())
