"""What hangs off an issue: its events, tag distributions, hashes and notes, and the reverse lookup
from an event id to its issue."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from ..views.events import EVENT, EVENT_LOOKUP, EVENT_ROW
from ..views.issues import HASH, NOTE, TAG_DISTRIBUTION, TAG_VALUE
from .base import (
    TIME_WINDOW_QUERY,
    Cursor,
    Environments,
    Kind,
    Limit,
    OrganizationSlug,
    Pair,
    Params,
    Route,
    TimeWindow,
)
from .issues import IssueId
from .search_syntax import EVENT_QUERY
from .writing import WritePlan, keep

EventId = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{32}$", description="Event id (32 hex) or URL.")]
TagKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="Tag key, e.g. 'browser', 'release'.",
    ),
]


class IssueEventsList(TimeWindow):
    """List one issue's events, newest first."""

    organization_slug: OrganizationSlug
    issue_id: IssueId
    query: str | None = Field(None, max_length=1000, description=EVENT_QUERY)
    environment: Environments = None
    full: bool | None = Field(None, description="true: with stack traces.")
    limit: Limit = None
    cursor: Cursor = None


class IssueEventGet(Params):
    """Identify one event of an issue."""

    organization_slug: OrganizationSlug
    issue_id: IssueId
    event_id: str = Field(
        pattern=r"^(latest|oldest|recommended|[0-9a-fA-F]{32})$",
        description="'latest', 'oldest', 'recommended', an event id or URL.",
    )
    environment: Environments = None


class IssueTagGet(Params):
    """Identify one tag of an issue."""

    organization_slug: OrganizationSlug
    issue_id: IssueId
    key: TagKey
    environment: Environments = None


class TagValueSort(StrEnum):
    COUNT = "-count"
    LAST_SEEN = "-date"
    FIRST_SEEN = "-age"


class IssueTagValuesList(IssueTagGet):
    """List every value of one tag of an issue."""

    sort: TagValueSort | None = Field(None, description="-count, -date (last seen) or -age.")
    limit: Limit = None
    cursor: Cursor = None


class IssueHashesList(Params):
    """List the fingerprint hashes merged into an issue."""

    organization_slug: OrganizationSlug
    issue_id: IssueId
    limit: Limit = None
    cursor: Cursor = None


class IssueNotesList(IssueHashesList):
    """List an issue's notes (comments), newest first."""


class IssueNoteCreate(Params):
    """Add a note to an issue."""

    organization_slug: OrganizationSlug
    issue_id: IssueId
    text: str = Field(min_length=1, max_length=5000, description="Markdown; @mentions notify.")


class EventIdGet(Params):
    """Identify an event anywhere in the organization."""

    organization_slug: OrganizationSlug
    event_id: EventId


_ISSUE = "/organizations/{organization_slug}/issues/{issue_id}"

PAIRS = [
    Pair(
        entity="issue_events",
        action="list",
        params=IssueEventsList,
        kind=Kind.LIST,
        description="List an issue's events, newest first: when, release, environment, user.",
        route=Route(
            "GET",
            f"{_ISSUE}/events/",
            query={
                **TIME_WINDOW_QUERY,
                "query": "query",
                "environment": "environment",
                "limit": "per_page",
                "cursor": "cursor",
            },
            flags={"full": "full"},
        ),
        view=EVENT_ROW,
    ),
    Pair(
        entity="issue_events",
        action="get",
        params=IssueEventGet,
        kind=Kind.GET,
        description="Get one event of an issue: exception, in-app frames with code, breadcrumbs, request, tags.",
        route=Route("GET", f"{_ISSUE}/events/{{event_id}}/", query={"environment": "environment"}),
        view=EVENT,
    ),
    Pair(
        entity="issue_tags",
        action="get",
        params=IssueTagGet,
        kind=Kind.GET,
        description="How one tag spreads over an issue's events: top values with counts.",
        route=Route("GET", f"{_ISSUE}/tags/{{key}}/", query={"environment": "environment"}),
        view=TAG_DISTRIBUTION,
    ),
    Pair(
        entity="issue_tag_values",
        action="list",
        params=IssueTagValuesList,
        kind=Kind.LIST,
        description="List every value of one tag of an issue, with counts and first/last seen.",
        route=Route(
            "GET",
            f"{_ISSUE}/tags/{{key}}/values/",
            query={"environment": "environment", "sort": "sort", "limit": "per_page", "cursor": "cursor"},
        ),
        view=TAG_VALUE,
    ),
    Pair(
        entity="issue_hashes",
        action="list",
        params=IssueHashesList,
        kind=Kind.LIST,
        description="List the fingerprint hashes grouped into an issue, each with its latest event.",
        route=Route("GET", f"{_ISSUE}/hashes/", query={"limit": "per_page", "cursor": "cursor"}),
        view=HASH,
    ),
    Pair(
        entity="issue_notes",
        action="list",
        params=IssueNotesList,
        kind=Kind.LIST,
        description="List an issue's notes (comments), newest first.",
        route=Route("GET", f"{_ISSUE}/notes/", query={"limit": "per_page", "cursor": "cursor"}),
        view=NOTE,
    ),
    Pair(
        entity="issue_notes",
        action="create",
        params=IssueNoteCreate,
        kind=Kind.WRITE,
        description="Add a note (comment) to an issue; each call adds one.",
        route=Route("POST", f"{_ISSUE}/notes/", body={"text": "text"}),
        destructive=False,
        idempotent=False,
        write=WritePlan(verb="created", noun="note", keys=keep("id", "issue_id")),
    ),
    Pair(
        entity="event_ids",
        action="get",
        title="Find an event by id",
        params=EventIdGet,
        kind=Kind.GET,
        description="Find the project and issue an event id belongs to, with the event.",
        route=Route("GET", "/organizations/{organization_slug}/eventids/{event_id}/"),
        view=EVENT_LOOKUP,
    ),
]
