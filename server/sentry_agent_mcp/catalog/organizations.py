"""Organizations and who is in them: orgs (across regions), the current user, teams, members,
and the org-wide vocabularies agents filter by (environments, tag keys)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from ..views.organizations import MEMBER, ORGANIZATION, ORGANIZATION_ROW, TEAM, USER
from .base import (
    TIME_WINDOW_QUERY,
    Cursor,
    Environments,
    Host,
    Kind,
    Limit,
    OrganizationSlug,
    Pair,
    Params,
    ProjectFilter,
    Route,
    TimeWindow,
)

TeamSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="Team slug or id.",
    ),
]
SearchText = Annotated[str | None, Field(None, max_length=200, description="Name or slug contains this.")]


class OrganizationsList(Params):
    """List the organizations the token can see, in every region."""

    query: SearchText = None
    limit: Limit = None
    cursor: Cursor = None


class OrganizationGet(Params):
    """Identify one organization."""

    organization_slug: OrganizationSlug


class UsersMe(Params):
    """No params: the user behind the token."""


class TeamsList(Params):
    """List an organization's teams."""

    organization_slug: OrganizationSlug
    query: SearchText = None
    limit: Limit = None
    cursor: Cursor = None


class TeamGet(Params):
    """Identify one team."""

    organization_slug: OrganizationSlug
    team_slug: TeamSlug


class MembersList(Params):
    """List an organization's members, pending invites included."""

    organization_slug: OrganizationSlug
    query: str | None = Field(None, max_length=200, description="Search, e.g. 'email:jane@acme.com'.")
    limit: Limit = None
    cursor: Cursor = None


class Visibility(StrEnum):
    ALL = "all"
    VISIBLE = "visible"
    HIDDEN = "hidden"


class EnvironmentsList(Params):
    """List an organization's environments."""

    organization_slug: OrganizationSlug
    visibility: Visibility | None = Field(None, description="Default: visible.")
    limit: Limit = None  # Sentry answers in one page; the limit (and the 25-row default) is applied here


class TagDataset(StrEnum):
    EVENTS = "events"
    DISCOVER = "discover"
    SEARCH_ISSUES = "search_issues"
    REPLAYS = "replays"


class TagsList(TimeWindow):
    """List the tag keys seen in an organization, with how many values each has."""

    organization_slug: OrganizationSlug
    project_slug: ProjectFilter = None
    environment: Environments = None
    dataset: TagDataset | None = Field(None, description="Data to read tags from; default errors.")
    limit: Limit = None  # as for environments: one page from Sentry, cut here


PAIRS = [
    Pair(
        entity="organizations",
        action="list",
        params=OrganizationsList,
        kind=Kind.LIST,
        description="List the organizations the token sees, all regions merged: slug, name, region URL.",
        route=Route(
            "GET",
            "/organizations/",
            query={"query": "query", "limit": "per_page", "cursor": "cursor"},
            host=Host.CONTROL,
            across_regions=True,
        ),
        view=ORGANIZATION_ROW,
    ),
    Pair(
        entity="organizations",
        action="get",
        params=OrganizationGet,
        kind=Kind.GET,
        description="Get one organization: status, region links, your role, teams and projects.",
        route=Route("GET", "/organizations/{organization_slug}/"),
        view=ORGANIZATION,
    ),
    Pair(
        entity="users",
        action="me",
        title="Get current user",
        params=UsersMe,
        kind=Kind.GET,
        description="The user behind the token (id, name, email), e.g. to assign issues to oneself.",
        route=Route("GET", "/auth/", host=Host.CONTROL),
        view=USER,
    ),
    Pair(
        entity="teams",
        action="list",
        params=TeamsList,
        kind=Kind.LIST,
        description="List an organization's teams: slug, name, member count.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/teams/",
            query={"query": "query", "limit": "per_page", "cursor": "cursor"},
        ),
        view=TEAM,
    ),
    Pair(
        entity="teams",
        action="get",
        params=TeamGet,
        kind=Kind.GET,
        description="Get one team with its projects.",
        route=Route("GET", "/teams/{organization_slug}/{team_slug}/"),
        view=TEAM,
    ),
    Pair(
        entity="members",
        action="list",
        params=MembersList,
        kind=Kind.LIST,
        description="List an organization's members: user id (for assigned_to), email, role, teams.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/members/",
            query={"query": "query", "limit": "per_page", "cursor": "cursor"},
        ),
        view=MEMBER,
    ),
    Pair(
        entity="environments",
        action="list",
        params=EnvironmentsList,
        kind=Kind.LIST,
        description="List an organization's environments.",
        route=Route("GET", "/organizations/{organization_slug}/environments/", query={"visibility": "visibility"}),
    ),
    Pair(
        entity="tags",
        action="list",
        params=TagsList,
        kind=Kind.LIST,
        description="List the tag keys seen in an organization, with value counts.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/tags/",
            query={**TIME_WINDOW_QUERY, "environment": "environment", "dataset": "dataset"},
            project_ids={"project_slug": "project"},
        ),
    ),
]
