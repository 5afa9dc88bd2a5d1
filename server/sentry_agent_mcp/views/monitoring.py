"""Cron monitors and their check-ins; alert rules, detectors and workflows keep their own shape."""

from __future__ import annotations

from .base import View
from .issues import ISSUE_ROW

MONITOR = View(
    keep=(
        "id",
        "slug",
        "name",
        "status",
        "isMuted",
        "type",
        "config",
        "dateCreated",
        "project.slug",
        "environments.name",
        "environments.status",
        "environments.isMuted",
        "environments.lastCheckIn",
        "environments.nextCheckIn",
        "environments.nextCheckInLatest",
    )
)

CHECKIN = View(keep=("id", "status", "environment", "duration", "dateCreated", "expectedTime"))

DETECTOR = View(nested={"latestGroup": ISSUE_ROW})
"""A detector with the latest issue it raised, compact."""
