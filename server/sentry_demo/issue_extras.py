"""Handlers for what hangs off an issue besides events and tags: its notes (comments: list, and POST
to add one, which bumps `numComments`), its grouping hashes, and the organization-wide event-id lookup
(`/organizations/{org}/eventids/{event_id}/`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .event_records import event_full, event_simple, fingerprint_hash
from .handlers import get_issue, get_org, is_event_id, ok, paged
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .models import Event, iso
from .records import user_record
from .store import Store

REQUIRED = "This field is required."


def list_notes(store: Store, request: ApiRequest) -> ApiResponse:
    """Newest first, paginated."""
    issue = get_issue(store, request)
    return paged(store, request, store.notes_of(issue), dict)


def create_note(store: Store, request: ApiRequest) -> ApiResponse:
    """`{"text": "..."}` -> 201 with the new note activity; blank or missing text -> 400 field map."""
    issue = get_issue(store, request)
    body = request.json_body()
    if not isinstance(body, dict):
        raise ApiError(400, body={"non_field_errors": ["Invalid data. Expected a dictionary."]})
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise ApiError(400, body={"text": ["Not a valid string."]})
    if not text or not text.strip():
        raise ApiError(400, body={"text": [REQUIRED]})
    now = datetime.now(UTC)
    for earlier in store.notes_of(issue):
        same = earlier["user"] and earlier["user"]["id"] == store.owner.id and earlier["data"]["text"] == text
        posted = datetime.fromisoformat(earlier["dateCreated"].replace("Z", "+00:00"))
        if same and now - posted < timedelta(hours=1):
            raise ApiError(400, "You have already posted that comment.")
    note: dict[str, Any] = {
        "id": store.next_note_id(),
        "user": user_record(store.owner),
        "sentry_app": None,
        "type": "note",
        "data": {"text": text},
        "dateCreated": iso(now),
    }
    state = store.state[issue.id]
    state.activity.append(note)
    state.is_subscribed = True  # commenting subscribes you, as in Sentry
    return ApiResponse(201, dict(note))


def list_hashes(store: Store, request: ApiRequest) -> ApiResponse:
    """One row per grouping hash with its latest event (the full event unless `full=0`)."""
    issue = get_issue(store, request)
    events = store.events_of(issue)
    full = request.get("full", "1") not in ("0", "false", "False")
    by_hash: dict[str, list[Event]] = {}
    for event in events:
        by_hash.setdefault(fingerprint_hash(issue, event, events), []).append(event)
    rows = sorted(by_hash.items(), key=lambda item: item[1][-1].timestamp, reverse=True)

    def render(item: tuple[str, list[Event]]) -> dict[str, Any]:
        latest = item[1][-1]
        shape = event_full if full else event_simple
        return {
            "id": item[0],
            "latestEvent": shape(store, latest, issue),
            "mergedBySeer": False,
            "seerMatchDistance": None,
        }

    return paged(store, request, rows, render)


def resolve_event_id(store: Store, request: ApiRequest) -> ApiResponse:
    org = get_org(store, request)
    event_id = request.params["event_id"]
    event = store.event(event_id) if is_event_id(event_id) else None
    if event is None:
        raise not_found()
    issue = store.issue(event.issue_id)
    assert issue is not None
    return ok(
        {
            "organizationSlug": org.slug,
            "projectSlug": event.project_slug,
            "groupId": issue.id,
            "eventId": event.id,
            "event": event_full(store, event, issue),
        }
    )
