"""Handlers for event attachments (data in `attachment_data.py`): `/projects/{org}/{project}/events/
{event_id}/attachments/` lists them (`query`: a name substring, or `is:screenshot`; paged), and
`.../attachments/{attachment_id}/` answers the metadata, or with `download` (any value) the file itself
with its content type, as Sentry does.
"""

from __future__ import annotations

from typing import Any

from .attachment_data import Attachment, attachments_of, created
from .handlers import get_project, ok, paged
from .http import ApiRequest, ApiResponse, not_found
from .store import Store

SCREENSHOT_NAMES = ("screenshot.jpg", "screenshot.png")


def _attachments(store: Store, request: ApiRequest) -> tuple[Attachment, ...]:
    project = get_project(store, request)
    event = store.event(request.params["event_id"])
    if event is None or event.project_slug != project.slug:
        raise not_found()
    return attachments_of(event)


def record(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "event_id": attachment.event.id,
        "type": attachment.type,
        "name": attachment.name,
        "mimetype": attachment.mimetype,
        "dateCreated": created(attachment),
        "size": len(attachment.content),
        "headers": {"Content-Type": attachment.mimetype},
        "sha1": attachment.sha1,
    }


def _matches(attachment: Attachment, query: str) -> bool:
    if query == "is:screenshot":
        return attachment.name in SCREENSHOT_NAMES
    return query.lower() in attachment.name.lower()


def list_attachments(store: Store, request: ApiRequest) -> ApiResponse:
    query = (request.get("query") or "").strip()
    found = [a for a in _attachments(store, request) if not query or _matches(a, query)]
    return paged(store, request, found, record)


def get_attachment(store: Store, request: ApiRequest) -> ApiResponse:
    wanted = request.params["attachment_id"]
    attachment = next((a for a in _attachments(store, request) if a.id == wanted), None)
    if attachment is None:
        raise not_found()
    if request.get("download") is None:
        return ok(record(attachment))
    disposition = f'attachment; filename="{attachment.name}"'
    return ApiResponse(200, attachment.content, [("Content-Disposition", disposition)], attachment.mimetype)
