"""The demo Sentry's users and what each one's token may see (`data/users.json`).

Sentry shows a user only the projects of their teams (closed membership): a project or an issue of
another team answers 404, and lists leave such rows out. The demo does the same for the users whose
`teams` is a list; `"all"` (the default demo token, Alice the owner) sees everything, as before. Per-user
mode's tests run several users through one server and check that none sees another's data.

Visibility is enforced on the way in (a `{project}` or `{issue_id}` path parameter naming a hidden
object) and on the way out (rows of a list that belong to a hidden project). Lists are filtered after
paging, so a restricted user's page can hold fewer rows than asked for: enough for a demo.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from .http import ApiResponse, not_found
from .store import Store
from .tables import load

PROJECT_LIST_ROUTES = frozenset({"projects", "org-projects"})
"""Routes whose rows are projects themselves (filtered by their `slug`)."""


def token_for(seed: str) -> str:
    """A user token: `sntryu_demo` plus hex of the seed, shaped like Sentry's `sntryu_` tokens."""
    return "sntryu_demo" + hashlib.sha256(seed.encode()).hexdigest()[:60]


@dataclass(frozen=True)
class DemoUser:
    """One demo user: their member id, token and the teams whose projects they see (None: all)."""

    member_id: str
    token: str
    teams: frozenset[str] | None

    def sees_project(self, store: Store, slug: str) -> bool:
        if self.teams is None:
            return True
        project = store.project(slug)
        return project is not None and project.team_slug in self.teams


@functools.cache
def demo_users() -> tuple[DemoUser, ...]:
    """Every demo user, in file order (the first is the default demo token's owner)."""
    return tuple(
        DemoUser(
            member_id=row["member_id"],
            token=token_for(row["token_seed"]),
            teams=None if row["teams"] == "all" else frozenset(row["teams"]),
        )
        for row in load("users")["users"]
    )


def user_of(token: str | None) -> DemoUser | None:
    """The demo user a token belongs to (None for tokens of no demo user: they see everything)."""
    return next((user for user in demo_users() if user.token == token), None)


def check_visible(store: Store, user: DemoUser | None, params: dict[str, str]) -> None:
    """404 when a path parameter names a project, or an issue of a project, the user does not see."""
    if user is None or user.teams is None:
        return
    slug = params.get("project")
    if slug is not None:
        project = store.project(slug)
        if project is not None and not user.sees_project(store, project.slug):
            raise not_found()
    issue_id = params.get("issue_id")
    if issue_id is not None:
        issue = store.issue(issue_id)
        if issue is not None and not user.sees_project(store, issue.project_slug):
            raise not_found()


def visible_rows(store: Store, user: DemoUser | None, route: str, response: ApiResponse) -> ApiResponse:
    """The response without the list rows of projects the user does not see."""
    if user is None or user.teams is None or not isinstance(response.body, list):
        return response

    def keep(row: Any) -> bool:
        if not isinstance(row, dict):
            return True
        if route in PROJECT_LIST_ROUTES:
            return user.sees_project(store, str(row.get("slug")))
        project = row.get("project")
        if isinstance(project, dict) and "slug" in project:
            return user.sees_project(store, str(project["slug"]))
        return True

    response.body = [row for row in response.body if keep(row)]
    return response
