"""Issues and what hangs off them: the compact issue keeps what an agent triages by."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import View
from .events import EVENT

_ASSIGNEE = ("assignedTo.type", "assignedTo.id", "assignedTo.name", "assignedTo.email")


def assignee_label(assigned: Any) -> str | None:
    """``assignedTo`` in one string: a team as ``#slug`` (as Sentry's search writes it), a user by name (the
    email and id are on ``issues get``)."""
    if not isinstance(assigned, Mapping):
        return None
    name = assigned.get("name")
    if assigned.get("type") == "team":
        return f"#{name}" if name else f"team:{assigned.get('id')}"
    label = name or assigned.get("email") or (f"user:{assigned['id']}" if assigned.get("id") else None)
    return str(label) if label else None


def _count(value: Any) -> Any:
    """Sentry sends an issue's ``count`` as a string; a number is shorter and what it means. Anything else
    (a hostile upstream's 5,000 digits, a non-ASCII digit) stays as sent."""
    plain = isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18
    return int(value) if plain else value


ISSUE_ROW_FACTS = ("shortId", "title", "culprit", "count", "userCount", "lastSeen")
"""What every issue row holds; ``assignee`` too when the issue is assigned."""


def issue_row(issue: Mapping[str, Any]) -> dict[str, Any]:
    """An issue in a list: what an agent picks the issue to work on by (README, "Results")."""
    return {
        **({"shortId": issue["shortId"]} if issue.get("shortId") else {"id": issue.get("id")}),
        "title": issue.get("title"),
        "culprit": issue.get("culprit"),
        "count": _count(issue.get("count")),
        "userCount": issue.get("userCount"),
        "lastSeen": issue.get("lastSeen"),
        "assignee": assignee_label(issue.get("assignedTo")),
    }


ISSUE_ROW = View(summary=issue_row)
"""An issue in a list: its short id (every issue param takes it), what and where, how often, how many users,
when last seen, and who has it. The status, level, first seen, project and numeric id are one ``issues get``
away (or ``fields=[...]`` on the list); the query already says which status the rows have."""

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

__all__ = [
    "EVENT",
    "FEEDBACK",
    "HASH",
    "ISSUE",
    "ISSUE_ROW",
    "ISSUE_ROW_FACTS",
    "NOTE",
    "TAG_DISTRIBUTION",
    "TAG_VALUE",
    "assignee_label",
    "issue_row",
]
