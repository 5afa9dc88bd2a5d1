"""Projects: the units that own issues, events and releases, and their client keys (DSNs)."""

from __future__ import annotations

from pydantic import Field

from ..views.projects import CLIENT_KEY, PROJECT, PROJECT_ROW
from .base import Cursor, HostedCall, Kind, Limit, OrganizationSlug, Pair, Params, ProjectSlug, Route


class ProjectsList(Params):
    """List projects: an organization's when one is known, else every project the token can see."""

    organization_slug: OrganizationSlug | None = Field(None, description="Organization slug or id; omit for all.")
    query: str | None = Field(None, max_length=200, description="Name or slug contains this.")
    cursor: Cursor = None
    limit: Limit = None


class ProjectGet(Params):
    """Identify one project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug


class ProjectKeysList(ProjectGet):
    """List a project's client keys."""

    limit: Limit = None
    cursor: Cursor = None


_PROJECT_ROUTE = Route("GET", "/projects/{organization_slug}/{project_slug}/")

PAIRS = [
    Pair(
        entity="projects",
        action="list",
        params=ProjectsList,
        kind=Kind.LIST,
        description="List projects (slug, name, platform): an organization's, or all the token sees.",
        route=(
            Route(
                "GET",
                "/organizations/{organization_slug}/projects/",
                query={"query": "query", "cursor": "cursor", "limit": "per_page"},
            ),
            Route("GET", "/projects/", query={"query": "query", "cursor": "cursor", "limit": "per_page"}),
        ),
        hosted=HostedCall(params=("cursor",)),
        view=PROJECT_ROW,
    ),
    Pair(
        entity="projects",
        action="get",
        params=ProjectGet,
        kind=Kind.GET,
        description="Get one project: platform, teams, latest release, which data it has.",
        route=_PROJECT_ROUTE,
        hosted=HostedCall(params=("organization_slug", "project_slug")),
        view=PROJECT,
    ),
    Pair(
        entity="project_detail",
        action="get",
        params=ProjectGet,
        kind=Kind.GET,
        description="Same as sentry_projects_get (kept for the Airbyte connector).",
        route=_PROJECT_ROUTE,
        hosted=HostedCall(params=("organization_slug", "project_slug")),
        view=PROJECT,
    ),
    Pair(
        entity="project_keys",
        action="list",
        params=ProjectKeysList,
        kind=Kind.LIST,
        description="List a project's client keys: public DSNs (secrets are never returned).",
        route=Route(
            "GET",
            "/projects/{organization_slug}/{project_slug}/keys/",
            query={"limit": "per_page", "cursor": "cursor"},
            drop=("secret", "dsn.secret"),
        ),
        view=CLIENT_KEY,
    ),
]
