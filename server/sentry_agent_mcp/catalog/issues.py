"""Issues: groups of similar events, the unit an agent triages, and the one write agents need most."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from ..views.issues import ISSUE, ISSUE_ROW
from .base import (
    TIME_WINDOW_QUERY,
    Cursor,
    Environments,
    HostedCall,
    Kind,
    LeanQuery,
    Limit,
    OrganizationSlug,
    Pair,
    Params,
    ProjectFilter,
    Route,
    TimeWindow,
)
from .search_syntax import ISSUE_QUERY
from .writing import FollowUp, WritePlan, keep

IssueId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$",
        description="Issue id, short id ('WEB-1A') or URL.",
    ),
]


class IssueSort(StrEnum):
    DATE = "date"
    NEW = "new"
    FREQ = "freq"
    USER = "user"
    TRENDS = "trends"
    INBOX = "inbox"
    RECOMMENDED = "recommended"


class IssuesList(TimeWindow):
    """List an organization's issues, optionally one project's."""

    organization_slug: OrganizationSlug
    project_slug: ProjectFilter = None
    query: str | None = Field(None, max_length=1000, description=ISSUE_QUERY)
    sort: IssueSort | None = Field(None, description="date = last seen (default), new = first seen.")
    environment: Environments = None
    limit: Limit = None
    cursor: Cursor = None


class IssueGet(Params):
    """Identify one issue."""

    organization_slug: OrganizationSlug
    issue_id: IssueId


class IssueStatus(StrEnum):
    RESOLVED = "resolved"
    RESOLVED_IN_NEXT_RELEASE = "resolvedInNextRelease"
    UNRESOLVED = "unresolved"
    IGNORED = "ignored"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_IGNORE_FIELDS = ("ignore_duration", "ignore_count", "ignore_window", "ignore_user_count", "ignore_user_window")


class IssueUpdate(IssueGet):
    """Change one issue; only the fields given change."""

    status: IssueStatus | None = Field(None, description="ignored = archived.")
    in_release: str | None = Field(
        None, max_length=250, description="With status=resolved: in this release (or 'latest')."
    )
    ignore_duration: int | None = Field(
        None, ge=1, le=525600, description="With status=ignored: for this many minutes."
    )
    ignore_count: int | None = Field(
        None, ge=1, le=1_000_000, description="With status=ignored: until this many more events."
    )
    ignore_window: int | None = Field(None, ge=1, le=10080, description="Minutes ignore_count is counted over.")
    ignore_user_count: int | None = Field(
        None, ge=1, le=1_000_000, description="With status=ignored: until this many more users."
    )
    ignore_user_window: int | None = Field(
        None, ge=1, le=10080, description="Minutes ignore_user_count is counted over."
    )
    assigned_to: str | None = Field(
        None,
        max_length=200,
        description="'user:<id>', 'team:<id>', username or email; '' unassigns.",
    )
    priority: Priority | None = Field(None, description="Issue priority.")
    is_bookmarked: bool | None = Field(None, description="Bookmark for the token's user.")
    has_seen: bool | None = Field(None, description="Mark seen for the token's user.")
    is_subscribed: bool | None = Field(None, description="Subscribe the token's user.")
    note: str | None = Field(None, min_length=1, max_length=5000, description="Also post this note (Markdown).")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        changes = self.model_dump(exclude_none=True, exclude={"organization_slug", "issue_id", "note"})
        if not changes:
            raise ValueError(
                "give at least one change (status, assigned_to, priority, ...); a note alone: sentry_issue_notes_create"
            )
        if self.in_release is not None and self.status != IssueStatus.RESOLVED:
            raise ValueError("in_release needs status='resolved'")
        ignoring = [name for name in _IGNORE_FIELDS if getattr(self, name) is not None]
        if ignoring and self.status != IssueStatus.IGNORED:
            raise ValueError(f"{', '.join(ignoring)} need status='ignored'")
        return self


def issue_update_body(values: dict[str, Any]) -> dict[str, Any]:
    """Sentry's mutation body: camelCase fields and ``statusDetails`` built from the flat params."""
    body: dict[str, Any] = {}
    renames = {
        "status": "status",
        "assigned_to": "assignedTo",
        "priority": "priority",
        "is_bookmarked": "isBookmarked",
        "has_seen": "hasSeen",
        "is_subscribed": "isSubscribed",
    }
    for name, sentry_name in renames.items():
        if name in values:
            body[sentry_name] = values[name]
    details = {
        sentry_name: values[name]
        for name, sentry_name in (
            ("in_release", "inRelease"),
            ("ignore_duration", "ignoreDuration"),
            ("ignore_count", "ignoreCount"),
            ("ignore_window", "ignoreWindow"),
            ("ignore_user_count", "ignoreUserCount"),
            ("ignore_user_window", "ignoreUserWindow"),
        )
        if name in values
    }
    if body.get("status") == IssueStatus.RESOLVED_IN_NEXT_RELEASE:
        details["inNextRelease"] = True
    if details:
        body["statusDetails"] = details
    return body


_ISSUE = "/organizations/{organization_slug}/issues/{issue_id}"

STREAM_COLLAPSE = (
    LeanQuery("collapse", "stats", removes=("stats", "lifetime", "filtered", "sessionCount")),
    LeanQuery("collapse", "lifetime", removes=("lifetime",)),
    LeanQuery("collapse", "filtered", removes=("filtered",)),
    LeanQuery("collapse", "unhandled", removes=("isUnhandled",)),
)
"""What the issue row never shows, left out of ``GET /organizations/{org}/issues/`` (Sentry's ``collapse``; README,
"Results"): the per-issue time series (``stats`` also drops ``lifetime``, ``filtered`` and ``sessionCount``), the
lifetime and filtered counts (a seen-stats query each, with a time window or a search), and ``isUnhandled`` (a query
of its own). ``base`` would drop the row's own fields."""

PAIRS = [
    Pair(
        entity="issues",
        action="list",
        params=IssuesList,
        kind=Kind.LIST,
        description="Search an organization's issues (unresolved by default), optionally one project's.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/issues/",
            query={
                "query": "query",
                "sort": "sort",
                "environment": "environment",
                **TIME_WINDOW_QUERY,
                "limit": "limit",
                "cursor": "cursor",
            },
            project_ids={"project_slug": "project"},
            compact_query=STREAM_COLLAPSE,
        ),
        hosted=HostedCall(
            params=("organization_slug", "project_slug", "query", "stats_period", "cursor"),
            required=("project_slug",),
            rename={"stats_period": "statsPeriod"},
        ),
        view=ISSUE_ROW,
    ),
    Pair(
        entity="issues",
        action="get",
        params=IssueGet,
        kind=Kind.GET,
        description="Get one issue by id or short id: status, counts, first/last seen, assignee, permalink.",
        route=Route("GET", "/organizations/{organization_slug}/issues/{issue_id}/"),
        hosted=HostedCall(params=("organization_slug", "issue_id")),
        view=ISSUE,
    ),
    Pair(
        entity="issues",
        action="update",
        params=IssueUpdate,
        kind=Kind.WRITE,
        description=(
            "Resolve, ignore (archive), reopen, assign, prioritise, bookmark or subscribe to one issue, "
            "optionally leaving a note."
        ),
        route=Route("PUT", f"{_ISSUE}/", build_body=issue_update_body, idempotent=True),
        destructive=True,
        idempotent=False,  # with a note, a second call adds a second note
        write=WritePlan(
            verb="updated",
            noun="issue",
            keys=keep("id", "shortId"),
            follow_up=FollowUp("note", Route("POST", f"{_ISSUE}/notes/", body={"note": "text"}), "note"),
        ),
    ),
]
