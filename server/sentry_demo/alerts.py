"""Legacy alert rules, still served although removed from the spec in 2026: metric alerts
(`/organizations/{org}/alert-rules/[{id}/]`, ids 7201-7203) and issue alerts per project
(`/projects/{org}/{project}/rules/[{id}/]`, ids 8301-8306). Shapes follow the 2025-10 spec and its
examples; the new detectors and workflows (`detectors.py`) describe the same alerting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .handlers import get_org, get_project, ok, paged
from .http import ApiRequest, ApiResponse, not_found
from .models import iso
from .store import Store

JSON = dict[str, Any]
CREATED = datetime(2025, 6, 12, 9, 14, 3, tzinfo=UTC)
SLACK = {"integrationId": "2934", "inputChannelId": "C07ACMEALRT", "sentryAppId": None}


def _action(rule_id: str, trigger_id: str, n: int, kind: str, target: str) -> JSON:
    return {
        "id": f"{trigger_id}{n}",
        "alertRuleTriggerId": trigger_id,
        "type": kind,
        "targetType": "specific" if kind == "slack" else "team",
        "targetIdentifier": target,
        "inputChannelId": SLACK["inputChannelId"] if kind == "slack" else None,
        "integrationId": SLACK["integrationId"] if kind == "slack" else None,
        "sentryAppId": None,
        "dateCreated": iso(CREATED),
        "desc": f"Send a notification to {target}" if kind == "slack" else "Send an email to members of #backend",
    }


def _trigger(rule_id: str, n: int, label: str, threshold: float, actions: list[tuple[str, str]]) -> JSON:
    trigger_id = f"{rule_id}{n}"
    return {
        "id": trigger_id,
        "alertRuleId": rule_id,
        "label": label,
        "thresholdType": 0,
        "alertThreshold": threshold,
        "resolveThreshold": None,
        "dateCreated": iso(CREATED),
        "actions": [_action(rule_id, trigger_id, i, kind, target) for i, (kind, target) in enumerate(actions, 1)],
    }


METRIC_RULES: tuple[JSON, ...] = (
    {
        "id": "7201",
        "name": "Checkout errors spiking in production",
        "dataset": "events",
        "query": "transaction:/checkout",
        "aggregate": "count()",
        "timeWindow": 60,
        "environment": "production",
        "projects": ["web"],
        "owner": "team:11",
        "eventTypes": ["default", "error"],
        "triggers": [(("critical", 200), [("slack", "#frontend-alerts")]), (("warning", 80), [])],
        "status": 0,
    },
    {
        "id": "7202",
        "name": "API p95 latency above 1.5s",
        "dataset": "transactions",
        "query": "transaction.op:http.server",
        "aggregate": "p95(transaction.duration)",
        "timeWindow": 15,
        "environment": "production",
        "projects": ["api"],
        "owner": "team:12",
        "eventTypes": ["transaction"],
        "triggers": [(("critical", 1500), [("email", "12"), ("slack", "#backend-oncall")])],
        "status": 0,
    },
    {
        "id": "7203",
        "name": "iOS crash-free sessions below 99%",
        "dataset": "metrics",
        "query": "",
        "aggregate": "percentage(sessions_crashed, sessions) AS _crash_rate_alert_aggregate",
        "timeWindow": 60,
        "environment": None,
        "projects": ["ios"],
        "owner": "team:13",
        "eventTypes": [],
        "triggers": [(("critical", 1), [("slack", "#mobile-alerts")])],
        "status": 0,
    },
)

ISSUE_RULES: tuple[JSON, ...] = (
    {
        "id": "8301",
        "project": "web",
        "name": "Send a notification for new issues",
        "conditions": [{"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}],
        "filters": [],
        "actions": [
            {
                "id": "sentry.mail.actions.NotifyEmailAction",
                "targetType": "IssueOwners",
                "fallthroughType": "ActiveMembers",
            }
        ],
        "actionMatch": "any",
        "filterMatch": "all",
        "frequency": 30,
        "environment": None,
        "owner": "team:11",
        "lastTriggered": "2026-03-02T09:41:07Z",
    },
    {
        "id": "8302",
        "project": "web",
        "name": "Checkout errors: page the frontend on-call",
        "conditions": [
            {"id": "sentry.rules.conditions.event_frequency.EventFrequencyCondition", "interval": "1h", "value": 100}
        ],
        "filters": [
            {
                "id": "sentry.rules.filters.tagged_event.TaggedEventFilter",
                "key": "transaction",
                "match": "eq",
                "value": "/checkout",
            }
        ],
        "actions": [
            {
                "id": "sentry.integrations.slack.notify_action.SlackNotifyServiceAction",
                "workspace": 2934,
                "channel": "#frontend-oncall",
                "tags": "browser,release",
            }
        ],
        "actionMatch": "all",
        "filterMatch": "all",
        "frequency": 60,
        "environment": "production",
        "owner": "user:103",
        "lastTriggered": "2026-02-27T18:03:55Z",
    },
    {
        "id": "8303",
        "project": "api",
        "name": "Fatal errors in the API",
        "conditions": [{"id": "sentry.rules.conditions.every_event.EveryEventCondition"}],
        "filters": [{"id": "sentry.rules.filters.level.LevelFilter", "match": "eq", "level": "50"}],
        "actions": [
            {
                "id": "sentry.mail.actions.NotifyEmailAction",
                "targetType": "Team",
                "targetIdentifier": 12,
                "fallthroughType": "ActiveMembers",
            }
        ],
        "actionMatch": "all",
        "filterMatch": "all",
        "frequency": 5,
        "environment": "production",
        "owner": "team:12",
        "lastTriggered": None,
    },
    {
        "id": "8304",
        "project": "api",
        "name": "Regressions",
        "conditions": [{"id": "sentry.rules.conditions.regression_event.RegressionEventCondition"}],
        "filters": [],
        "actions": [
            {
                "id": "sentry.mail.actions.NotifyEmailAction",
                "targetType": "IssueOwners",
                "fallthroughType": "ActiveMembers",
            }
        ],
        "actionMatch": "any",
        "filterMatch": "all",
        "frequency": 1440,
        "environment": None,
        "owner": "team:12",
        "lastTriggered": "2026-02-21T04:12:40Z",
    },
    {
        "id": "8305",
        "project": "worker",
        "name": "Celery task failures",
        "conditions": [
            {
                "id": "sentry.rules.conditions.event_frequency.EventUniqueUserFrequencyCondition",
                "interval": "15m",
                "value": 1,
            }
        ],
        "filters": [{"id": "sentry.rules.filters.issue_occurrences.IssueOccurrencesFilter", "value": 10}],
        "actions": [
            {
                "id": "sentry.mail.actions.NotifyEmailAction",
                "targetType": "Member",
                "targetIdentifier": 102,
                "fallthroughType": "ActiveMembers",
            }
        ],
        "actionMatch": "all",
        "filterMatch": "all",
        "frequency": 60,
        "environment": "production",
        "owner": "user:102",
        "lastTriggered": "2026-03-01T23:15:02Z",
    },
    {
        "id": "8306",
        "project": "ios",
        "name": "Crash regressions in the latest release",
        "conditions": [{"id": "sentry.rules.conditions.regression_event.RegressionEventCondition"}],
        "filters": [{"id": "sentry.rules.filters.latest_release.LatestReleaseFilter"}],
        "actions": [
            {
                "id": "sentry.integrations.slack.notify_action.SlackNotifyServiceAction",
                "workspace": 2934,
                "channel": "#mobile-alerts",
                "tags": "device,os",
            }
        ],
        "actionMatch": "all",
        "filterMatch": "all",
        "frequency": 30,
        "environment": None,
        "owner": "team:13",
        "lastTriggered": None,
        "snooze": True,
    },
)


def _created_by(store: Store) -> JSON:
    return {"id": int(store.owner.id), "name": store.owner.name, "email": store.owner.email}


def metric_rule_record(store: Store, rule: JSON) -> JSON:
    triggers = [
        _trigger(rule["id"], n, label, threshold, actions)
        for n, ((label, threshold), actions) in enumerate(rule["triggers"], 1)
    ]
    return {k: v for k, v in rule.items() if k != "triggers"} | {
        "organizationId": store.data.organization.id,
        "queryType": 0 if rule["dataset"] == "events" else 2 if rule["dataset"] == "metrics" else 1,
        "thresholdType": 0,
        "resolveThreshold": None,
        "triggers": triggers,
        "includeAllProjects": False,
        "originalAlertRuleId": None,
        "comparisonDelta": None,
        "snooze": False,
        "errors": [],
        "dateModified": iso(CREATED),
        "dateCreated": iso(CREATED),
        "createdBy": _created_by(store),
    }


def issue_rule_record(store: Store, rule: JSON) -> JSON:
    return {k: v for k, v in rule.items() if k != "project"} | {
        "projects": [rule["project"]],
        "status": "active",
        "snooze": rule.get("snooze", False),
        "dateCreated": iso(CREATED),
        "createdBy": _created_by(store),
        "snoozeCreatedBy": store.owner.name if rule.get("snooze") else None,
        "snoozeForEveryone": True if rule.get("snooze") else None,
        "errors": [],
    }


def list_metric_rules(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    return paged(store, request, list(METRIC_RULES), lambda r: metric_rule_record(store, r))


def get_metric_rule(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    rule = next((r for r in METRIC_RULES if r["id"] == request.params["rule_id"]), None)
    if rule is None:
        raise not_found()
    return ok(metric_rule_record(store, rule))


def list_issue_rules(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    rules = [r for r in ISSUE_RULES if r["project"] == project.slug]
    return paged(store, request, rules, lambda r: issue_rule_record(store, r))


def get_issue_rule(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    rule = next((r for r in ISSUE_RULES if r["id"] == request.params["rule_id"]), None)
    if rule is None or rule["project"] != project.slug:
        raise not_found()
    return ok(issue_rule_record(store, rule))
