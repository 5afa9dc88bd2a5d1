"""Setting Sentry up: create a team, a project or a client key (DSN), and change a project's settings.

Writes, listed only when SENTRY_MCP_ALLOW_WRITES is on; each answers with a short confirmation
(``catalog/writing.py``). A new key's answer holds its public DSN, never its secret.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from .base import Kind, OrganizationSlug, Pair, Params, ProjectSlug, Route
from .organizations import TeamSlug
from .writing import WritePlan, keep

NewSlug = Annotated[
    str | None,
    Field(
        None,
        max_length=50,
        pattern=r"^[a-z0-9_\-]*[a-z_\-][a-z0-9_\-]*$",
        description="Lowercase letters, digits, - and _; not all digits. Default: from the name.",
    ),
]
Platform = Annotated[
    str | None,
    Field(None, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$", description="e.g. 'python-django', 'node'."),
]


class TeamCreate(Params):
    """Create a team in an organization."""

    organization_slug: OrganizationSlug
    slug: NewSlug = None
    name: str | None = Field(None, min_length=1, max_length=64, description="Display name; default: the slug.")

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.slug is None and self.name is None:
            raise ValueError("give slug or name (or both)")
        return self


class ProjectCreate(Params):
    """Create a project owned by a team."""

    organization_slug: OrganizationSlug
    team_slug: TeamSlug
    name: str = Field(min_length=1, max_length=50, description="Project name.")
    slug: NewSlug = None
    platform: Platform = None
    default_rules: bool | None = Field(None, description="false: no default alert on every new issue.")


class ProjectUpdate(Params):
    """Change a project's settings; only the fields given change."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    name: str | None = Field(None, min_length=1, max_length=200, description="New name.")
    slug: NewSlug = None
    platform: Platform = None
    is_bookmarked: bool | None = Field(None, description="Star it for the token's user.")
    subject_prefix: str | None = Field(None, max_length=200, description="Prefix of its alert emails.")
    resolve_age: int | None = Field(None, ge=0, le=8760, description="Auto-resolve after this many idle hours; 0 off.")

    @model_validator(mode="after")
    def _changes(self) -> Self:
        if not self.model_dump(exclude_none=True, exclude={"organization_slug", "project_slug"}):
            raise ValueError("give at least one change (name, slug, platform, ...)")
        return self


class ProjectKeyCreate(Params):
    """Create a client key (DSN) for a project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    name: str | None = Field(None, min_length=1, max_length=64, description="Key name; default: generated.")
    rate_limit_count: int | None = Field(None, ge=0, le=100_000_000, description="Max events per window.")
    rate_limit_window: int | None = Field(None, ge=0, le=86400, description="Window in seconds (with count).")

    @model_validator(mode="after")
    def _rate(self) -> Self:
        if (self.rate_limit_count is None) != (self.rate_limit_window is None):
            raise ValueError("give rate_limit_count and rate_limit_window together")
        return self


def project_key_body(values: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"name": values["name"]} if "name" in values else {}
    if "rate_limit_count" in values:
        body["rateLimit"] = {"count": values["rate_limit_count"], "window": values["rate_limit_window"]}
    return body


_PROJECT = "/projects/{organization_slug}/{project_slug}/"

PAIRS = [
    Pair(
        entity="teams",
        action="create",
        params=TeamCreate,
        kind=Kind.WRITE,
        description="Create a team.",
        route=Route("POST", "/organizations/{organization_slug}/teams/", body={"slug": "slug", "name": "name"}),
        write=WritePlan(verb="created", noun="team", keys=keep("id", "slug", "name")),
    ),
    Pair(
        entity="projects",
        action="create",
        params=ProjectCreate,
        kind=Kind.WRITE,
        description="Create a project owned by a team; then sentry_project_keys_create for a DSN if needed.",
        route=Route(
            "POST",
            "/teams/{organization_slug}/{team_slug}/projects/",
            body={"name": "name", "slug": "slug", "platform": "platform", "default_rules": "default_rules"},
        ),
        write=WritePlan(verb="created", noun="project", keys=keep("id", "slug", "name", "platform", team="team.slug")),
    ),
    Pair(
        entity="projects",
        action="update",
        params=ProjectUpdate,
        kind=Kind.WRITE,
        description="Rename a project or change its platform, bookmark, email prefix or auto-resolve age.",
        route=Route(
            "PUT",
            _PROJECT,
            body={
                "name": "name",
                "slug": "slug",
                "platform": "platform",
                "is_bookmarked": "isBookmarked",
                "subject_prefix": "subjectPrefix",
                "resolve_age": "resolveAge",
            },
        ),
        destructive=True,
        idempotent=True,
        write=WritePlan(verb="updated", noun="project", keys=keep("id", "slug")),
    ),
    Pair(
        entity="project_keys",
        action="create",
        params=ProjectKeyCreate,
        kind=Kind.WRITE,
        description="Create a client key for a project: answers its public DSN (the secret is never returned).",
        route=Route("POST", f"{_PROJECT}keys/", build_body=project_key_body, drop=("secret", "dsn.secret")),
        write=WritePlan(verb="created", noun="client key", keys=keep("id", "name", dsn="dsn.public")),
    ),
]
