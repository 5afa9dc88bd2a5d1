"""Events: single occurrences, with stack traces and breadcrumbs."""

from __future__ import annotations

from pydantic import Field

from .base import Cursor, Kind, Limit, OrganizationSlug, Pair, Params, ProjectSlug, Route


class EventsList(Params):
    """List a project's recent events."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    full: bool | None = Field(
        None, description="true to include each event's full body (stack traces, breadcrumbs); large."
    )
    limit: Limit = None
    cursor: Cursor = None


class EventGet(Params):
    """Identify one event of a project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    event_id: str = Field(pattern=r"^[0-9a-fA-F]{32}$", description="The event id: 32 hexadecimal characters.")


PAIRS = [
    Pair(
        "events",
        "list",
        EventsList,
        Kind.LIST,
        "List a project's recent events (newest first); full=true adds stack traces.",
        Route(
            "GET",
            "/projects/{organization_slug}/{project_slug}/events/",
            query={"limit": "per_page", "cursor": "cursor"},
            flags={"full": "full"},
        ),
    ),
    Pair(
        "events",
        "get",
        EventGet,
        Kind.GET,
        "Get one event with its stack trace, breadcrumbs, request, tags and user.",
        Route("GET", "/projects/{organization_slug}/{project_slug}/events/{event_id}/"),
    ),
]
