"""Tag statistics computed from events' tags, behind an issue's tag keys and values and the
organization's tag keys (handlers in `issue_tags.py`).

The demo stores a handful of sample events per issue while the issue's `count` is much larger, so each
stored event stands for its share of `count`: the value counts of a tag add up to the issue's `count`,
as `totalValues` does in the issue detail, and the values are exactly those the issue's events carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .event_records import event_tags
from .models import Event, Issue, iso

if TYPE_CHECKING:
    from .store import Store

JSON = dict[str, Any]
TOP_VALUES = 9
LABELS = {
    "os": "OS",
    "os.name": "OS Name",
    "url": "URL",
    "dist": "Distribution",
    "replayId": "Replay ID",
    "server_name": "Server",
    "browser.name": "Browser Name",
    "device.family": "Device Family",
    "runtime.name": "Runtime Name",
}


def tag_label(key: str) -> str:
    """Sentry's display name for a tag key (`browser.name` -> `Browser Name`)."""
    return LABELS.get(key) or key.replace(".", " ").replace("_", " ").title()


@dataclass
class ValueStat:
    value: str
    label: str
    ordinal: int
    first_seen: datetime
    last_seen: datetime
    count: int = 0
    events: list[str] = field(default_factory=list)


def event_weights(issue: Issue, events: list[Event]) -> dict[str, int]:
    """Each stored event's share of the issue's `count` (largest remainder, so the shares add up)."""
    base, extra = divmod(issue.count, max(1, len(events)))
    newest_first = sorted(events, key=lambda e: e.timestamp, reverse=True)
    return {e.id: base + (1 if n < extra else 0) for n, e in enumerate(newest_first)}


def tag_stats(store: Store, issue: Issue, wanted_envs: set[str] | None = None) -> dict[str, list[ValueStat]]:
    """Tag key -> value stats over the issue's events (optionally only some environments)."""
    events = store.events_of(issue)
    weights = event_weights(issue, events)
    stats: dict[str, dict[str, ValueStat]] = {}
    for event in events:
        if wanted_envs and event.environment not in wanted_envs:
            continue
        for tag in event_tags(event, issue):
            key, value = tag["key"], tag["value"]
            values = stats.setdefault(key, {})
            stat = values.get(value)
            if stat is None:
                label = event.user.email if key == "user" else value
                stat = values[value] = ValueStat(value, label, len(values), event.timestamp, event.timestamp)
            stat.count += weights[event.id]
            stat.first_seen = min(stat.first_seen, event.timestamp)
            stat.last_seen = max(stat.last_seen, event.timestamp)
            stat.events.append(event.id)
    return {key: list(values.values()) for key, values in sorted(stats.items())}


def value_record(key: str, stat: ValueStat) -> JSON:
    return {
        "key": key,
        "name": stat.label,
        "value": stat.value,
        "count": stat.count,
        "lastSeen": iso(stat.last_seen),
        "firstSeen": iso(stat.first_seen),
    }


def key_record(key: str, values: list[ValueStat]) -> JSON:
    top = sorted(values, key=lambda s: (-s.count, s.ordinal))[:TOP_VALUES]
    return {
        "key": key,
        "name": tag_label(key),
        "uniqueValues": len(values),
        "totalValues": sum(s.count for s in values),
        "topValues": [value_record(key, s) for s in top],
    }
