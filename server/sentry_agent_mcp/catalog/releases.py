"""Releases: versions of the code, with their deploys and commits."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from .base import (
    Cursor,
    Environments,
    HostedCall,
    Kind,
    Limit,
    OrganizationSlug,
    Pair,
    Params,
    ProjectFilter,
    Route,
    not_dot_segment,
)

Version = Annotated[
    str,
    AfterValidator(not_dot_segment),
    Field(
        min_length=1,
        max_length=250,
        description="The release version exactly as Sentry shows it, e.g. 'frontend@1.2.3+45'.",
    ),
]


class ReleasesList(Params):
    """List an organization's releases, newest first."""

    organization_slug: OrganizationSlug
    query: str | None = Field(None, max_length=200, description="Only versions containing this text.")
    project_slug: ProjectFilter = None
    environment: Environments = None
    limit: Limit = None
    cursor: Cursor = None


class ReleaseGet(Params):
    """Identify one release."""

    organization_slug: OrganizationSlug
    version: Version


class ReleasePage(ReleaseGet):
    """One page of something a release holds."""

    cursor: Cursor = None


_RELEASE = "/organizations/{organization_slug}/releases/{version}"

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
            query={"query": "query", "environment": "environment", "limit": "per_page", "cursor": "cursor"},
            project_ids={"project_slug": "project"},
        ),
        hosted=HostedCall(params=("organization_slug", "query", "cursor")),
    ),
    Pair(
        "releases",
        "get",
        ReleaseGet,
        Kind.GET,
        "Get one release by version: dates, projects, authors, last deploy and commit.",
        Route("GET", f"{_RELEASE}/"),
        hosted=HostedCall(params=("organization_slug", "version")),
    ),
    Pair(
        "release_deploys",
        "list",
        ReleasePage,
        Kind.LIST,
        "List where and when a release was deployed (environment, start and finish).",
        Route("GET", f"{_RELEASE}/deploys/", query={"cursor": "cursor"}),
    ),
    Pair(
        "release_commits",
        "list",
        ReleasePage,
        Kind.LIST,
        "List the commits in a release (message, author, repository): what changed.",
        Route("GET", f"{_RELEASE}/commits/", query={"cursor": "cursor"}),
    ),
]
