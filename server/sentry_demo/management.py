"""Creating teams, projects and client keys, and changing a project's settings, as Sentry answers them.

`POST /organizations/{org}/teams/`, `POST /teams/{org}/{team}/projects/`, `PUT /projects/{org}/{project}/`
and `POST /projects/{org}/{project}/keys/`. Bodies are checked as Sentry's serializers check them (a
400 field map such as `{"name": ["This field is required."]}`, 409 for a slug in use). What is created
joins this app's own copy of the data (`Store.data`), so later lists and gets show it.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from . import records
from .handlers import get_org, get_project, ok
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .models import Project, Team
from .project_handlers import key_record
from .store import Store

JSON = dict[str, Any]
SLUG = re.compile(r"^[a-z0-9_\-]+$")
SLUG_PROBLEM = (
    "Enter a valid slug consisting of lowercase letters, numbers, underscores or hyphens. "
    "It cannot be entirely numeric."
)
PLATFORM = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
CREATED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PROJECT_SETTINGS = {"isBookmarked": bool, "subjectPrefix": str, "resolveAge": int}
"""Settings a PUT keeps beside the project record (the record itself holds name, slug and platform)."""


@dataclass
class Management:
    """One app's created keys and changed project settings."""

    keys: dict[str, list[JSON]] = field(default_factory=dict)
    settings: dict[str, JSON] = field(default_factory=dict)
    next_id: int = 0


_STATE: weakref.WeakKeyDictionary[Store, Management] = weakref.WeakKeyDictionary()


def state(store: Store) -> Management:
    return _STATE.setdefault(store, Management())


def _new_id(store: Store, base: int) -> str:
    state(store).next_id += 1
    return str(base + state(store).next_id)


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9_\-]+", "-", name.lower()).strip("-")[:50]


def _text(body: JSON, name: str, limit: int, errors: JSON, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value in (None, ""):
        if required:
            errors[name] = ["This field is required."]
        return None
    if not isinstance(value, str):
        errors[name] = ["Not a valid string."]
    elif len(value) > limit:
        errors[name] = [f"Ensure this field has no more than {limit} characters."]
    else:
        return value
    return None


def _slug(body: JSON, limit: int, errors: JSON) -> str | None:
    slug = _text(body, "slug", limit, errors)
    if slug is not None and (not SLUG.match(slug) or slug.isdigit()):
        errors["slug"] = [SLUG_PROBLEM]
        return None
    return slug


def _body(request: ApiRequest) -> JSON:
    body = request.json_body()
    if not isinstance(body, dict):
        raise ApiError(400, body={"non_field_errors": ["Invalid data. Expected a dictionary."]})
    return body


def _raise(errors: JSON) -> None:
    if errors:
        raise ApiError(400, body=errors)


def create_team(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    body, errors = _body(request), dict[str, Any]()
    slug, name = _slug(body, 50, errors), _text(body, "name", 64, errors)
    _raise(errors)
    if slug is None and name is None:
        raise ApiError(400, body={"non_field_errors": ["Name or slug is required"]})
    slug = slug or _slugify(name or "")
    if any(t.slug == slug for t in store.data.teams):
        raise ApiError(409, "A team with this slug already exists.")
    team = Team(id=_new_id(store, 20), slug=slug, name=name or slug, date_created=CREATED_AT)
    store.data.teams = (*store.data.teams, team)
    return ApiResponse(201, records.team_record(store, team))


def create_project(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    team = next((t for t in store.data.teams if request.params["team"] in (t.id, t.slug)), None)
    if team is None:
        raise not_found()
    body, errors = _body(request), dict[str, Any]()
    name = _text(body, "name", 50, errors, required=True)
    slug = _slug(body, 100, errors)
    platform = _text(body, "platform", 64, errors)
    if platform is not None and not PLATFORM.match(platform):
        errors["platform"] = ["Invalid platform"]
    _raise(errors)
    slug = slug or _slugify(name or "")
    if store.project(slug) is not None:
        raise ApiError(409, "A project with this slug already exists.")
    project = Project(
        id=_new_id(store, 4600),
        slug=slug,
        name=name or slug,
        platform=platform or "other",
        team_slug=team.slug,
        date_created=CREATED_AT,
        color="#3f70bf",
        environments=(),
    )
    store.data.projects = (*store.data.projects, project)
    return ApiResponse(201, records.project_summary(store, project))  # Sentry answers the summary shape


def project_settings(store: Store, project: Project) -> JSON:
    """What a PUT changed that the project record does not hold."""
    return dict(state(store).settings.get(project.id, {}))


def update_project(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    body, errors = _body(request), dict[str, Any]()
    if not request.scopes & {"project:write", "project:admin"} and set(body) - {"isBookmarked"}:
        raise ApiError(403, "You do not have permission to perform this action.")
    name, slug = _text(body, "name", 200, errors), _slug(body, 100, errors)
    platform = _text(body, "platform", 64, errors)
    if platform is not None and not PLATFORM.match(platform):
        errors["platform"] = ["Invalid platform"]
    settings: JSON = {}
    for key, kind in PROJECT_SETTINGS.items():
        if key in body:
            value = body[key]
            negative = isinstance(value, int) and value < 0
            if not isinstance(value, kind) or (kind is int and (isinstance(value, bool) or negative)):
                errors[key] = [f"Invalid value for {key}."]
            else:
                settings[key] = value
    if slug is not None and slug != project.slug:
        other = store.project(slug)
        if other is not None:
            errors["slug"] = [f"Another project ({other.slug}) is already using that slug"]
        elif store.issues_of(project.slug):
            errors["slug"] = ["The demo Sentry renames only projects without issues."]
    _raise(errors)
    changed = replace(
        project, name=name or project.name, slug=slug or project.slug, platform=platform or project.platform
    )
    store.data.projects = tuple(changed if p.id == project.id else p for p in store.data.projects)
    state(store).settings.setdefault(project.id, {}).update(settings)
    return ok(records.project_detail(store, changed) | project_settings(store, changed))


def created_keys(store: Store, project: Project) -> list[JSON]:
    return list(state(store).keys.get(project.id, []))


def create_key(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    body, errors = _body(request), dict[str, Any]()
    name = _text(body, "name", 64, errors)
    rate = body.get("rateLimit")
    if rate is not None:
        if not isinstance(rate, dict):
            errors["rateLimit"] = ["Invalid data. Expected a dictionary."]
        else:
            problems: dict[str, list[str]] = {}
            limits: tuple[tuple[str, int | None], ...] = (("count", None), ("window", 86400))
            for key, top in limits:
                value = rate.get(key)
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    problems[key] = ["Ensure this value is greater than or equal to 0."]
                elif value is not None and top is not None and value > top:
                    problems[key] = [f"Ensure this value is less than or equal to {top}."]
            if problems:
                errors["rateLimit"] = problems
    _raise(errors)
    keys = state(store).keys.setdefault(project.id, [])
    index = 100 + len(keys)
    record = key_record(store, project, index, name or f"Key {index}", True, rate)
    keys.append(record)
    return ApiResponse(201, record)
