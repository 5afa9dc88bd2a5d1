"""The route table: every path the demo Sentry serves (segments after `/api/0/`, trailing slash implied),
its handler per method and the token scopes each method accepts (any one suffices, as in the spec's
`security` lists; an empty set means any valid token).
"""

from __future__ import annotations

from . import (
    alert_handlers,
    alert_writes,
    autofix_start,
    detector_handlers,
    discover,
    issue_extras,
    issue_tags,
    management,
    monitor_handlers,
    org_handlers,
    outcomes,
    release_health,
    replays,
    seer,
    trace_handlers,
)
from . import attachment_handlers as ah
from . import dashboard_handlers as dh
from . import handlers as h
from . import issue_handlers as ih
from . import project_handlers as ph
from . import release_handlers as rh
from .routing import Handler, Route

ANY_TOKEN: frozenset[str] = frozenset()
ORG_READ = frozenset({"org:read", "org:write", "org:admin"})
PROJECT_READ = frozenset({"project:read", "project:write", "project:admin"})
TEAM_READ = frozenset({"team:read", "team:write", "team:admin"})
MEMBER_READ = frozenset({"member:read", "member:write", "member:admin"})
EVENT_READ = frozenset({"event:read", "event:write", "event:admin"})
EVENT_WRITE = frozenset({"event:write", "event:admin"})
RELEASE_READ = frozenset({"org:ci", "project:releases"}) | PROJECT_READ
ALERTS_ORG = frozenset({"alerts:read"}) | ORG_READ
ALERTS_PROJECT = frozenset({"alerts:read", "alerts:write"}) | PROJECT_READ
ALERTS_ORG_WRITE = frozenset({"alerts:write", "org:write", "org:admin"})
ALERTS_PROJECT_WRITE = frozenset({"alerts:write", "project:write", "project:admin"})
TEAM_CREATE = frozenset({"org:admin", "org:write", "team:write"})
PROJECT_WRITE = frozenset({"project:write", "project:admin"})


def _route(name: str, path: str, **methods: tuple[Handler, frozenset[str]]) -> Route:
    pattern = tuple(path.strip("/").split("/")) if path.strip("/") else ()
    return Route(
        name,
        pattern,
        {m.upper(): fn for m, (fn, _) in methods.items()},
        {m.upper(): scopes for m, (_, scopes) in methods.items()},
    )


PROJ = "projects/{org}/{project}"
ORG = "organizations/{org}"
ISSUE = f"{ORG}/issues/{{issue_id}}"
RELEASE = f"{ORG}/releases/{{version}}"
ROUTES = [
    _route("index", "", get=(h.index, ANY_TOKEN)),
    _route("auth", "auth", get=(org_handlers.get_auth, ANY_TOKEN)),
    _route("user-regions", "users/me/regions", get=(org_handlers.list_user_regions, ANY_TOKEN)),
    _route("organizations", "organizations", get=(h.list_organizations, ORG_READ)),
    _route("organization", ORG, get=(h.get_organization, ORG_READ)),
    _route("org-projects", f"{ORG}/projects", get=(h.list_org_projects, ORG_READ)),
    _route("org-teams", f"{ORG}/teams", get=(h.list_teams, ORG_READ), post=(management.create_team, TEAM_CREATE)),
    _route("team", "teams/{org}/{team}", get=(org_handlers.get_team, TEAM_READ)),
    _route("team-projects", "teams/{org}/{team}/projects", post=(management.create_project, PROJECT_WRITE)),
    _route("org-members", f"{ORG}/members", get=(org_handlers.list_members, MEMBER_READ)),
    _route("org-environments", f"{ORG}/environments", get=(org_handlers.list_environments, ORG_READ)),
    _route("org-tags", f"{ORG}/tags", get=(issue_tags.list_org_tags, ORG_READ)),
    _route("org-issues", f"{ORG}/issues", get=(ih.list_org_issues, EVENT_READ)),
    _route("org-issue", ISSUE, get=(ih.get_issue_detail, EVENT_READ), put=(ih.update_issue, EVENT_WRITE)),
    _route("org-issue-events", f"{ISSUE}/events", get=(ih.list_issue_events, EVENT_READ)),
    _route("org-issue-event", f"{ISSUE}/events/{{event_id}}", get=(ih.get_issue_event, EVENT_READ)),
    _route("org-issue-tags", f"{ISSUE}/tags", get=(issue_tags.list_issue_tags, EVENT_READ)),
    _route("org-issue-tag", f"{ISSUE}/tags/{{key}}", get=(issue_tags.get_issue_tag, EVENT_READ)),
    _route("org-issue-tag-values", f"{ISSUE}/tags/{{key}}/values", get=(issue_tags.list_issue_tag_values, EVENT_READ)),
    _route("org-issue-hashes", f"{ISSUE}/hashes", get=(issue_extras.list_hashes, EVENT_READ)),
    _route(
        "org-issue-notes",
        f"{ISSUE}/notes",
        get=(issue_extras.list_notes, EVENT_READ),
        post=(issue_extras.create_note, EVENT_WRITE),
    ),
    _route(
        "org-issue-comments",
        f"{ISSUE}/comments",
        get=(issue_extras.list_notes, EVENT_READ),
        post=(issue_extras.create_note, EVENT_WRITE),
    ),
    _route(
        "org-issue-autofix",
        f"{ISSUE}/autofix",
        get=(seer.get_autofix, EVENT_READ),
        post=(autofix_start.start_autofix, EVENT_WRITE),
    ),
    _route("org-shortid", f"{ORG}/shortids/{{issue_id}}", get=(ih.resolve_short_id, EVENT_READ)),
    _route("org-eventid", f"{ORG}/eventids/{{event_id}}", get=(issue_extras.resolve_event_id, ORG_READ)),
    _route("org-releases", f"{ORG}/releases", get=(rh.list_releases, RELEASE_READ)),
    _route("org-release", RELEASE, get=(rh.get_release_detail, RELEASE_READ)),
    _route("org-release-deploys", f"{RELEASE}/deploys", get=(rh.list_release_deploys, RELEASE_READ)),
    _route("org-release-commits", f"{RELEASE}/commits", get=(rh.list_release_commits, RELEASE_READ)),
    _route("org-events", f"{ORG}/events", get=(discover.query_events, ORG_READ)),
    _route("org-stats-v2", f"{ORG}/stats_v2", get=(outcomes.get_stats, ORG_READ)),
    _route("org-sessions", f"{ORG}/sessions", get=(release_health.query_sessions, ORG_READ)),
    _route("org-monitors", f"{ORG}/monitors", get=(monitor_handlers.list_monitors, ALERTS_ORG)),
    _route("org-monitor", f"{ORG}/monitors/{{monitor}}", get=(monitor_handlers.get_monitor, ALERTS_PROJECT)),
    _route(
        "org-monitor-checkins",
        f"{ORG}/monitors/{{monitor}}/checkins",
        get=(monitor_handlers.list_checkins, ALERTS_PROJECT),
    ),
    _route(
        "org-alert-rules",
        f"{ORG}/alert-rules",
        get=(alert_handlers.list_metric_rules, ALERTS_ORG),
        post=(alert_writes.create_metric_rule, ALERTS_ORG_WRITE | {"org:read"}),
    ),
    _route(
        "org-alert-rule",
        f"{ORG}/alert-rules/{{rule_id}}",
        get=(alert_handlers.get_metric_rule, ALERTS_ORG),
        put=(alert_writes.update_metric_rule, ALERTS_ORG_WRITE),
    ),
    _route("org-detectors", f"{ORG}/detectors", get=(detector_handlers.list_detectors, ALERTS_ORG)),
    _route("org-workflows", f"{ORG}/workflows", get=(detector_handlers.list_workflows, ALERTS_ORG)),
    _route("org-replays", f"{ORG}/replays", get=(replays.list_replays, ORG_READ)),
    _route("org-replay", f"{ORG}/replays/{{replay_id}}", get=(replays.get_replay, ORG_READ)),
    _route("org-trace", f"{ORG}/trace/{{trace_id}}", get=(trace_handlers.get_trace, ORG_READ)),
    _route("org-trace-meta", f"{ORG}/trace-meta/{{trace_id}}", get=(trace_handlers.get_trace_meta, ORG_READ)),
    _route("org-dashboards", f"{ORG}/dashboards", get=(dh.list_dashboards, ORG_READ)),
    _route("org-dashboard", f"{ORG}/dashboards/{{dashboard_id}}", get=(dh.get_dashboard, ORG_READ)),
    _route("projects", "projects", get=(h.list_projects, PROJECT_READ)),
    _route("project", PROJ, get=(h.get_project_detail, PROJECT_READ), put=(management.update_project, PROJECT_READ)),
    _route("project-issues", f"{PROJ}/issues", get=(ih.list_project_issues, EVENT_READ)),
    _route("project-events", f"{PROJ}/events", get=(h.list_project_events, PROJECT_READ)),
    _route("project-event", f"{PROJ}/events/{{event_id}}", get=(h.get_project_event, PROJECT_READ)),
    _route("event-attachments", f"{PROJ}/events/{{event_id}}/attachments", get=(ah.list_attachments, PROJECT_READ)),
    _route(
        "event-attachment",
        f"{PROJ}/events/{{event_id}}/attachments/{{attachment_id}}",
        get=(ah.get_attachment, PROJECT_READ),
    ),
    _route(
        "project-profile",
        f"{PROJ}/profiling/profiles/{{profile_id}}",
        get=(trace_handlers.get_profile, PROJECT_READ),
    ),
    _route(
        "project-rules",
        f"{PROJ}/rules",
        get=(alert_handlers.list_issue_rules, ALERTS_PROJECT),
        post=(alert_writes.create_issue_rule, ALERTS_PROJECT_WRITE),
    ),
    _route(
        "project-rule",
        f"{PROJ}/rules/{{rule_id}}",
        get=(alert_handlers.get_issue_rule, ALERTS_PROJECT),
        put=(alert_writes.update_issue_rule, ALERTS_PROJECT_WRITE),
    ),
    _route(
        "project-monitor", f"{PROJ}/monitors/{{monitor}}", get=(monitor_handlers.get_project_monitor, ALERTS_PROJECT)
    ),
    _route(
        "project-monitor-checkins",
        f"{PROJ}/monitors/{{monitor}}/checkins",
        get=(monitor_handlers.list_project_checkins, ALERTS_PROJECT),
    ),
    _route("project-user-feedback", f"{PROJ}/user-feedback", get=(ph.list_user_feedback, PROJECT_READ)),
    _route(
        "project-keys",
        f"{PROJ}/keys",
        get=(ph.list_keys, PROJECT_READ),
        post=(management.create_key, PROJECT_WRITE),
    ),
]
