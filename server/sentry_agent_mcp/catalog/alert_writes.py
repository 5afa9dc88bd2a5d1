"""Alert management: create and update metric alert rules and issue alert rules (legacy alert API).

Writes, listed only when SENTRY_MCP_ALLOW_WRITES is on. Params are checked as Sentry checks them
(``alert_params.py``); an update reads the rule, merges and sends it whole (``alert_bodies.py``),
and answers with the fields that changed, old and new.
"""

from __future__ import annotations

from .alert_bodies import (
    issue_rule_body,
    issue_rule_patch,
    issue_rule_summary,
    merge_issue_rule,
    merge_metric_rule,
    metric_rule_body,
    metric_rule_patch,
    metric_rule_summary,
)
from .alert_params import IssueAlertCreate, IssueAlertUpdate, MetricAlertCreate, MetricAlertUpdate
from .base import Kind, Pair, Route
from .writing import WritePlan, keep

_METRIC = "/organizations/{organization_slug}/alert-rules/"
_ISSUE = "/projects/{organization_slug}/{project_slug}/rules/"

PAIRS = [
    Pair(
        entity="alert_rules",
        action="create",
        params=MetricAlertCreate,
        kind=Kind.WRITE,
        description="Create a metric alert: aggregate over a window, critical/warning thresholds, actions.",
        route=Route("POST", _METRIC, build_body=metric_rule_body),
        write=WritePlan(verb="created", noun="metric alert rule", keys=keep("id", "name")),
    ),
    Pair(
        entity="alert_rules",
        action="update",
        params=MetricAlertUpdate,
        kind=Kind.WRITE,
        description="Change a metric alert (thresholds, actions, query, ...); the rest is kept. Says what changed.",
        route=Route("PUT", f"{_METRIC}{{alert_rule_id}}/", build_body=metric_rule_patch),
        destructive=True,
        idempotent=True,
        write=WritePlan(
            verb="updated",
            noun="metric alert rule",
            keys=keep("id", "name"),
            read_first=Route("GET", f"{_METRIC}{{alert_rule_id}}/"),
            merge=merge_metric_rule,
            summary=metric_rule_summary,
        ),
    ),
    Pair(
        entity="issue_alert_rules",
        action="create",
        params=IssueAlertCreate,
        kind=Kind.WRITE,
        description="Create an issue alert for a project: conditions, filters and actions as Sentry names them.",
        route=Route("POST", _ISSUE, build_body=issue_rule_body),
        write=WritePlan(verb="created", noun="issue alert rule", keys=keep("id", "name")),
    ),
    Pair(
        entity="issue_alert_rules",
        action="update",
        params=IssueAlertUpdate,
        kind=Kind.WRITE,
        description="Change an issue alert (conditions, actions, frequency, ...); the rest is kept. Says what changed.",
        route=Route("PUT", f"{_ISSUE}{{rule_id}}/", build_body=issue_rule_patch),
        destructive=True,
        idempotent=True,
        write=WritePlan(
            verb="updated",
            noun="issue alert rule",
            keys=keep("id", "name"),
            read_first=Route("GET", f"{_ISSUE}{{rule_id}}/"),
            merge=merge_issue_rule,
            summary=issue_rule_summary,
        ),
    ),
]
