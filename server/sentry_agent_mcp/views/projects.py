"""Projects and their client keys."""

from __future__ import annotations

from .base import View

PROJECT_ROW = View(
    keep=("id", "slug", "name", "platform", "status", "organization.slug", "teams.slug", "firstEvent", "hasAccess")
)

PROJECT = View(
    keep=(
        "id",
        "slug",
        "name",
        "platform",
        "status",
        "dateCreated",
        "firstEvent",
        "organization.slug",
        "team.slug",
        "teams.id",
        "teams.slug",
        "latestRelease.version",
        "latestDeploys",
        "environments",
        "isBookmarked",
        "isMember",
        "hasAccess",
        "hasSessions",
        "hasReplays",
        "hasMonitors",
        "hasFeedbacks",
        "hasProfiles",
        "resolveAge",
        "subjectPrefix",
        "platforms",
    )
)

CLIENT_KEY = View(
    keep=("id", "name", "label", "public", "isActive", "dateCreated", "rateLimit", "dsn.public", "dsn.cdn", "projectId")
)
"""A client key: the public DSN (the secret parts are dropped by the route before any view)."""
