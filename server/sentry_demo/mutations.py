"""`PUT /organizations/{org}/issues/{issue_id}/`: validate the body the way Sentry's DRF serializer
does (only the fields sent change; unknown fields are ignored; a bad value gives a 400 field map
such as `{"status": ["\\"bogus\\" is not a valid choice."]}`), then apply it to the issue's state.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .http import ApiError
from .models import Issue, Member, iso
from .records import user_record
from .release_records import repository_record
from .store import IssueState, Store

STATUSES = ("resolved", "resolvedInNextRelease", "unresolved", "ignored", "muted")
SUBSTATUSES = {
    "unresolved": ("escalating", "ongoing", "regressed", "new"),
    "ignored": ("archived_until_escalating", "archived_until_condition_met", "archived_forever"),
    "resolved": (),
}
PRIORITIES = ("low", "medium", "high")
BOOLEAN_FIELDS = {
    "isBookmarked": "is_bookmarked",
    "hasSeen": "has_seen",
    "isSubscribed": "is_subscribed",
    "isPublic": "is_public",
}
INT_DETAILS = ("ignoreDuration", "ignoreCount", "ignoreWindow", "ignoreUserCount", "ignoreUserWindow")
_TRUE = (True, 1, "true", "True", "1", "yes", "on")
_FALSE = (False, 0, "false", "False", "0", "no", "off")


def _boolean(value: Any) -> bool | None:
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _choice(value: Any, choices: tuple[str, ...]) -> str | None:
    return value if isinstance(value, str) and value in choices else None


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _details(store: Store, issue: Issue, raw: Any, errors: dict[str, Any]) -> dict[str, Any]:
    """Validate `statusDetails`; returns the cleaned values."""
    if not isinstance(raw, dict):
        errors["statusDetails"] = {"non_field_errors": ["Invalid data. Expected a dictionary."]}
        return {}
    clean: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for name in INT_DETAILS:
        if name in raw:
            number = _integer(raw[name])
            if number is None:
                problems[name] = ["A valid integer is required."]
            elif number < 1:
                problems[name] = ["Ensure this value is greater than or equal to 1."]
            elif name.endswith("Window") and number > 10080:
                problems[name] = ["Ensure this value is less than or equal to 10080."]
            else:
                clean[name] = number
    if "inRelease" in raw:
        version = raw["inRelease"]
        release = (
            store.latest_release(issue.project_slug)
            if version == "latest"
            else (store.release(version) if isinstance(version, str) else None)
        )
        if release is None or issue.project_slug not in release.project_slugs:
            problems["inRelease"] = ["Unable to find the given release."]
        else:
            clean["inRelease"] = release.version
    if "inNextRelease" in raw:
        flag = _boolean(raw["inNextRelease"])
        if flag is None:
            problems["inNextRelease"] = ["Must be a valid boolean."]
        elif flag:
            clean["inNextRelease"] = True
    if "inCommit" in raw:
        commit = raw["inCommit"]
        sha = commit.get("commit") if isinstance(commit, dict) else commit
        if not isinstance(sha, str) or not sha:
            problems["inCommit"] = ["Unable to find the given commit."]
        else:
            clean["inCommit"] = sha
    if problems:
        errors["statusDetails"] = problems
    return clean


def _assignee(store: Store, issue: Issue, raw: Any, errors: dict[str, Any]) -> str | None:
    """`user:ID`, `team:ID`, a user id, username or email; `""`/null unassigns."""
    if raw in ("", None):
        return None
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        errors["assignedTo"] = ["Unknown actor input"]
        return None
    text = str(raw)
    project = store.data.project(issue.project_slug)
    if text.startswith("team:"):
        team = next((t for t in store.data.teams if t.id == text[5:]), None)
        if team is None:
            errors["assignedTo"] = ["Unknown actor input"]
        elif team.slug != project.team_slug:
            errors["assignedTo"] = ["Cannot assign to a team without access to the project"]
        else:
            return f"team:{team.id}"
        return None
    member = store.member_by_actor(text.removeprefix("user:"))
    if member is None:
        errors["assignedTo"] = ["Unknown actor input"]
    elif project.team_slug not in member.team_slugs:
        errors["assignedTo"] = ["Cannot assign to non-team member"]
    else:
        return f"user:{member.id}"
    return None


def _status_details(status: str, details: dict[str, Any], actor: Member, now: datetime) -> dict[str, Any]:
    """What Sentry echoes back in `statusDetails` for the new status."""
    out: dict[str, Any] = {}
    if status == "resolved":
        for key in ("inRelease", "inNextRelease", "inCommit"):
            if key in details:
                out[key] = details[key]
    elif status == "ignored":
        if "ignoreDuration" in details:
            out["ignoreUntil"] = iso(now + timedelta(minutes=details["ignoreDuration"]))
        if "ignoreCount" in details:
            out |= {"ignoreCount": details["ignoreCount"], "ignoreWindow": details.get("ignoreWindow")}
        if "ignoreUserCount" in details:
            out |= {"ignoreUserCount": details["ignoreUserCount"], "ignoreUserWindow": details.get("ignoreUserWindow")}
        out = {k: v for k, v in out.items() if v is not None}
    if out:
        out["actor"] = user_record(actor)
    return out


def update_issue(store: Store, issue: Issue, body: Any) -> None:
    """Validate the whole body first (so a 400 changes nothing), then apply it."""
    if not isinstance(body, dict):
        raise ApiError(
            400, body={"non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]}
        )
    state = store.state[issue.id]
    errors: dict[str, Any] = {}
    status = None
    if "status" in body:
        status = _choice(body["status"], STATUSES)
        if status is None:
            errors["status"] = [f'"{body["status"]}" is not a valid choice.']
    details = _details(store, issue, body["statusDetails"], errors) if "statusDetails" in body else {}
    if status == "resolvedInNextRelease":
        status, details = "resolved", details | {"inNextRelease": True}
    if status == "muted":
        status = "ignored"
    substatus = state.substatus
    if "substatus" in body:
        substatus = body["substatus"]
        target = status or state.status
        if substatus is not None and substatus not in SUBSTATUSES.get(target, ()):
            errors["substatus"] = [f'"{substatus}" is not a valid substatus for status "{target}".']
    elif status == "unresolved":
        substatus = "ongoing"
    elif status == "ignored":
        substatus = "archived_until_condition_met" if details else "archived_forever"
    elif status == "resolved":
        substatus = None
    assignee = _assignee(store, issue, body["assignedTo"], errors) if "assignedTo" in body else state.assignee
    priority = state.priority
    if "priority" in body:
        priority = _choice(body["priority"], PRIORITIES)
        if priority is None:
            errors["priority"] = [f'"{body["priority"]}" is not a valid choice.']
    flags: dict[str, bool] = {}
    for name, attr in (*BOOLEAN_FIELDS.items(), ("inbox", "inbox")):
        if name in body:
            flag = _boolean(body[name])
            if flag is None:
                errors[name] = ["Must be a valid boolean."]
            else:
                flags[attr] = flag
    if errors:
        raise ApiError(400, body=errors)
    _apply(store, issue, state, body, status, substatus, details, assignee, priority, flags)


def _apply(
    store: Store,
    issue: Issue,
    state: IssueState,
    body: dict[str, Any],
    status: str | None,
    substatus: str | None,
    details: dict[str, Any],
    assignee: str | None,
    priority: str | None,
    flags: dict[str, bool],
) -> None:
    now = datetime.now(UTC)
    actor = store.owner

    def log(kind: str, data: dict[str, Any]) -> None:
        state.activity.append(
            {
                "id": f"{issue.id}{len(state.activity)}",
                "type": kind,
                "data": data,
                "user": user_record(actor),
                "dateCreated": iso(now),
            }
        )

    if status is not None:
        state.status, state.status_details = status, _status_details(status, details, actor, now)
        state.inbox = False if status != "unresolved" else state.inbox
        kind = {"unresolved": "set_unresolved", "ignored": "set_ignored"}.get(status, "set_resolved")
        if "inRelease" in details:
            kind = "set_resolved_in_release"
        elif "inCommit" in details:
            kind = "set_resolved_by_commit"
            details = details | {"repository": repository_record(issue.project_slug)["name"]}
        log(kind, {k: v for k, v in details.items() if k != "actor"})
    state.substatus = substatus
    if "assignedTo" in body and assignee != state.assignee:
        state.assignee = assignee
        if assignee == f"user:{actor.id}":
            state.is_subscribed = True
        log(
            "assigned" if assignee else "unassigned",
            {"assignee": assignee.partition(":")[2], "assigneeType": assignee.partition(":")[0]} if assignee else {},
        )
    if "priority" in body and priority != state.priority:
        state.priority, state.priority_locked_at = priority, now
        log("set_priority", {"priority": priority, "reason": "manual"})
    for attr, flag in flags.items():
        if attr == "inbox":
            if not flag and state.inbox:
                log("mark_reviewed", {})
            state.inbox = flag and state.status == "unresolved"
        else:
            setattr(state, attr, flag)
