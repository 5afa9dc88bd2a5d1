"""The new alerting API: detectors ("Monitors" in the UI: what raises issues) and workflows ("Alerts":
what happens then), `/organizations/{org}/detectors/` and `/workflows/`.

Detectors: an error detector per project (9101-9104, with the project's latest error issue), metric
detectors mirroring the legacy metric alerts (9201-9203), a cron detector per cron monitor (9301-9304)
and an uptime check on the web app (9401). Workflows 9501-9504 (`data/workflows.json`) connect them
to notifications. Their routes are in `detector_handlers.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .alert_records import METRIC_RULES
from .issue_records import issue_category, issue_type
from .models import Issue, iso
from .monitor_records import MONITORS, actor_record
from .store import Store
from .tables import load

JSON = dict[str, Any]
CREATED = datetime(2025, 9, 30, 15, 2, 11, tzinfo=UTC)
PRIORITY = {"critical": 75, "warning": 50}
WORKFLOWS: tuple[JSON, ...] = tuple(load("workflows")["workflows"])


def _workflow_ids(detector_id: str) -> list[str]:
    return [w["id"] for w in WORKFLOWS if detector_id in w["detectors"]]


def _group_summary(store: Store, issue: Issue) -> JSON:
    state = store.state[issue.id]
    project = store.data.project(issue.project_slug)
    return {
        "id": issue.id,
        "title": issue.title,
        "culprit": issue.culprit,
        "shortId": issue.short_id,
        "level": issue.level,
        "status": state.status,
        "substatus": state.substatus,
        "platform": store.event_platform(issue.project_slug),
        "project": {"id": project.id, "name": project.name, "slug": project.slug, "platform": project.platform},
        "type": "error" if issue.kind == "error" else "default",
        "issueType": issue_type(issue),
        "issueCategory": issue_category(issue),
        "metadata": dict(issue.metadata),
        "numComments": sum(1 for a in state.activity if a["type"] == "note"),
        "firstSeen": iso(issue.first_seen),
        "lastSeen": iso(issue.last_seen),
    }


def _detector(detector_id: str, project_id: str, name: str, kind: str, **extra: Any) -> JSON:
    return {
        "id": detector_id,
        "projectId": project_id,
        "name": name,
        "description": None,
        "type": kind,
        "workflowIds": _workflow_ids(detector_id),
        "owner": None,
        "createdBy": None,
        "dateCreated": iso(CREATED),
        "dateUpdated": iso(CREATED),
        "dataSources": None,
        "conditionGroup": None,
        "config": {},
        "enabled": True,
        "latestGroup": None,
    } | extra


def detectors(store: Store) -> list[JSON]:
    out = []
    for n, project in enumerate(store.data.projects, 1):
        errors = [i for i in store.issues_of(project.slug) if i.kind == "error"]
        latest = max(errors, key=lambda i: i.last_seen, default=None)
        group = _group_summary(store, latest) if latest else None
        out.append(_detector(f"910{n}", project.id, "Error Monitor", "error", latestGroup=group))
    for n, rule in enumerate(METRIC_RULES, 1):
        detector_id = f"920{n}"
        project = store.data.project(rule["projects"][0])
        conditions = [
            {
                "id": f"{detector_id}{i}",
                "type": "gt",
                "comparison": t["threshold"],
                "conditionResult": PRIORITY[t["label"]],
            }
            for i, t in enumerate(rule["triggers"], 1)
        ]
        conditions.append(
            {
                "id": f"{detector_id}0",
                "type": "lte",
                "comparison": rule["triggers"][-1]["threshold"],
                "conditionResult": 0,
            }
        )
        source = {
            "id": f"{detector_id}5",
            "organizationId": store.data.organization.id,
            "type": "snuba_query_subscription",
            "sourceId": f"{detector_id}6",
            "queryObj": {
                "id": f"{detector_id}7",
                "status": 0,
                "subscription": f"1/{detector_id}",
                "snubaQuery": {
                    "id": f"{detector_id}8",
                    "dataset": rule["dataset"],
                    "query": rule["query"],
                    "aggregate": rule["aggregate"],
                    "timeWindow": rule["timeWindow"] * 60,
                    "environment": rule["environment"],
                    "eventTypes": rule["eventTypes"],
                },
            },
        }
        group = {
            "id": f"{detector_id}9",
            "organizationId": store.data.organization.id,
            "logicType": "any",
            "conditions": conditions,
            "actions": [],
        }
        out.append(
            _detector(
                detector_id,
                project.id,
                rule["name"],
                "metric_issue",
                owner=actor_record(store, rule["owner"]),
                createdBy=store.owner.id,
                dataSources=[source],
                conditionGroup=group,
                config={"detectionType": "static", "comparisonDelta": None},
            )
        )
    for n, monitor in enumerate(MONITORS, 1):
        project = store.data.project(monitor.project_slug)
        source = {
            "id": f"930{n}5",
            "organizationId": store.data.organization.id,
            "type": "cron_monitor",
            "sourceId": monitor.guid,
            "queryObj": {"slug": monitor.slug, "name": monitor.name},
        }
        out.append(
            _detector(
                f"930{n}",
                project.id,
                monitor.name,
                "monitor_check_in_failure",
                owner=actor_record(store, monitor.owner),
                dataSources=[source],
            )
        )
    uptime = {
        "id": "94015",
        "organizationId": store.data.organization.id,
        "type": "uptime_subscription",
        "sourceId": "94016",
        "queryObj": {
            "url": "https://app.acme.example/healthz",
            "method": "GET",
            "body": None,
            "headers": [],
            "intervalSeconds": 60,
            "timeoutMs": 5000,
            "traceSampling": False,
        },
    }
    out.append(
        _detector(
            "9401",
            store.data.project("web").id,
            "[us] app.acme.example",
            "uptime_domain_failure",
            owner=actor_record(store, "team:11"),
            dataSources=[uptime],
            config={"mode": 1, "environment": "production", "downtimeThreshold": 3, "recoveryThreshold": 1},
        )
    )
    return out


def workflow_record(store: Store, workflow: JSON) -> JSON:
    org_id = store.data.organization.id
    wid = workflow["id"]
    conditions = [
        {"id": f"{wid}1{n}", "type": t["type"], "comparison": t["comparison"], "conditionResult": True}
        for n, t in enumerate(workflow["triggers"])
    ]
    filters = [
        {"id": f"{wid}2{n}", "type": f["type"], "comparison": f["comparison"], "conditionResult": True}
        for n, f in enumerate(workflow["filters"])
    ]
    actions = [
        {
            "id": f"{wid}3{n}",
            "type": a["type"],
            "integrationId": "2934" if a["type"] == "slack" else None,
            "data": a["data"],
            "config": {
                "targetType": a["config"]["targetType"],
                "targetDisplay": None,
                "targetIdentifier": a["config"]["targetIdentifier"],
            },
            "status": "active",
        }
        for n, a in enumerate(workflow["actions"])
    ]
    return {
        "id": wid,
        "name": workflow["name"],
        "organizationId": org_id,
        "createdBy": store.owner.id,
        "dateCreated": iso(CREATED),
        "dateUpdated": iso(CREATED),
        "triggers": {
            "id": f"{wid}4",
            "organizationId": org_id,
            "logicType": "any-short",
            "conditions": conditions,
            "actions": [],
        },
        "actionFilters": [
            {"id": f"{wid}5", "organizationId": org_id, "logicType": "all", "conditions": filters, "actions": actions}
        ],
        "environment": None,
        "config": {"frequency": workflow["frequency"]},
        "detectorIds": list(workflow["detectors"]),
        "enabled": True,
        "lastTriggered": workflow["lastTriggered"],
        "owner": workflow["owner"],
    }
