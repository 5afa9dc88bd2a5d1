"""JSON shapes for users, organizations, teams and projects.

Same keys and types as Sentry's serializers (and the OpenAPI response schemas), filled from the demo
data. Releases are in `release_records.py`, issues in `issue_records.py`, events in `event_records.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .dataset import REFERENCE_TIME, SESSION_PROJECTS, TEAM_ADMINS
from .models import Member, Project, Team, iso, stable_hash

if TYPE_CHECKING:
    from .store import Store

JSON = dict[str, Any]

ALL_SCOPES = (
    "alerts:read",
    "alerts:write",
    "event:admin",
    "event:read",
    "event:write",
    "member:read",
    "org:read",
    "project:admin",
    "project:read",
    "project:releases",
    "project:write",
    "team:read",
    "team:write",
)
ORG_FEATURES = (
    "codecov-integration",
    "discover-basic",
    "event-attachments",
    "incidents",
    "integrations-issue-basic",
    "invite-members",
    "issue-platform",
    "performance-view",
    "session-replay",
    "user-feedback-ui",
)
PROJECT_FEATURES = (
    "alert-filters",
    "custom-inbound-filters",
    "data-forwarding",
    "discard-groups",
    "minidump",
    "rate-limits",
    "servicehooks",
    "similarity-indexing",
    "similarity-view",
)
LETTER_AVATAR: JSON = {"avatarType": "letter_avatar", "avatarUuid": None, "avatarUrl": None}


def user_record(member: Member) -> JSON:
    """A Sentry user (as in `/api/0/`, release authors and `statusDetails.actor`)."""
    return {
        "id": member.id,
        "name": member.name,
        "username": member.username,
        "email": member.email,
        "avatarUrl": f"https://gravatar.com/avatar/{stable_hash(member.email)}?s=32&d=mm",
        "isActive": True,
        "isSuspended": False,
        "hasPasswordAuth": True,
        "isManaged": False,
        "dateJoined": iso(member.date_joined),
        "lastLogin": iso(REFERENCE_TIME - timedelta(hours=3 + int(member.id) % 40)),
        "has2fa": int(member.id) % 2 == 1,
        "lastActive": iso(REFERENCE_TIME - timedelta(minutes=7 + int(member.id) % 90)),
        "isSuperuser": False,
        "isStaff": False,
        "experiments": {},
        "emails": [{"id": str(int(member.id) * 10 + 1), "email": member.email, "is_verified": True}],
        "avatar": dict(LETTER_AVATAR),
    }


def org_summary(store: Store) -> JSON:
    """What `GET /organizations/` lists (also embedded in project records)."""
    org = store.data.organization
    return {
        "id": org.id,
        "slug": org.slug,
        "status": {"id": "active", "name": "active"},
        "name": org.name,
        "dateCreated": iso(org.date_created),
        "isEarlyAdopter": False,
        "require2FA": False,
        "avatar": dict(LETTER_AVATAR),
        "links": {"organizationUrl": store.base_url, "regionUrl": store.org_region_url},
        "hasAuthProvider": False,
        "allowMemberInvite": True,
        "allowMemberProjectCreation": True,
        "allowSuperuserAccess": False,
        "features": list(ORG_FEATURES),
    }


def org_detail(store: Store, detailed: bool) -> JSON:
    """`GET /organizations/{org}/`: the summary plus access, and projects and teams unless `detailed=0`."""
    record = org_summary(store) | {
        "access": list(ALL_SCOPES),
        "onboardingTasks": [],
        "extraOptions": {},
        "isDefault": False,
        "defaultRole": "member",
        "orgRole": "owner",
        "openMembership": True,
        "dataScrubber": False,
        "dataScrubberDefaults": False,
        "scrubIPAddresses": False,
        "isDynamicallySampled": True,
        "pendingAccessRequests": 0,
        "quota": {"maxRate": None, "maxRateInterval": 60, "accountLimit": 0, "projectLimit": 100},
    }
    if detailed:
        record["projects"] = [project_summary(store, p) for p in store.data.projects]
        record["teams"] = [team_record(store, t) for t in store.data.teams]
    return record


def team_record(store: Store, team: Team) -> JSON:
    members = [m for m in store.data.members if team.slug in m.team_slugs]
    is_member = any(m.id == store.owner.id for m in members)
    return {
        "id": team.id,
        "slug": team.slug,
        "name": team.name,
        "dateCreated": iso(team.date_created),
        "isMember": is_member,
        "teamRole": ("admin" if (store.owner.id, team.slug) in TEAM_ADMINS else "contributor") if is_member else None,
        "flags": {"idp:provisioned": False},
        "access": ["alerts:read", "event:read", "event:write", "project:read", "project:releases", "team:read"],
        "hasAccess": True,
        "isPending": False,
        "memberCount": len(members),
        "avatar": dict(LETTER_AVATAR),
    }


def _team_ref(store: Store, project: Project) -> JSON:
    team = store.data.team(project.team_slug)
    return {"id": team.id, "name": team.name, "slug": team.slug}


def _project_flags(store: Store, project: Project) -> JSON:
    """The fields every project serializer shares."""
    issues = store.issues_of(project.slug)
    first_event = min((i.first_seen for i in issues), default=None)
    mobile = project.platform.startswith("apple")
    return {
        "id": project.id,
        "slug": project.slug,
        "name": project.name,
        "platform": project.platform,
        "dateCreated": iso(project.date_created),
        "isBookmarked": project.slug == "web",
        "isMember": project.team_slug in store.owner.team_slugs,
        "features": list(PROJECT_FEATURES),
        "firstEvent": iso(first_event) if first_event else None,
        "firstTransactionEvent": True,
        "access": list(ALL_SCOPES),
        "hasAccess": True,
        "hasMinifiedStackTrace": project.slug == "web",
        "hasFeedbacks": any(i.kind == "feedback" for i in issues),
        "hasFlags": False,
        "hasMonitors": project.slug == "worker",
        "hasNewFeedbacks": False,
        "hasProfiles": mobile,
        "hasReplays": project.slug == "web",
        "hasSessions": project.slug in SESSION_PROJECTS,
        "hasInsightsHttp": True,
        "hasInsightsDb": project.slug in ("api", "worker"),
        "hasInsightsAssets": project.slug == "web",
        "hasInsightsAppStart": mobile,
        "hasInsightsScreenLoad": mobile,
        "hasInsightsVitals": project.slug == "web",
        "hasInsightsCaches": False,
        "hasInsightsQueues": project.slug == "worker",
        "hasInsightsAgentMonitoring": False,
        "hasInsightsMCP": False,
        "hasLogs": False,
        "hasTraceMetrics": False,
    }


def project_legacy(store: Store, project: Project) -> JSON:
    """`GET /api/0/projects/` rows: the flags plus the owning organization."""
    return _project_flags(store, project) | {
        "isInternal": False,
        "isPublic": False,
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
        "color": project.color,
        "status": "active",
        "organization": org_summary(store),
    }


def _latest_release(store: Store, project: Project) -> JSON | None:
    release = store.latest_release(project.slug)
    return {"version": release.version} if release else None


def project_summary(store: Store, project: Project) -> JSON:
    """`GET /organizations/{org}/projects/` rows."""
    latest_deploys: JSON = {}
    for release in store.releases_of(project.slug):
        for deploy in release.deploys:
            latest_deploys[deploy.environment] = {"version": release.version, "dateFinished": iso(deploy.date_finished)}
    team = _team_ref(store, project)
    return _project_flags(store, project) | {
        "latestDeploys": latest_deploys or None,
        "team": team,
        "teams": [team],
        "platforms": [store.event_platform(project.slug)],
        "hasUserReports": project.slug in ("web", "ios"),
        "environments": list(project.environments),
        "latestRelease": _latest_release(store, project),
    }


def project_detail(store: Store, project: Project) -> JSON:
    """`GET /projects/{org}/{project}/`: the full project settings view."""
    team = _team_ref(store, project)
    token = stable_hash("security-token", project.id)
    return _project_flags(store, project) | {
        "isInternal": False,
        "isPublic": False,
        "avatar": dict(LETTER_AVATAR),
        "color": project.color,
        "status": "active",
        "team": team,
        "teams": [team],
        "latestRelease": _latest_release(store, project),
        "options": {
            "sentry:resolve_age": 0,
            "sentry:scrub_data": True,
            "sentry:scrape_javascript": True,
            "mail:subject_prefix": "",
            "sentry:token": token,
            "sentry:grouping_config": "newstyle:2023-01-11",
            "feedback:branding": True,
        },
        "digestsMinDelay": 300,
        "digestsMaxDelay": 1800,
        "subjectPrefix": "",
        "allowedDomains": ["*"],
        "resolveAge": 0,
        "dataScrubber": True,
        "dataScrubberDefaults": True,
        "safeFields": [],
        "storeCrashReports": None,
        "sensitiveFields": ["password", "card_number"],
        "subjectTemplate": "$shortID - $title",
        "securityToken": token,
        "securityTokenHeader": None,
        "verifySSL": False,
        "scrubIPAddresses": False,
        "scrapeJavaScript": True,
        "enableAutoReleaseCreation": False,
        "highlightTags": ["handled", "level", "release", "environment"],
        "highlightContext": {},
        "highlightPreset": {"tags": ["handled", "level"], "context": {}},
        "groupingConfig": "newstyle:2023-01-11",
        "derivedGroupingEnhancements": "",
        "groupingEnhancements": "",
        "secondaryGroupingExpiry": 0,
        "secondaryGroupingConfig": None,
        "fingerprintingRules": "",
        "organization": org_summary(store),
        "platforms": [store.event_platform(project.slug)],
        "processingIssues": 0,
        "defaultEnvironment": "production",
        "relayPiiConfig": None,
        "builtinSymbolSources": ["ios", "microsoft"] if project.platform.startswith("apple") else [],
        "dynamicSamplingBiases": [
            {"id": "boostEnvironments", "active": True},
            {"id": "boostLatestRelease", "active": True},
            {"id": "ignoreHealthChecks", "active": True},
        ],
        "symbolSources": "[]",
        "isDynamicallySampled": True,
        "tempestFetchScreenshots": False,
        "autofixAutomationTuning": "off",
        "seerScannerAutomation": False,
        "seerNightshiftTweaks": None,
        "scmSourceContextEnabled": False,
        "debugFilesRole": None,
    }
