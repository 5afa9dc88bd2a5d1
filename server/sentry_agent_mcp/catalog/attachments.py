"""Event attachments: the files an SDK sent with an event (logs, screenshots, minidumps, view hierarchies)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..views.attachments import ATTACHMENT, ATTACHMENT_ROW
from .base import Companion, Cursor, Kind, Limit, OrganizationSlug, Pair, Params, ProjectSlug, Route
from .issue_details import EventId

MAX_TEXT_BYTES = 16 * 1024
"""Largest file whose text ``event_attachments get`` downloads and shows."""
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-ndjson", "application/yaml")
"""Content types read as text (anything else is a binary file, never downloaded or decoded)."""


def is_text_type(content_type: Any) -> bool:
    """Whether a MIME type (parameters such as ``; charset=utf-8`` allowed) names text."""
    kind = (content_type if isinstance(content_type, str) else "").split(";", 1)[0].strip().lower()
    return kind.startswith(TEXT_TYPES) or kind.endswith(("+json", "+xml"))


def not_small_text(meta: Any) -> str | None:
    """Why the file is not downloaded (its metadata says binary, or too large), or None to download it."""
    meta = meta if isinstance(meta, dict) else {}
    mimetype = meta.get("mimetype")
    if not is_text_type(mimetype):
        return f"not a text file ({mimetype or 'unknown type'}): open it in Sentry"
    size = meta.get("size")
    known = isinstance(size, int) and not isinstance(size, bool)
    if not known or size > MAX_TEXT_BYTES:
        shown = f"{size:,} bytes" if known else "unknown size"
        return f"{shown}, over the {MAX_TEXT_BYTES:,} bytes shown: open it in Sentry"
    return None


class EventAttachmentsList(Params):
    """List the files attached to one event."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    event_id: EventId
    query: str | None = Field(None, max_length=200, description="Name contains, or 'is:screenshot'.")
    limit: Limit = None
    cursor: Cursor = None


class EventAttachmentGet(Params):
    """Identify one attachment of an event."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    event_id: EventId
    attachment_id: str = Field(pattern=r"^[0-9]{1,20}$", description="Attachment id (from event_attachments list).")


_ATTACHMENTS = "/projects/{organization_slug}/{project_slug}/events/{event_id}/attachments/"

PAIRS = [
    Pair(
        entity="event_attachments",
        action="list",
        params=EventAttachmentsList,
        kind=Kind.LIST,
        description="List an event's attachments: name, type, MIME type, size.",
        route=Route("GET", _ATTACHMENTS, query={"query": "query", "limit": "per_page", "cursor": "cursor"}),
        view=ATTACHMENT_ROW,
    ),
    Pair(
        entity="event_attachments",
        action="get",
        params=EventAttachmentGet,
        kind=Kind.GET,
        description=f"Get an attachment's metadata, and the text of a text file up to {MAX_TEXT_BYTES // 1024} KB.",
        route=Route(
            "GET",
            _ATTACHMENTS + "{attachment_id}/",
            companions=(
                Companion(
                    "text",
                    _ATTACHMENTS + "{attachment_id}/",
                    fixed_query={"download": "1"},
                    skip=not_small_text,
                    text_chars=MAX_TEXT_BYTES,
                ),
            ),
        ),
        view=ATTACHMENT,
    ),
]
