"""Sentry's request bodies for the alert-rule writes, and how an update merges into the current rule.

Sentry's PUT replaces a whole rule (the legacy API says so: "fully overwrites"), so an update reads
the rule, merges the given fields into it (``merge_metric_rule``, ``merge_issue_rule``), checks the
merged rule as a create would be checked, and sends all of it. ``*_summary`` flattens a rule into
the fields a confirmation reports as changed (a trigger's threshold is ``critical``/``warning``).
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParamsError
from .alert_params import ThresholdType, check_metric_rule

JSON = dict[str, Any]

_METRIC_RENAMES = {
    "name": "name",
    "projects": "projects",
    "aggregate": "aggregate",
    "dataset": "dataset",
    "query": "query",
    "time_window": "timeWindow",
    "environment": "environment",
    "owner": "owner",
    "resolve_threshold": "resolveThreshold",
}
_METRIC_WRITABLE = (
    "name",
    "aggregate",
    "timeWindow",
    "projects",
    "query",
    "thresholdType",
    "environment",
    "dataset",
    "queryType",
    "eventTypes",
    "comparisonDelta",
    "resolveThreshold",
    "owner",
)
_ACTION_KEYS = (
    "id",
    "type",
    "targetType",
    "targetIdentifier",
    "integrationId",
    "sentryAppId",
    "inputChannelId",
    "priority",
)
_ACTION_NAMES = {
    "type": "type",
    "target_type": "targetType",
    "target_identifier": "targetIdentifier",
    "integration_id": "integrationId",
    "sentry_app_id": "sentryAppId",
}
_ISSUE_RENAMES = {
    "name": "name",
    "conditions": "conditions",
    "filters": "filters",
    "actions": "actions",
    "action_match": "actionMatch",
    "filter_match": "filterMatch",
    "frequency": "frequency",
    "environment": "environment",
    "owner": "owner",
}


def _number(value: float) -> float | int:
    """200.0 -> 200: what the caller typed, as Sentry shows it."""
    return int(value) if float(value).is_integer() else value


def _threshold_type(value: str | None) -> int:
    return 1 if value == ThresholdType.BELOW else 0


def _actions(values: list[JSON]) -> list[JSON]:
    return [
        {sentry: action[ours] for ours, sentry in _ACTION_NAMES.items() if action.get(ours) is not None}
        for action in values
    ]


def metric_rule_patch(values: JSON) -> JSON:
    """The given fields in Sentry's names; thresholds and actions under ``critical``/``warning``/``actions``
    (an update merges them into the triggers; a create builds the triggers from them)."""
    patch = {sentry: values[ours] for ours, sentry in _METRIC_RENAMES.items() if ours in values}
    if "threshold_type" in values:
        patch["thresholdType"] = _threshold_type(values["threshold_type"])
    for label in ("critical", "warning"):
        if f"{label}_threshold" in values:
            patch[label] = _number(values[f"{label}_threshold"])
    if "resolveThreshold" in patch:
        patch["resolveThreshold"] = _number(patch["resolveThreshold"])
    if "actions" in values:
        patch["actions"] = _actions(values["actions"])
    return patch


def metric_rule_body(values: JSON) -> JSON:
    """POST body: a critical trigger, a warning one when given, both running the actions."""
    patch = metric_rule_patch(values)
    actions = patch.pop("actions", [])
    triggers = [{"label": "critical", "alertThreshold": patch.pop("critical"), "actions": actions}]
    if "warning" in patch:
        triggers.append(
            {"label": "warning", "alertThreshold": patch.pop("warning"), "actions": [dict(a) for a in actions]}
        )
    return {"query": "", "thresholdType": 0} | patch | {"triggers": triggers}


def _trigger(trigger: JSON) -> JSON:
    kept = {k: trigger[k] for k in ("id", "label", "alertThreshold") if k in trigger}
    actions = trigger.get("actions") or []
    return kept | {"actions": [{k: a[k] for k in _ACTION_KEYS if a.get(k) is not None} for a in actions]}


def merge_metric_rule(current: JSON, patch: JSON) -> JSON:
    """The whole rule to PUT: the current one with the patch applied, checked as a create would be."""
    body = {k: current[k] for k in _METRIC_WRITABLE if k in current}
    if "dataset" in patch and patch["dataset"] != current.get("dataset"):
        body.pop("queryType", None)  # Sentry derives both from the new dataset
        body.pop("eventTypes", None)
    body |= {k: v for k, v in patch.items() if k not in ("critical", "warning", "actions")}
    triggers = [_trigger(t) for t in current.get("triggers") or [] if isinstance(t, dict)]
    by_label = {t.get("label"): t for t in triggers}
    if "critical" in patch:
        if "critical" not in by_label:
            by_label["critical"] = {"label": "critical", "actions": []}
            triggers.insert(0, by_label["critical"])
        by_label["critical"]["alertThreshold"] = patch["critical"]
    if "warning" in patch:
        if "warning" not in by_label:
            copied = [
                {k: v for k, v in a.items() if k != "id"} for a in by_label.get("critical", {}).get("actions", [])
            ]
            by_label["warning"] = {"label": "warning", "actions": copied}
            triggers.append(by_label["warning"])
        by_label["warning"]["alertThreshold"] = patch["warning"]
    if "actions" in patch:
        for trigger in triggers:
            trigger["actions"] = [dict(a) for a in patch["actions"]]
    body["triggers"] = triggers
    try:
        check_metric_rule(
            body.get("dataset"),
            body.get("aggregate"),
            ThresholdType.BELOW if body.get("thresholdType") == 1 else ThresholdType.ABOVE,
            by_label.get("critical", {}).get("alertThreshold"),
            by_label.get("warning", {}).get("alertThreshold"),
            body.get("resolveThreshold"),
        )
    except ValueError as exc:
        raise InvalidParamsError(
            f"The rule would be invalid after this update: {exc}.",
            hint="Nothing was changed. Read it with sentry_alert_rules_get and give thresholds that fit together.",
        ) from None
    return body


def _action_label(action: JSON) -> str:
    target = action.get("targetIdentifier") or action.get("sentryAppId") or action.get("targetType")
    return f"{action.get('type')}:{target}"


def metric_rule_summary(rule: JSON) -> JSON:
    """A rule as flat fields: what a confirmation compares and shows."""
    triggers = {t.get("label"): t for t in rule.get("triggers") or [] if isinstance(t, dict)}
    actions = sorted({_action_label(a) for t in triggers.values() for a in t.get("actions") or []})
    summary = {k: rule.get(k) for k in _METRIC_WRITABLE if k not in ("queryType", "eventTypes")}
    return summary | {
        "critical": (triggers.get("critical") or {}).get("alertThreshold"),
        "warning": (triggers.get("warning") or {}).get("alertThreshold"),
        "actions": actions,
    }


def issue_rule_patch(values: JSON) -> JSON:
    return {sentry: values[ours] for ours, sentry in _ISSUE_RENAMES.items() if ours in values}


def issue_rule_body(values: JSON) -> JSON:
    """POST body, with Sentry's required ``actionMatch`` and ``frequency`` defaulted as its UI does."""
    return {"actionMatch": "all", "filterMatch": "all", "frequency": 30, "filters": []} | issue_rule_patch(values)


def merge_issue_rule(current: JSON, patch: JSON) -> JSON:
    return {k: current[k] for k in _ISSUE_RENAMES.values() if k in current} | patch


def _item_label(item: JSON) -> str:
    name = str(item.get("id", "?")).rsplit(".", 1)[-1]
    args = ",".join(f"{k}={v}" for k, v in item.items() if k not in ("id", "name") and v not in (None, ""))
    return f"{name}({args})" if args else name


def issue_rule_summary(rule: JSON) -> JSON:
    summary = {k: rule.get(k) for k in _ISSUE_RENAMES.values()}
    for key in ("conditions", "filters", "actions"):
        summary[key] = [_item_label(i) for i in rule.get(key) or [] if isinstance(i, dict)]
    return summary
