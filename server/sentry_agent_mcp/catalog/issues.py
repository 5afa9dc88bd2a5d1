"""Issues: groups of similar events, the unit an agent triages."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from .base import Cursor, Kind, Limit, OrganizationSlug, Pair, Params, ProjectSlug, Route


class ProjectStatsPeriod(StrEnum):
    """The only stats periods the project issue list accepts (Sentry answers 400 to others)."""

    NONE = ""
    DAY = "24h"
    TWO_WEEKS = "14d"


class IssuesList(Params):
    """List a project's issues, newest activity first."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    query: str | None = Field(
        None,
        max_length=1000,
        description=(
            "Sentry issue search, e.g. 'is:unresolved level:error'. Omitted means 'is:unresolved'; "
            "send an empty string for every status."
        ),
    )
    stats_period: ProjectStatsPeriod | None = Field(
        None, description="Period of the per-issue event-count series: '24h', '14d' or '' for none."
    )
    limit: Limit = None
    cursor: Cursor = None


class IssueGet(Params):
    """Identify one issue."""

    organization_slug: OrganizationSlug
    issue_id: str = Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$",
        description="Numeric issue id ('4821') or short id ('WEB-1A').",
    )


PAIRS = [
    Pair(
        "issues",
        "list",
        IssuesList,
        Kind.LIST,
        "List a project's issues (unresolved by default) with counts, level, status and last seen.",
        Route(
            "GET",
            "/projects/{organization_slug}/{project_slug}/issues/",
            query={"query": "query", "stats_period": "statsPeriod", "limit": "limit", "cursor": "cursor"},
        ),
    ),
    Pair(
        "issues",
        "get",
        IssueGet,
        Kind.GET,
        "Get one issue by numeric or short id: title, culprit, status, counts, first/last seen, assignee.",
        Route("GET", "/organizations/{organization_slug}/issues/{issue_id}/"),
    ),
]

__all__ = ["PAIRS", "IssueGet", "IssuesList", "ProjectStatsPeriod"]
