"""JSON shapes for people and the organization's setup: the current user as `/auth/` returns it,
organization members (with one pending invite), a team's detail view, and environments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .dataset import ENVIRONMENTS, TEAM_ADMINS, TOKEN_OWNER_ID
from .models import Member, Team, iso
from .records import LETTER_AVATAR, org_summary, project_legacy, team_record, user_record
from .tables import load, records

if TYPE_CHECKING:
    from .store import Store

JSON = dict[str, Any]
ORG_ROLES: dict[str, str] = load("organization")["org_roles"]
ROLE_NAMES = {"owner": "Owner", "manager": "Manager", "admin": "Admin", "member": "Member", "billing": "Billing"}
MEMBER_FLAGS = {
    "idp:provisioned": False,
    "idp:role-restricted": False,
    "sso:linked": False,
    "sso:invalid": False,
    "member-limit:restricted": False,
    "partnership:restricted": False,
}


@dataclass(frozen=True)
class Invite:
    """An invitation nobody has accepted yet (a member row with `user: null`, `pending: true`)."""

    id: str
    email: str
    role: str
    team_slugs: tuple[str, ...]
    inviter_id: str
    date_created: datetime


INVITES = records(Invite, load("organization")["invites"])


def member_id(member: Member) -> str:
    """Organization membership ids differ from user ids, as in Sentry (user 101 is member 1101)."""
    return str(1000 + int(member.id))


def auth_user(store: Store, member: Member | None = None) -> JSON:
    """`GET /auth/`: the token's user (default: the owner) with the detail only the user sees about themselves."""
    return user_record(member or store.owner) | {
        "identities": [],
        "authenticators": [],
        "canReset2fa": True,
        "flags": {"newsletter_consent_prompt": False},
        "options": {
            "theme": "system",
            "language": "en",
            "stacktraceOrder": -1,
            "defaultIssueEvent": "recommended",
            "timezone": "Europe/Berlin",
            "clock24Hours": True,
            "prefersIssueDetailsStreamlinedUI": True,
            "prefersStackedNavigation": True,
            "prefersChonkUI": False,
        },
        "permissions": [],
    }


def _team_roles(member_user_id: str, team_slugs: tuple[str, ...]) -> list[JSON]:
    return [
        {"teamSlug": slug, "role": "admin" if (member_user_id, slug) in TEAM_ADMINS else None} for slug in team_slugs
    ]


def _projects_of(store: Store, team_slugs: tuple[str, ...]) -> list[str]:
    return [p.slug for p in store.data.projects if p.team_slug in team_slugs]


def member_record(store: Store, member: Member) -> JSON:
    """`GET /organizations/{org}/members/` rows for people who joined."""
    role = ORG_ROLES.get(member.id, "member")
    return {
        "id": member_id(member),
        "email": member.email,
        "name": member.name,
        "user": user_record(member) | {"canReset2fa": True},
        "orgRole": role,
        "role": role,
        "roleName": ROLE_NAMES[role],
        "pending": False,
        "expired": False,
        "flags": dict(MEMBER_FLAGS),
        "dateCreated": iso(member.date_joined),
        "inviteStatus": "approved",
        "inviterName": None if member.id == TOKEN_OWNER_ID else store.owner.email,
        "teams": list(member.team_slugs),
        "teamRoles": _team_roles(member.id, member.team_slugs),
        "projects": _projects_of(store, member.team_slugs),
    }


def invite_record(store: Store, invite: Invite) -> JSON:
    inviter = store.data.member(invite.inviter_id)
    return {
        "id": invite.id,
        "email": invite.email,
        "name": invite.email,
        "user": None,
        "orgRole": invite.role,
        "role": invite.role,
        "roleName": ROLE_NAMES[invite.role],
        "pending": True,
        "expired": False,
        "flags": dict(MEMBER_FLAGS),
        "dateCreated": iso(invite.date_created),
        "inviteStatus": "pending",
        "inviterName": inviter.email if inviter else None,
        "teams": list(invite.team_slugs),
        "teamRoles": _team_roles("", invite.team_slugs),
        "projects": _projects_of(store, invite.team_slugs),
    }


def team_detail(store: Store, team: Team, expand: set[str], collapse: set[str]) -> JSON:
    """`GET /teams/{org}/{team}/`: the team plus its organization; `expand=projects,externalTeams`."""
    record = team_record(store, team)
    if "organization" not in collapse:
        record["organization"] = org_summary(store)
    if "projects" in expand:
        projects = [p for p in store.data.projects if p.team_slug == team.slug]
        record["projects"] = [
            {k: v for k, v in project_legacy(store, p).items() if k != "organization"} for p in projects
        ]
    if "externalTeams" in expand:
        record["externalTeams"] = [
            {
                "id": str(40 + int(team.id)),
                "provider": "slack",
                "externalName": f"#{team.slug}-alerts",
                "integrationId": "2934",
                "externalId": f"C0{team.id}ACME{team.slug.upper()[:4]}",
                "teamId": team.id,
            }
        ]
    record["avatar"] = dict(LETTER_AVATAR)
    return record


def environment_records(visibility: str) -> list[JSON]:
    """`visibility`: `visible` (default), `hidden` or `all`."""
    keep = {"visible": (False,), "hidden": (True,), "all": (False, True)}[visibility]
    return [{"id": env_id, "name": name} for env_id, name, hidden in ENVIRONMENTS if hidden in keep]
