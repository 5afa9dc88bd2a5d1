"""Releases: versions of the code, with their deploys and commits."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from ..views.releases import COMMIT, DEPLOY, RELEASE, RELEASE_ROW
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
        description="Version as Sentry shows it ('web@1.2.3') or URL.",
    ),
]


class ReleasesList(Params):
    """List an organization's releases, newest first."""

    organization_slug: OrganizationSlug
    query: str | None = Field(None, max_length=200, description="Version contains this.")
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

    limit: Limit = None
    cursor: Cursor = None


_RELEASE = "/organizations/{organization_slug}/releases/{version}"

PAIRS = [
    Pair(
        entity="releases",
        action="list",
        params=ReleasesList,
        kind=Kind.LIST,
        description="List an organization's releases: version, dates, new issues, commits, last deploy.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/releases/",
            query={"query": "query", "environment": "environment", "limit": "per_page", "cursor": "cursor"},
            project_ids={"project_slug": "project"},
        ),
        hosted=HostedCall(params=("organization_slug", "query", "cursor")),
        view=RELEASE_ROW,
    ),
    Pair(
        entity="releases",
        action="get",
        params=ReleaseGet,
        kind=Kind.GET,
        description="Get one release: dates, projects, authors, last deploy and commit.",
        route=Route("GET", f"{_RELEASE}/"),
        hosted=HostedCall(params=("organization_slug", "version")),
        view=RELEASE,
    ),
    Pair(
        entity="release_deploys",
        action="list",
        params=ReleasePage,
        kind=Kind.LIST,
        description="List a release's deploys: environment, start and finish.",
        route=Route("GET", f"{_RELEASE}/deploys/", query={"limit": "per_page", "cursor": "cursor"}),
        view=DEPLOY,
    ),
    Pair(
        entity="release_commits",
        action="list",
        params=ReleasePage,
        kind=Kind.LIST,
        description="List a release's commits: message, author, repository.",
        route=Route("GET", f"{_RELEASE}/commits/", query={"limit": "per_page", "cursor": "cursor"}),
        view=COMMIT,
    ),
]
