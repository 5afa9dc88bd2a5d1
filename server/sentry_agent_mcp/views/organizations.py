"""Organizations and people: slugs, names, regions and roles; no feature lists, avatars or flags."""

from __future__ import annotations

from .base import View

ORGANIZATION_ROW = View(keep=("id", "slug", "name", "status.id", "links.regionUrl"))

ORGANIZATION = View(
    keep=(
        "id",
        "slug",
        "name",
        "status.id",
        "dateCreated",
        "links",
        "orgRole",
        "isEarlyAdopter",
        "require2FA",
        "openMembership",
        "quota",
        "teams.id",
        "teams.slug",
        "teams.name",
        "projects.id",
        "projects.slug",
        "projects.platform",
    )
)

USER = View(keep=("id", "name", "username", "email", "isActive", "dateJoined", "lastLogin", "lastActive", "has2fa"))

TEAM = View(
    keep=("id", "slug", "name", "dateCreated", "isMember", "teamRole", "memberCount", "projects.id", "projects.slug")
)

MEMBER = View(
    keep=(
        "id",
        "email",
        "name",
        "user.id",
        "user.username",
        "orgRole",
        "pending",
        "expired",
        "inviteStatus",
        "dateCreated",
        "teams",
        "projects",
    )
)
"""A member: the ``user.id`` is what ``issues update assigned_to='user:<id>'`` takes."""
