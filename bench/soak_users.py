"""Per-user mode for the soak (``bench/soak.py --per-user``): each client is one demo user, and every answer
must be one that user may see (README "Per-user credentials").

The demo Sentry's users (``server/sentry_demo/data/users.json``): Alice sees every project, Bob only ``api``
and ``worker`` (team backend), Dmitri only ``ios`` (team mobile). Each client asks for projects and issues
of every team. An object of the caller's own teams must come back as itself; one of another team must be
refused with Sentry's HTTP 404. A **cross-user answer** is any answer that holds a project or an issue its
caller cannot see (whichever request it came from), or data for an object the caller was to be refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2

from sentry_demo import dataset
from sentry_demo.users import DemoUser, demo_users

TOKEN_CHECK_UNAVAILABLE = "token_check_unavailable"
"""Per-user mode's HTTP 503 (with ``Retry-After``) when Sentry cannot say whether a token is valid."""


@dataclass(frozen=True)
class Visibility:
    """What one demo user may see, and how to spot anything else in an answer."""

    user: DemoUser
    hidden_slugs: frozenset[str]
    hidden_ids: frozenset[str]
    """Numeric ids and short ids of the hidden projects' issues, and the hidden projects' ids."""

    @classmethod
    def of(cls, user: DemoUser) -> Visibility:
        data = dataset()
        hidden = {p.slug: p for p in data.projects if user.teams is not None and p.team_slug not in user.teams}
        issues = [issue for issue in data.issues if issue.project_slug in hidden]
        ids = {issue.id for issue in issues} | {issue.short_id for issue in issues}
        return cls(user, frozenset(hidden), frozenset(ids | {str(p.id) for p in hidden.values()}))

    def sees(self, project_slug: str | None) -> bool:
        return project_slug is None or project_slug not in self.hidden_slugs

    def hidden_in(self, answer: Any) -> list[str]:
        """The hidden projects and issues an answer names (by ``slug``, ``id`` or ``shortId``)."""
        return sorted(set(_hidden_values(answer, self)))


def _hidden_values(node: Any, seen: Visibility) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "slug" and value in seen.hidden_slugs:
                yield f"project {value}"
            elif key in ("id", "shortId") and str(value) in seen.hidden_ids:
                yield f"{key} {value}"
            else:
                yield from _hidden_values(value, seen)
    elif isinstance(node, list):
        for item in node:
            yield from _hidden_values(item, seen)


def user_of_client(client: int) -> DemoUser:
    """Clients take the demo users in turn: 0 Alice, 1 Bob, 2 Dmitri, 3 Alice..."""
    users = demo_users()
    return users[client % len(users)]


def user_tokens() -> list[str]:
    return [user.token for user in demo_users()]


def per_user_headers(client: int) -> dict[str, str]:
    return {"Authorization": f"Sentry-Bearer {user_of_client(client).token}"}


class UnavailableCounter:
    """An httpx2 response hook that counts per-user mode's 503 ``token_check_unavailable`` answers.

    The SDK's client turns any non-JSON-RPC HTTP error into a generic "Server returned an error response",
    so this is how the soak tells that clear answer (Sentry could not check the token; retry after a few
    seconds) from a lost call.
    """

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, response: httpx2.Response) -> None:
        if response.status_code == 503 and "retry-after" in response.headers:
            body = await response.aread()
            if TOKEN_CHECK_UNAVAILABLE.encode() in body:
                self.count += 1
