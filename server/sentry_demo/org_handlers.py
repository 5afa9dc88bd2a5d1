"""Handlers for the account and the organization's setup: the current user (`/auth/`), the user's
regions (`/users/me/regions/`, 404 on a self-hosted-style demo with no regions), team detail,
members (with the pending invite), and environments.
"""

from __future__ import annotations

from .account_records import INVITES, auth_user, environment_records, invite_record, member_record, team_detail
from .handlers import get_org, ok, paged
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .models import Team
from .search import parse
from .store import Store
from .users import user_of

ORG_TOKEN_PREFIX = "sntrys_"


def get_auth(store: Store, request: ApiRequest) -> ApiResponse:
    """An org auth token has no user behind it: Sentry answers 400 with no body."""
    if (request.token or "").startswith(ORG_TOKEN_PREFIX):
        return ApiResponse(400, None)
    user = user_of(request.token)
    return ok(auth_user(store, store.data.member(user.member_id) if user else None))


def list_user_regions(store: Store, request: ApiRequest) -> ApiResponse:
    if not store.regions or (request.token or "").startswith(ORG_TOKEN_PREFIX):
        raise not_found()
    return ok({"regions": [dict(r) for r in store.regions]})


def _team(store: Store, request: ApiRequest) -> Team:
    get_org(store, request)
    wanted = request.params["team"]
    team = next((t for t in store.data.teams if wanted in (t.id, t.slug)), None)
    if team is None:
        raise not_found()
    return team


def _csv(request: ApiRequest, name: str) -> set[str]:
    """Repeated or comma-joined values (`expand=projects&expand=externalTeams` or `expand=projects,externalTeams`)."""
    return {part.strip() for value in request.getlist(name) for part in value.split(",") if part.strip()}


def get_team(store: Store, request: ApiRequest) -> ApiResponse:
    team = _team(store, request)
    return ok(team_detail(store, team, _csv(request, "expand"), _csv(request, "collapse")))


def list_members(store: Store, request: ApiRequest) -> ApiResponse:
    """Members then pending invites; `query` takes free text and `email:`, `role:`, `isInvited:`, `has2fa:`."""
    get_org(store, request)
    rows = [member_record(store, m) for m in store.data.members] + [invite_record(store, i) for i in INVITES]
    terms, text = parse(request.get("query") or "")
    needle = text.lower()
    if needle:
        rows = [r for r in rows if needle in r["email"].lower() or needle in r["name"].lower()]
    for term in terms:
        values = {v.lower() for v in term.values}
        if term.key == "email":
            keep = [r for r in rows if r["email"].lower() in values]
        elif term.key == "role":
            keep = [r for r in rows if r["orgRole"] in values]
        elif term.key == "isInvited":
            keep = [r for r in rows if str(r["pending"]).lower() in values]
        elif term.key == "has2fa":
            keep = [r for r in rows if r["user"] is not None and str(r["user"]["has2fa"]).lower() in values]
        else:
            raise ApiError(400, f"Invalid query: unknown key {term.key!r}")
        rows = [r for r in rows if (r in keep) != term.negated]
    return paged(store, request, rows, dict)


def list_environments(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    visibility = request.get("visibility") or "visible"
    if visibility not in ("all", "hidden", "visible"):
        raise ApiError(400, "Invalid value for 'visibility', valid values are: ['all', 'hidden', 'visible']")
    return ok(environment_records(visibility))
