"""Legacy alert rules, still served although removed from the spec in 2026: metric alerts
(`/organizations/{org}/alert-rules/[{id}/]`, ids 7201-7203) and issue alerts per project
(`/projects/{org}/{project}/rules/[{id}/]`, ids 8301-8306). Shapes follow the 2025-10 spec and its
examples; the new detectors and workflows (`detector_records.py`) describe the same alerting. The
rules themselves are in `data/alert_rules.json`, their routes in `alert_handlers.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .models import iso
from .store import Store
from .tables import load

JSON = dict[str, Any]
CREATED = datetime(2025, 6, 12, 9, 14, 3, tzinfo=UTC)
SLACK = {"integrationId": "2934", "inputChannelId": "C07ACMEALRT", "sentryAppId": None}


def _action(trigger_id: str, n: int, action: JSON) -> JSON:
    kind, target = action["type"], action["target"]
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


def _trigger(rule_id: str, n: int, trigger: JSON) -> JSON:
    trigger_id = f"{rule_id}{n}"
    return {
        "id": trigger_id,
        "alertRuleId": rule_id,
        "label": trigger["label"],
        "thresholdType": 0,
        "alertThreshold": trigger["threshold"],
        "resolveThreshold": None,
        "dateCreated": iso(CREATED),
        "actions": [_action(trigger_id, i, action) for i, action in enumerate(trigger["actions"], 1)],
    }


_TABLES = load("alert_rules")
METRIC_RULES: tuple[JSON, ...] = tuple(_TABLES["metric_rules"])
ISSUE_RULES: tuple[JSON, ...] = tuple(_TABLES["issue_rules"])


def created_by(store: Store) -> JSON:
    """The rules' author, as Sentry's serializers name a user (id, name, email)."""
    return {"id": int(store.owner.id), "name": store.owner.name, "email": store.owner.email}


def metric_rule_record(store: Store, rule: JSON) -> JSON:
    triggers = [_trigger(rule["id"], n, trigger) for n, trigger in enumerate(rule["triggers"], 1)]
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
        "createdBy": created_by(store),
    }


def issue_rule_record(store: Store, rule: JSON) -> JSON:
    return {k: v for k, v in rule.items() if k != "project"} | {
        "projects": [rule["project"]],
        "status": "active",
        "snooze": rule.get("snooze", False),
        "dateCreated": iso(CREATED),
        "createdBy": created_by(store),
        "snoozeCreatedBy": store.owner.name if rule.get("snooze") else None,
        "snoozeForEveryone": True if rule.get("snooze") else None,
        "errors": [],
    }
