"""Creating and replacing legacy alert rules, checked as Sentry's serializers check them.

`POST /organizations/{org}/alert-rules/`, `PUT .../alert-rules/{id}/` (metric alerts) and
`POST /projects/{org}/{project}/rules/`, `PUT .../rules/{id}/` (issue alerts). A PUT replaces the
whole rule, as Sentry's does. Errors are Sentry's 400 bodies: field maps (`{"name": ["This field is
required."]}`) and `nonFieldErrors` for the trigger rules. The rules of one app live in its own
`AlertRules` (seeded from `data/alert_rules.json`), which the list and get routes read.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from .alert_records import CREATED, ISSUE_RULES, METRIC_RULES, created_by, issue_rule_record, metric_rule_record
from .handlers import get_org, get_project
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .models import iso
from .store import Store
from .tables import load

JSON = dict[str, Any]
_RULES = load("alert_validation")
REQUIRED = "This field is required."


@dataclass
class AlertRules:
    metric: dict[str, JSON]
    issue: dict[str, JSON]
    project_of: dict[str, str]
    next_id: int = 0


_STATE: weakref.WeakKeyDictionary[Store, AlertRules] = weakref.WeakKeyDictionary()


def rules(store: Store) -> AlertRules:
    """This app's rules, seeded on first use."""
    if store not in _STATE:
        _STATE[store] = AlertRules(
            metric={r["id"]: metric_rule_record(store, r) for r in METRIC_RULES},
            issue={r["id"]: issue_rule_record(store, r) for r in ISSUE_RULES},
            project_of={r["id"]: r["project"] for r in ISSUE_RULES},
        )
    return _STATE[store]


def _body(request: ApiRequest) -> JSON:
    body = request.json_body()
    if not isinstance(body, dict):
        raise ApiError(400, body={"nonFieldErrors": ["Invalid data. Expected a dictionary."]})
    return body


def _required(body: JSON, names: list[str], errors: JSON) -> None:
    for name in names:
        if body.get(name) is None or (name != "query" and body.get(name) == ""):
            errors[name] = [REQUIRED]


def _choice(body: JSON, name: str, choices: list[Any], errors: JSON) -> None:
    if name in body and body[name] is not None and body[name] not in choices:
        errors[name] = [f'"{body[name]}" is not a valid choice.']


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _metric_action_problem(action: Any) -> str | None:
    if not isinstance(action, dict):
        return "Invalid action"
    kind = _RULES["metric_actions"].get(action.get("type"))
    if kind is None:
        return f"Invalid type: {action.get('type')}"
    if action.get("targetType") not in kind["target_types"]:
        return f"Invalid target type for {action['type']}: {action.get('targetType')}"
    for name in kind["requires"]:
        if action.get(name) in (None, ""):
            return f"{name} is required for {action['type']} actions"
    return None


def _trigger_problems(body: JSON) -> list[str]:
    triggers = body.get("triggers")
    if not isinstance(triggers, list) or not triggers:
        return ["Must include at least one trigger"]
    if len(triggers) > 2:
        return ["Must send 1 or 2 triggers - A critical trigger, and an optional warning trigger"]
    for n, (trigger, label) in enumerate(zip(triggers, ("critical", "warning"), strict=False), 1):
        if not isinstance(trigger, dict) or trigger.get("label") != label:
            return [f'Trigger {n} must be labeled "{label}"']
        if not _number(trigger.get("alertThreshold")):
            return ["Trigger must have an alertThreshold"]
        for action in trigger.get("actions") or []:
            problem = _metric_action_problem(action)
            if problem:
                return [problem]
    above = body.get("thresholdType", 0) == 0
    critical = triggers[0]["alertThreshold"]
    if len(triggers) == 2 and (
        critical < triggers[1]["alertThreshold"] if above else critical > triggers[1]["alertThreshold"]
    ):
        return [f"Critical trigger must have an alert threshold {'above' if above else 'below'} warning trigger"]
    resolve = body.get("resolveThreshold")
    if isinstance(resolve, int | float) and _number(resolve):
        for trigger in triggers:
            value = trigger["alertThreshold"]
            bump = (1 if above else -1) if float(value).is_integer() and float(resolve).is_integer() else 0
            if (value + bump <= resolve - bump) if above else (value + bump >= resolve - bump):
                side = "above" if above else "below"
                return [f"{trigger['label']} alert threshold must be {side} resolution threshold"]
    return []


def _check_metric(store: Store, body: JSON) -> None:
    errors: JSON = {}
    _required(body, ["name", "aggregate", "timeWindow", "query", "thresholdType", "triggers", "projects"], errors)
    _choice(body, "timeWindow", _RULES["time_windows"], errors)
    _choice(body, "thresholdType", [0, 1], errors)
    _choice(body, "dataset", list(_RULES["datasets"]), errors)
    if isinstance(body.get("name"), str) and len(body["name"]) > 256:
        errors["name"] = ["Ensure this field has no more than 256 characters."]
    projects = body.get("projects")
    if projects is not None and (not isinstance(projects, list) or not all(store.project(str(p)) for p in projects)):
        errors["projects"] = ["Invalid project"]
    if errors:
        raise ApiError(400, body=errors)
    problems = _trigger_problems(body)
    if problems:
        raise ApiError(400, body={"nonFieldErrors": problems})


def _metric_record(store: Store, rule_id: str, body: JSON, created: JSON | None) -> JSON:
    state = rules(store)
    triggers = []
    for n, trigger in enumerate(body["triggers"], 1):
        trigger_id = str(trigger.get("id") or f"{rule_id}{n}")
        actions = [
            {
                "id": str(action.get("id") or f"{trigger_id}{i}"),
                "alertRuleTriggerId": trigger_id,
                "type": action["type"],
                "targetType": action["targetType"],
                "targetIdentifier": None if action.get("targetIdentifier") is None else str(action["targetIdentifier"]),
                "inputChannelId": action.get("inputChannelId"),
                "integrationId": action.get("integrationId"),
                "sentryAppId": action.get("sentryAppId"),
                "dateCreated": iso(CREATED),
                "desc": f"Send a {action['type']} notification to {action.get('targetIdentifier')}",
            }
            for i, action in enumerate(trigger.get("actions") or [], 1)
        ]
        triggers.append(
            {
                "id": trigger_id,
                "alertRuleId": rule_id,
                "label": trigger["label"],
                "thresholdType": body["thresholdType"],
                "alertThreshold": trigger["alertThreshold"],
                "resolveThreshold": body.get("resolveThreshold"),
                "dateCreated": iso(CREATED),
                "actions": actions,
            }
        )
    dataset = body.get("dataset") or "events"
    base = created or {"dateCreated": iso(CREATED), "createdBy": created_by(store)}
    record = {
        "id": rule_id,
        "name": body["name"],
        "organizationId": store.data.organization.id,
        "queryType": body.get("queryType", _RULES["datasets"].get(dataset, 0)),
        "dataset": dataset,
        "query": body["query"],
        "aggregate": body["aggregate"],
        "thresholdType": body["thresholdType"],
        "resolveThreshold": body.get("resolveThreshold"),
        "timeWindow": body["timeWindow"],
        "environment": body.get("environment"),
        "triggers": triggers,
        "projects": [str(p) for p in body["projects"]],
        "includeAllProjects": False,
        "owner": body.get("owner"),
        "originalAlertRuleId": None,
        "comparisonDelta": body.get("comparisonDelta"),
        "eventTypes": body.get("eventTypes") or [],
        "snooze": False,
        "errors": [],
        "status": 0,
        "dateModified": iso(CREATED),
        "dateCreated": base["dateCreated"],
        "createdBy": base["createdBy"],
    }
    state.metric[rule_id] = record
    return record


def create_metric_rule(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    body = _body(request)
    _check_metric(store, body)
    state = rules(store)
    state.next_id += 1
    return ApiResponse(201, _metric_record(store, str(7300 + state.next_id), body, None))


def update_metric_rule(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    current = rules(store).metric.get(request.params["rule_id"])
    if current is None:
        raise not_found()
    body = _body(request)
    _check_metric(store, body)
    return ApiResponse(200, _metric_record(store, current["id"], body, current))


def _check_issue(body: JSON) -> None:
    errors: JSON = {}
    _required(body, ["name", "actionMatch", "actions", "conditions", "frequency"], errors)
    _choice(body, "actionMatch", ["all", "any", "none"], errors)
    _choice(body, "filterMatch", ["all", "any", "none"], errors)
    frequency = body.get("frequency")
    if frequency is not None and (not isinstance(frequency, int) or not 5 <= frequency <= 43200):
        errors["frequency"] = ["Ensure this value is between 5 and 43200."]
    if body.get("actions") == []:
        errors["actions"] = ["You must add an action for this alert to fire."]
    for key, known in (("conditions", "issue_conditions"), ("filters", "issue_filters"), ("actions", "issue_actions")):
        items = body.get(key) or []
        if not isinstance(items, list) or any(
            not isinstance(i, dict) or i.get("id") not in _RULES[known] for i in items
        ):
            errors.setdefault(key, [f"Invalid {key[:-1]}"])
    if errors:
        raise ApiError(400, body=errors)


def _issue_record(store: Store, project_slug: str, rule_id: str, body: JSON, created: JSON | None) -> JSON:
    state = rules(store)
    record = {
        "id": rule_id,
        "conditions": body["conditions"],
        "filters": body.get("filters") or [],
        "actions": body["actions"],
        "actionMatch": body["actionMatch"],
        "filterMatch": body.get("filterMatch") or "all",
        "frequency": body["frequency"],
        "name": body["name"],
        "dateCreated": created["dateCreated"] if created else iso(CREATED),
        "owner": body.get("owner"),
        "createdBy": created["createdBy"] if created else created_by(store),
        "environment": body.get("environment"),
        "projects": [project_slug],
        "status": "active",
        "snooze": False,
        "lastTriggered": created.get("lastTriggered") if created else None,
        "errors": [],
    }
    state.issue[rule_id] = record
    state.project_of[rule_id] = project_slug
    return record


def create_issue_rule(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    body = _body(request)
    _check_issue(body)
    state = rules(store)
    state.next_id += 1
    return ApiResponse(201, _issue_record(store, project.slug, str(8400 + state.next_id), body, None))


def update_issue_rule(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    state = rules(store)
    rule_id = request.params["rule_id"]
    if rule_id not in state.issue or state.project_of[rule_id] != project.slug:
        raise not_found()
    body = _body(request)
    _check_issue(body)
    return ApiResponse(200, _issue_record(store, project.slug, rule_id, body, state.issue[rule_id]))
