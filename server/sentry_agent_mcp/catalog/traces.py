"""Performance: a trace's span tree (with its errors) and one sampled profile's hottest frames."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..views.profiles import PROFILE
from ..views.traces import TRACE
from .base import (
    TIME_WINDOW_QUERY,
    Companion,
    Kind,
    OrganizationSlug,
    Pair,
    Params,
    ProjectSlug,
    Route,
    TimeWindow,
)

TraceId = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{32}$", description="Trace id (32 hex) or URL.")]
ProfileId = Annotated[
    str,
    Field(pattern=r"^[0-9a-fA-F]{32}$|^[0-9]{1,20}$", description="Profile id (32 hex) or URL."),
]


class TraceGet(TimeWindow):
    """Identify one trace (its spans are searched in the time window; Sentry's default is 90 days)."""

    organization_slug: OrganizationSlug
    trace_id: TraceId


class ProfileGet(Params):
    """Identify one profile of a project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    profile_id: ProfileId


PAIRS = [
    Pair(
        entity="traces",
        action="get",
        params=TraceGet,
        kind=Kind.GET,
        description="Get a trace: its errors and span tree, slowest and failing spans first, with span counts.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/trace/{trace_id}/",
            query=TIME_WINDOW_QUERY,
            wrap="spans",
            companions=(
                Companion("meta", "/organizations/{organization_slug}/trace-meta/{trace_id}/", query=TIME_WINDOW_QUERY),
            ),
        ),
        view=TRACE,
    ),
    Pair(
        entity="profiles",
        action="get",
        params=ProfileGet,
        kind=Kind.GET,
        description="Get a profile's hottest frames (self and total share of samples), not the raw samples.",
        route=Route("GET", "/projects/{organization_slug}/{project_slug}/profiling/profiles/{profile_id}/"),
        view=PROFILE,
    ),
]
