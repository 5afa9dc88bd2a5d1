"""Projects: the units that own issues, events and releases."""

from __future__ import annotations

from .base import Cursor, Kind, Limit, OrganizationSlug, Pair, Params, ProjectSlug, Route


class ProjectsList(Params):
    """List every project the token can see, across organizations."""

    cursor: Cursor = None
    limit: Limit = None


class ProjectGet(Params):
    """Identify one project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug


_PROJECT_ROUTE = Route("GET", "/projects/{organization_slug}/{project_slug}/")

PAIRS = [
    Pair(
        "projects",
        "list",
        ProjectsList,
        Kind.LIST,
        "List the projects the token can see (slug, name, platform, organization).",
        Route("GET", "/projects/", query={"cursor": "cursor", "limit": "per_page"}),
    ),
    Pair(
        "projects",
        "get",
        ProjectGet,
        Kind.GET,
        "Get one project's details: platform, teams, options, latest release.",
        _PROJECT_ROUTE,
    ),
    Pair(
        "project_detail",
        "get",
        ProjectGet,
        Kind.GET,
        "Get one project's details (same call as sentry_projects_get; kept for the Airbyte connector).",
        _PROJECT_ROUTE,
    ),
]
