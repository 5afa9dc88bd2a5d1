"""Handlers for the legacy alert rules (shapes in `alert_records.py`): metric alerts under
`/organizations/{org}/alert-rules/` and issue alerts under `/projects/{org}/{project}/rules/`.
"""

from __future__ import annotations

from .alert_writes import rules
from .handlers import get_org, get_project, ok, paged
from .http import ApiRequest, ApiResponse, not_found
from .store import Store


def list_metric_rules(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    return paged(store, request, list(rules(store).metric.values()), dict)


def get_metric_rule(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    rule = rules(store).metric.get(request.params["rule_id"])
    if rule is None:
        raise not_found()
    return ok(rule)


def list_issue_rules(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    state = rules(store)
    found = [r for r in state.issue.values() if state.project_of[r["id"]] == project.slug]
    return paged(store, request, found, dict)


def get_issue_rule(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    state = rules(store)
    rule = state.issue.get(request.params["rule_id"])
    if rule is None or state.project_of[rule["id"]] != project.slug:
        raise not_found()
    return ok(rule)
