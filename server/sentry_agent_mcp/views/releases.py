"""Releases, their deploys and commits: what changed, where and when."""

from __future__ import annotations

from .base import View

_DEPLOY = ("lastDeploy.id", "lastDeploy.environment", "lastDeploy.dateStarted", "lastDeploy.dateFinished")

RELEASE_ROW = View(
    keep=(
        "version",
        "status",
        "dateCreated",
        "dateReleased",
        "firstEvent",
        "lastEvent",
        "newGroups",
        "commitCount",
        "deployCount",
        *_DEPLOY,
        "projects.slug",
    )
)

RELEASE = View(
    keep=(
        "version",
        "status",
        "ref",
        "url",
        "dateCreated",
        "dateReleased",
        "firstEvent",
        "lastEvent",
        "newGroups",
        "commitCount",
        "deployCount",
        *_DEPLOY,
        "lastCommit.id",
        "lastCommit.message",
        "lastCommit.author.name",
        "lastCommit.repository.name",
        "authors.name",
        "authors.email",
        "projects.slug",
        "projects.newGroups",
    )
)

DEPLOY = View(keep=("id", "environment", "name", "dateStarted", "dateFinished", "url"))

COMMIT = View(keep=("id", "message", "dateCreated", "author.name", "author.email", "repository.name", "pullRequest.id"))
