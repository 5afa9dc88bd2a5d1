"""What users saw and said: session replays and user feedback."""

from __future__ import annotations

from pydantic import Field

from ..views.issues import FEEDBACK
from ..views.replays import REPLAY, REPLAY_ROW
from .base import (
    TIME_WINDOW_QUERY,
    Cursor,
    Environments,
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


class ReplaysList(TimeWindow):
    """List an organization's session replays."""

    organization_slug: OrganizationSlug
    project_slug: ProjectFilter = None
    environment: Environments = None
    query: str | None = Field(None, max_length=1000, description="Search, e.g. 'count_errors:>0'.")
    sort: str | None = Field(
        None,
        pattern=r"^-?[a-z_.]+$",
        max_length=50,
        description="Field, '-' for descending, e.g. '-started_at'.",
    )
    limit: Limit = None
    cursor: Cursor = None


class ReplayGet(Params):
    """Identify one replay."""

    organization_slug: OrganizationSlug
    replay_id: str = Field(
        pattern=r"^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="Replay id (32 hex or UUID) or URL.",
    )


class UserFeedbackList(Params):
    """List a project's user feedback."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    limit: Limit = None
    cursor: Cursor = None


PAIRS = [
    Pair(
        entity="replays",
        action="list",
        params=ReplaysList,
        kind=Kind.LIST,
        description="List session replays: user, duration, errors, dead and rage clicks.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/replays/",
            query={
                "environment": "environment",
                "query": "query",
                "sort": "sort",
                **TIME_WINDOW_QUERY,
                "limit": "per_page",
                "cursor": "cursor",
            },
            project_ids={"project_slug": "project"},
            unwrap="data",
        ),
        view=REPLAY_ROW,
    ),
    Pair(
        entity="replays",
        action="get",
        params=ReplayGet,
        kind=Kind.GET,
        description="Get one session replay: user, browser, URLs, errors, clicks.",
        route=Route("GET", "/organizations/{organization_slug}/replays/{replay_id}/", unwrap="data"),
        view=REPLAY,
    ),
    Pair(
        entity="user_feedback",
        action="list",
        params=UserFeedbackList,
        kind=Kind.LIST,
        description="List a project's user feedback and crash reports, with the linked issue.",
        route=Route(
            "GET",
            "/projects/{organization_slug}/{project_slug}/user-feedback/",
            query={"limit": "per_page", "cursor": "cursor"},
        ),
        view=FEEDBACK,
    ),
]
