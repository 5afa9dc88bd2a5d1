"""Issues and what hangs off them: the compact issue keeps what an agent triages by."""

from __future__ import annotations

from .base import View
from .events import EVENT

_ASSIGNEE = ("assignedTo.type", "assignedTo.id", "assignedTo.name", "assignedTo.email")

ISSUE_ROW = View(
    keep=(
        "id",
        "shortId",
        "title",
        "culprit",
        "level",
        "status",
        "count",
        "userCount",
        "firstSeen",
        "lastSeen",
        *_ASSIGNEE,
        "project.slug",
    )
)
"""An issue in a list: enough to choose which one to open (``issues get`` has the rest)."""

ISSUE = View(
    keep=(
        "id",
        "shortId",
        "title",
        "culprit",
        "level",
        "status",
        "substatus",
        "statusDetails",
        "priority",
        "issueCategory",
        "count",
        "userCount",
        "firstSeen",
        "lastSeen",
        "permalink",
        *_ASSIGNEE,
        "project.id",
        "project.slug",
        "platform",
        "metadata.filename",
        "metadata.function",
        "isUnhandled",
        "numComments",
        "userReportCount",
        "firstRelease.version",
        "lastRelease.version",
    )
)
"""One issue: the row plus status details, priority, permalink, where it happens, releases."""

TAG_DISTRIBUTION = View(keep=("key", "totalValues", "uniqueValues", "topValues.value", "topValues.count"))

TAG_VALUE = View(keep=("value", "count", "firstSeen", "lastSeen"))

HASH = View(keep=("id",), nested={"latestEvent": View(keep=("eventID", "dateCreated", "title"))})

NOTE = View(keep=("id", "dateCreated", "data.text", "user.id", "user.name", "user.email"))

FEEDBACK = View(
    keep=("id", "eventID", "name", "email", "comments", "dateCreated"),
    nested={"issue": View(keep=("id", "shortId", "title", "status"))},
)
"""A user's feedback or crash report, with the issue it is linked to."""

__all__ = ["EVENT", "FEEDBACK", "HASH", "ISSUE", "ISSUE_ROW", "NOTE", "TAG_DISTRIBUTION", "TAG_VALUE"]
