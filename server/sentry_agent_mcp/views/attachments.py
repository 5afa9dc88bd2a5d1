"""Event attachments: what each file is and, for a small text file, its text (``event_attachments get``)."""

from __future__ import annotations

from .base import View

_META = ("id", "name", "type", "mimetype", "size", "dateCreated")

ATTACHMENT_ROW = View(keep=_META)
ATTACHMENT = View(keep=(*_META, "sha1", "event_id", "text", "text_skipped", "text_error"))
"""Metadata plus ``text`` (a small text file), or ``text_skipped`` / ``text_error`` saying why not."""
