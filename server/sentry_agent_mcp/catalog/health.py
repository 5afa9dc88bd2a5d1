"""How much and how healthy: event and outcome counts, and release health (crash-free sessions)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from .base import TIME_WINDOW_QUERY, Environments, Kind, OrganizationSlug, Pair, ProjectFilter, Route, TimeWindow

Interval = Annotated[str | None, Field(None, pattern=r"^\d{1,3}[mhd]$", description="Bucket size, e.g. '1h'.")]


class StatsField(StrEnum):
    QUANTITY = "sum(quantity)"
    TIMES_SEEN = "sum(times_seen)"


class StatsGroup(StrEnum):
    OUTCOME = "outcome"
    CATEGORY = "category"
    REASON = "reason"
    PROJECT = "project"


class StatsCategory(StrEnum):
    ERROR = "error"
    TRANSACTION = "transaction"
    SPAN = "span"
    ATTACHMENT = "attachment"
    REPLAY = "replay"
    PROFILE = "profile"
    MONITOR = "monitor"


class StatsOutcome(StrEnum):
    ACCEPTED = "accepted"
    FILTERED = "filtered"
    RATE_LIMITED = "rate_limited"
    INVALID = "invalid"
    ABUSE = "abuse"
    CLIENT_DISCARD = "client_discard"


class StatsGet(TimeWindow):
    """Count events Sentry received, kept, filtered or dropped, over time."""

    organization_slug: OrganizationSlug
    field: StatsField = Field(StatsField.QUANTITY, description="sum(times_seen) for sessions.")
    group_by: list[StatsGroup] = Field(
        default_factory=lambda: [StatsGroup.OUTCOME, StatsGroup.CATEGORY],
        min_length=1,
        max_length=4,
        description="Needs category here or filtered.",
    )
    category: StatsCategory | None = Field(None, description="Only this category.")
    outcome: StatsOutcome | None = Field(None, description="Only this outcome.")
    project_slug: ProjectFilter = None
    interval: Interval = None


class SessionField(StrEnum):
    SESSIONS = "sum(session)"
    USERS = "count_unique(user)"
    CRASH_FREE_SESSIONS = "crash_free_rate(session)"
    CRASH_FREE_USERS = "crash_free_rate(user)"
    CRASH_RATE = "crash_rate(session)"


class SessionGroup(StrEnum):
    PROJECT = "project"
    RELEASE = "release"
    ENVIRONMENT = "environment"
    STATUS = "session.status"


class SessionsQuery(TimeWindow):
    """Release health: sessions, users and crash-free rates, grouped."""

    organization_slug: OrganizationSlug
    field: list[SessionField] = Field(
        default_factory=lambda: [SessionField.CRASH_FREE_SESSIONS, SessionField.CRASH_FREE_USERS],
        min_length=1,
        max_length=5,
        description="Metrics to compute.",
    )
    group_by: list[SessionGroup] = Field(
        default_factory=lambda: [SessionGroup.RELEASE],
        max_length=3,
        description="Default: release.",
    )
    query: str | None = Field(None, max_length=500, description="Filter, e.g. 'release:web@2.4.0'.")
    project_slug: ProjectFilter = None
    environment: Environments = None
    interval: Interval = None


PAIRS = [
    Pair(
        entity="stats",
        action="get",
        title="Get event volume stats",
        params=StatsGet,
        kind=Kind.GET,
        description="Count events accepted, filtered or rate-limited over time, by outcome, category, project.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/stats_v2/",
            query={
                "field": "field",
                "group_by": "groupBy",
                "category": "category",
                "outcome": "outcome",
                **TIME_WINDOW_QUERY,
                "interval": "interval",
            },
            project_ids={"project_slug": "project"},
        ),
    ),
    Pair(
        entity="sessions",
        action="query",
        params=SessionsQuery,
        kind=Kind.GET,
        description="Release health: crash-free sessions and users by release, project or environment.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/sessions/",
            query={
                "field": "field",
                "group_by": "groupBy",
                "query": "query",
                "environment": "environment",
                **TIME_WINDOW_QUERY,
                "interval": "interval",
            },
            project_ids={"project_slug": "project"},
        ),
    ),
]
