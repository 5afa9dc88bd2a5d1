"""Releases: versions of the code, with their deploys and commits."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .base import Cursor, Kind, Limit, OrganizationSlug, Pair, Params, Route, not_dot_segment


class ReleasesList(Params):
    """List an organization's releases, newest first."""

    organization_slug: OrganizationSlug
    query: str | None = Field(None, max_length=200, description="Only versions containing this text.")
    limit: Limit = None
    cursor: Cursor = None


class ReleaseGet(Params):
    """Identify one release."""

    organization_slug: OrganizationSlug
    version: Annotated[str, AfterValidator(not_dot_segment)] = Field(
        min_length=1,
        max_length=250,
        description="The release version exactly as Sentry shows it, e.g. 'frontend@1.2.3+45'.",
    )


PAIRS = [
    Pair(
        "releases",
        "list",
        ReleasesList,
        Kind.LIST,
        "List an organization's releases: version, projects, new issues, deploys, commit count.",
        Route(
            "GET",
            "/organizations/{organization_slug}/releases/",
            query={"query": "query", "limit": "per_page", "cursor": "cursor"},
        ),
    ),
    Pair(
        "releases",
        "get",
        ReleaseGet,
        Kind.GET,
        "Get one release by version: dates, projects, authors, last deploy and commit.",
        Route("GET", "/organizations/{organization_slug}/releases/{version}/"),
    ),
]
