"""What watches the code: cron monitors and their check-ins, alert rules (legacy metric and issue
alerts) and the newer detectors and workflows that replace them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ..views.monitoring import CHECKIN, DETECTOR, MONITOR
from .base import (
    Cursor,
    Environments,
    Kind,
    Limit,
    OrganizationSlug,
    Pair,
    Params,
    ProjectFilter,
    ProjectSlug,
    Route,
)

MonitorSlug = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="Monitor slug, id or URL.",
    ),
]
RuleId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$", description="Rule id.")]


class MonitorsList(Params):
    """List an organization's cron monitors."""

    organization_slug: OrganizationSlug
    project_slug: ProjectFilter = None
    environment: Environments = None
    query: str | None = Field(None, max_length=200, description="Name or slug contains this.")
    limit: Limit = None
    cursor: Cursor = None


class MonitorGet(Params):
    """Identify one cron monitor."""

    organization_slug: OrganizationSlug
    monitor_slug: MonitorSlug


class MonitorCheckinsList(MonitorGet):
    """List a monitor's check-ins, newest first."""

    environment: Environments = None
    limit: Limit = None
    cursor: Cursor = None


class OrgPage(Params):
    """One page of an organization-wide list."""

    organization_slug: OrganizationSlug
    limit: Limit = None
    cursor: Cursor = None


class AlertRuleGet(Params):
    """Identify one metric alert rule."""

    organization_slug: OrganizationSlug
    alert_rule_id: RuleId


class ProjectPage(Params):
    """One page of a project's list."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    limit: Limit = None
    cursor: Cursor = None


class IssueAlertRuleGet(Params):
    """Identify one issue alert rule of a project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    rule_id: RuleId


class DetectorsList(OrgPage):
    """List an organization's detectors."""

    project_slug: ProjectFilter = None
    query: str | None = Field(None, max_length=200, description="Name, type or assignee.")


_O = "/organizations/{organization_slug}"
_PAGE = {"limit": "per_page", "cursor": "cursor"}

PAIRS = [
    Pair(
        entity="monitors",
        action="list",
        params=MonitorsList,
        kind=Kind.LIST,
        description="List cron monitors: schedule, status per environment, next check-in.",
        route=Route(
            "GET",
            f"{_O}/monitors/",
            query={"environment": "environment", "query": "query", **_PAGE},
            project_ids={"project_slug": "project"},
        ),
        view=MONITOR,
    ),
    Pair(
        entity="monitors",
        action="get",
        params=MonitorGet,
        kind=Kind.GET,
        description="Get one cron monitor: schedule, margins, environments and their last check-in.",
        route=Route("GET", f"{_O}/monitors/{{monitor_slug}}/"),
        view=MONITOR,
    ),
    Pair(
        entity="monitor_checkins",
        action="list",
        params=MonitorCheckinsList,
        kind=Kind.LIST,
        description="List a cron monitor's check-ins, newest first: status, duration, environment.",
        route=Route("GET", f"{_O}/monitors/{{monitor_slug}}/checkins/", query={"environment": "environment", **_PAGE}),
        view=CHECKIN,
    ),
    Pair(
        entity="alert_rules",
        action="list",
        params=OrgPage,
        kind=Kind.LIST,
        description="List metric alert rules (legacy API): query, thresholds, triggers, actions.",
        route=Route("GET", f"{_O}/alert-rules/", query=_PAGE),
    ),
    Pair(
        entity="alert_rules",
        action="get",
        params=AlertRuleGet,
        kind=Kind.GET,
        description="Get one metric alert rule (legacy API) with its triggers.",
        route=Route("GET", f"{_O}/alert-rules/{{alert_rule_id}}/"),
    ),
    Pair(
        entity="issue_alert_rules",
        action="list",
        params=ProjectPage,
        kind=Kind.LIST,
        description="List a project's issue alert rules (legacy API): conditions, filters, actions.",
        route=Route(
            "GET",
            "/projects/{organization_slug}/{project_slug}/rules/",
            query={"limit": "per_page", "cursor": "cursor"},
        ),
    ),
    Pair(
        entity="issue_alert_rules",
        action="get",
        params=IssueAlertRuleGet,
        kind=Kind.GET,
        description="Get one issue alert rule of a project (legacy API).",
        route=Route("GET", "/projects/{organization_slug}/{project_slug}/rules/{rule_id}/"),
    ),
    Pair(
        entity="detectors",
        action="list",
        params=DetectorsList,
        kind=Kind.LIST,
        description="List detectors (new monitors API): what raises issues, for which projects.",
        route=Route(
            "GET", f"{_O}/detectors/", query={"query": "query", **_PAGE}, project_ids={"project_slug": "project"}
        ),
        view=DETECTOR,
    ),
    Pair(
        entity="workflows",
        action="list",
        params=OrgPage,
        kind=Kind.LIST,
        description="List workflows (new alerts API): triggers, conditions, actions.",
        route=Route("GET", f"{_O}/workflows/", query=_PAGE),
    ),
]
