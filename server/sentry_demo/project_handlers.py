"""Handlers for project resources besides issues and events: user feedback reports
(`/projects/{org}/{project}/user-feedback/`, one per feedback issue) and client keys (`.../keys/`,
the DSNs, with their secrets exactly as Sentry returns them: a client must strip those itself).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from .handlers import get_project, paged
from .http import ApiError, ApiRequest, ApiResponse
from .issue_records import issue_base
from .models import Issue, Project, iso, stable_hash
from .store import Store

JSON = dict[str, Any]
BROWSER_SDK_CHOICES = [["latest", "latest"], ["9.x", "9.x"], ["8.x", "8.x"], ["7.x", "7.x"]]


def _report(store: Store, issue: Issue, index: int) -> JSON:
    event = store.events_of(issue)[-1]
    user = event.user
    return {
        "id": str(3100 + index),
        "eventID": event.id,
        "name": issue.metadata["name"],
        "email": issue.metadata["contact_email"],
        "comments": issue.metadata["value"],
        "dateCreated": iso(event.timestamp + timedelta(seconds=2)),
        "user": {
            "id": user.id,
            "tagValue": f"id:{user.id}",
            "identifier": user.id,
            "username": None,
            "email": user.email,
            "name": user.name,
            "ipAddress": user.ip_address,
            "dateCreated": iso(event.timestamp),
            "avatarUrl": None,
        },
        "event": {"id": event.id, "eventID": event.id},
        "issue": issue_base(store, issue),
    }


def list_user_feedback(store: Store, request: ApiRequest) -> ApiResponse:
    """Newest first; `status=unresolved` (the default) keeps reports of unresolved issues, `status=` all."""
    project = get_project(store, request)
    status = request.get("status", "unresolved")
    feedback = [i for i in store.all_issues() if i.kind == "feedback"]
    reports = [
        _report(store, issue, n)
        for n, issue in enumerate(feedback)
        if issue.project_slug == project.slug and (not status or store.state[issue.id].status == status)
    ]
    reports.sort(key=lambda r: r["dateCreated"], reverse=True)
    return paged(store, request, reports, dict)


def _keys(project: Project) -> list[tuple[str, str, bool, JSON | None]]:
    """(name, label, active, rate limit) of a project's client keys."""
    keys: list[tuple[str, str, bool, JSON | None]] = [("Default", "Default", True, None)]
    if project.slug == "web":
        keys.append(("Legacy v7 SDK", "Legacy v7 SDK", False, {"window": 60, "count": 100}))
    return keys


def key_record(store: Store, project: Project, index: int, name: str, active: bool, rate: JSON | None) -> JSON:
    public = stable_hash("dsn-public", project.id, index)
    secret = stable_hash("dsn-secret", project.id, index)
    parts = urlsplit(store.base_url)
    base, pid = f"{parts.scheme}://{parts.netloc}", project.id
    return {
        "id": public,
        "name": name,
        "label": name,
        "public": public,
        "secret": secret,
        "projectId": int(pid),
        "isActive": active,
        "rateLimit": rate,
        "dsn": {
            "secret": f"{parts.scheme}://{public}:{secret}@{parts.netloc}/{pid}",
            "public": f"{parts.scheme}://{public}@{parts.netloc}/{pid}",
            "csp": f"{base}/api/{pid}/security/?sentry_key={public}",
            "security": f"{base}/api/{pid}/security/?sentry_key={public}",
            "minidump": f"{base}/api/{pid}/minidump/?sentry_key={public}",
            "nel": f"{base}/api/{pid}/nel/?sentry_key={public}",
            "unreal": f"{base}/api/{pid}/unreal/{public}/",
            "crons": f"{base}/api/{pid}/cron/___MONITOR_SLUG___/{public}/",
            "cdn": f"https://js.sentry-cdn.com/{public}.min.js",
            "playstation": f"{base}/api/{pid}/playstation/?sentry_key={public}",
            "integration": f"{base}/api/{pid}/integration/",
            "otlp_traces": f"{base}/api/{pid}/integration/otlp/v1/traces",
            "otlp_logs": f"{base}/api/{pid}/integration/otlp/v1/logs",
        },
        "browserSdkVersion": "8.x",
        "browserSdk": {"choices": [list(c) for c in BROWSER_SDK_CHOICES]},
        "dateCreated": iso(project.date_created + timedelta(minutes=index)),
        "dynamicSdkLoaderOptions": {
            "hasReplay": project.slug == "web",
            "hasPerformance": True,
            "hasDebug": False,
            "hasFeedback": project.slug == "web",
            "hasLogsAndMetrics": False,
        },
        "useCase": "user",
    }


def list_keys(store: Store, request: ApiRequest) -> ApiResponse:
    """`status`: `active` or `inactive` (default: all)."""
    project = get_project(store, request)
    status = request.get("status")
    if status not in (None, "", "active", "inactive"):
        raise ApiError(400, body={"status": [f'"{status}" is not a valid choice.']})
    from .management import created_keys  # management builds its records with key_record

    keys = [
        key_record(store, project, n, name, active, rate) for n, (name, _, active, rate) in enumerate(_keys(project))
    ] + created_keys(store, project)
    keys = [key for key in keys if not status or key["isActive"] == (status == "active")]
    return paged(store, request, keys, dict)
