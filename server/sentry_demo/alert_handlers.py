"""Handlers for the legacy alert rules (shapes in `alert_records.py`): metric alerts under
`/organizations/{org}/alert-rules/` and issue alerts under `/projects/{org}/{project}/rules/`.
"""

from __future__ import annotations

from .alert_records import ISSUE_RULES, METRIC_RULES, issue_rule_record, metric_rule_record
from .handlers import get_org, get_project, ok, paged
from .http import ApiRequest, ApiResponse, not_found
from .store import Store


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
