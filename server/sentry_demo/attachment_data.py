"""Files attached to some events (`data/attachments.json`): small text logs, a JSON view hierarchy, a
screenshot and a binary dump, and one log larger than a client should download whole. Each row names
an issue; the file belongs to that issue's latest event. Binary contents are deterministic bytes.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import timedelta

from .dataset import dataset
from .models import Event, stable_hash
from .tables import load

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIRST_ID = 7301


@dataclass(frozen=True)
class Attachment:
    id: str
    event: Event
    name: str
    type: str
    mimetype: str
    content: bytes

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.content, usedforsecurity=False).hexdigest()


def _content(row: dict[str, object], name: str) -> bytes:
    lines = row.get("lines")
    if isinstance(lines, list):
        text = "\n".join(str(line) for line in lines) + "\n"
        repeat = row.get("repeat")
        return (text * (repeat if isinstance(repeat, int) else 1)).encode()
    size = row.get("size")
    assert isinstance(size, int)
    head = PNG_SIGNATURE if name.endswith(".png") else b""
    filler = bytes.fromhex(stable_hash("attachment", name) * 2)
    return (head + filler * (size // len(filler) + 1))[:size]


@functools.cache
def _attachments() -> dict[str, tuple[Attachment, ...]]:
    """Event id -> its attachments, in upload order."""
    data = dataset()
    out: dict[str, list[Attachment]] = {}
    for n, row in enumerate(load("attachments")["attachments"]):
        event = data.events[data.issue_by_short_id(row["issue"]).event_ids[-1]]
        name = row["name"]
        out.setdefault(event.id, []).append(
            Attachment(str(FIRST_ID + n), event, name, row["type"], row["mimetype"], _content(row, name))
        )
    return {event_id: tuple(items) for event_id, items in out.items()}


def attachments_of(event: Event) -> tuple[Attachment, ...]:
    return _attachments().get(event.id, ())


def created(attachment: Attachment) -> str:
    """Uploaded with the event, a moment after it happened."""
    when = attachment.event.timestamp + timedelta(seconds=1)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")
