"""Events: single occurrences with stack traces and breadcrumbs, and Discover queries over them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from ..views.events import EVENT, EVENT_ROW
from .base import (
    TIME_WINDOW_QUERY,
    Cursor,
    Environments,
    HostedCall,
    Kind,
    Limit,
    OrganizationSlug,
    Pair,
    Params,
    ProjectFilter,
    ProjectSlug,
    Route,
    TimeWindow,
)
from .search_syntax import EVENT_QUERY


class EventsList(Params):
    """List a project's recent events."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    full: bool | None = Field(None, description="true: with stack traces.")
    limit: Limit = None
    cursor: Cursor = None


class EventGet(Params):
    """Identify one event of a project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    event_id: str = Field(pattern=r"^[0-9a-fA-F]{32}$", description="Event id (32 hex) or URL.")


class Dataset(StrEnum):
    ERRORS = "errors"
    SPANS = "spans"
    LOGS = "logs"
    TRANSACTIONS = "transactions"
    DISCOVER = "discover"


Column = Annotated[str, Field(min_length=1, max_length=200)]


class DiscoverQuery(TimeWindow):
    """Query events as a table: pick columns and aggregates, filter, sort."""

    organization_slug: OrganizationSlug
    field: list[Column] = Field(
        min_length=1,
        max_length=20,
        description="Columns, e.g. ['title', 'count()', 'count_unique(user)'].",
    )
    dataset: Dataset = Field(Dataset.ERRORS, description="transactions: old servers.")
    query: str | None = Field(None, max_length=1000, description=EVENT_QUERY)
    sort: str | None = Field(None, max_length=200, description="A field, '-' for descending.")
    project_slug: ProjectFilter = None
    environment: Environments = None
    limit: Limit = None
    cursor: Cursor = None

    @model_validator(mode="after")
    def _sort_is_a_field(self) -> Self:
        if self.sort is not None and self.sort.removeprefix("-") not in self.field:
            raise ValueError(f"sort must be one of the fields ({', '.join(self.field)}), optionally with '-'")
        return self


PAIRS = [
    Pair(
        entity="events",
        action="list",
        params=EventsList,
        kind=Kind.LIST,
        description="List a project's recent events, newest first; full=true adds stack traces.",
        route=Route(
            "GET",
            "/projects/{organization_slug}/{project_slug}/events/",
            query={"limit": "per_page", "cursor": "cursor"},
            flags={"full": "full"},
        ),
        hosted=HostedCall(params=("organization_slug", "project_slug", "full", "cursor")),
        view=EVENT_ROW,
    ),
    Pair(
        entity="events",
        action="get",
        params=EventGet,
        kind=Kind.GET,
        description="Get one event: exception, in-app frames with code, breadcrumbs, request, tags, user.",
        route=Route("GET", "/projects/{organization_slug}/{project_slug}/events/{event_id}/"),
        hosted=HostedCall(params=("organization_slug", "project_slug", "event_id")),
        view=EVENT,
    ),
    Pair(
        entity="discover",
        action="query",
        title="Query events (Discover)",
        params=DiscoverQuery,
        kind=Kind.LIST,
        description="Query events as a table (Discover): counts by title, release, user...; meta.columns types them.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/events/",
            query={
                "field": "field",
                "dataset": "dataset",
                "query": "query",
                "sort": "sort",
                "environment": "environment",
                **TIME_WINDOW_QUERY,
                "limit": "per_page",
                "cursor": "cursor",
            },
            project_ids={"project_slug": "project"},
            unwrap="data",
        ),
    ),
]
