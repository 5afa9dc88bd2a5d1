"""The write params refuse what Sentry would refuse, before anything is sent; the confirmation stays short.

Fast unit tests of the params models (``catalog/alert_params.py``, ``catalog/management.py``), the
update merge (``catalog/alert_bodies.py``) and the confirmation builder (``views/confirm.py``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from sentry_agent_mcp.catalog.alert_bodies import merge_metric_rule, metric_rule_body, metric_rule_patch
from sentry_agent_mcp.catalog.alert_params import IssueAlertCreate, MetricAlertCreate, MetricAlertUpdate
from sentry_agent_mcp.catalog.management import ProjectKeyCreate, ProjectUpdate, TeamCreate
from sentry_agent_mcp.errors import InvalidParamsError
from sentry_agent_mcp.views.confirm import CONFIRMATION_CHARS, confirmation

ORG = {"organization_slug": "acme"}
METRIC = {
    **ORG,
    "name": "Errors",
    "projects": ["web"],
    "aggregate": "count()",
    "time_window": 60,
    "critical_threshold": 100,
}
SLACK = {"type": "slack", "target_type": "specific", "target_identifier": "#a", "integration_id": 1}
FIRST_SEEN = {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
EMAIL = {"id": "sentry.mail.actions.NotifyEmailAction", "targetType": "IssueOwners"}


def refused(model: Any, values: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(values)
    return str(caught.value)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"warning_threshold": 200}, "critical_threshold must be above warning_threshold"),
        ({"threshold_type": "below", "warning_threshold": 50}, "critical_threshold must be below warning_threshold"),
        ({"resolve_threshold": 150}, "critical_threshold must be above resolve_threshold"),
        ({"threshold_type": "below", "resolve_threshold": 50}, "critical_threshold must be below resolve_threshold"),
        ({"time_window": 7}, "time_window"),
        ({"projects": []}, "at least 1 item"),
        ({"projects": ["web", "api"]}, "at most 1 item"),
        ({"aggregate": "median(x)"}, "aggregate must be one of"),
        ({"dataset": "events", "aggregate": "p95(transaction.duration)"}, "needs dataset transactions"),
        ({"dataset": "metrics"}, "crash-rate aggregates"),
        ({"environment": "prod/eu"}, "environment"),
        ({"actions": [{**SLACK, "type": "carrier_pigeon"}]}, "actions.0.type"),
        ({"actions": [{**SLACK, "integration_id": None}]}, "a slack action needs integration_id"),
        ({"actions": [{**SLACK, "type": "email"}]}, "a email action takes target_type user or team"),
        ({"owner": "bob"}, "owner"),
    ],
)
def test_metric_alert_params_refuse_what_sentry_refuses(change: dict[str, Any], problem: str) -> None:
    assert problem in refused(MetricAlertCreate, {**METRIC, **change})


def test_metric_alert_params_accept_sentry_boundaries() -> None:
    """Sentry compares integers with a step of one: alert above 0 and resolve below 1 is a valid pair."""
    MetricAlertCreate.model_validate({**METRIC, "critical_threshold": 0, "resolve_threshold": 1})
    MetricAlertCreate.model_validate({**METRIC, "warning_threshold": 100, "actions": [SLACK]})
    body = metric_rule_body(
        MetricAlertCreate.model_validate({**METRIC, "warning_threshold": 50}).model_dump(exclude_none=True, mode="json")
    )
    assert [t["label"] for t in body["triggers"]] == ["critical", "warning"] and body["query"] == ""


def test_an_update_is_checked_again_once_merged_into_the_current_rule() -> None:
    current = {
        "name": "r",
        "thresholdType": 0,
        "triggers": [{"id": "1", "label": "critical", "alertThreshold": 100, "actions": []}],
    }
    patch = metric_rule_patch(
        MetricAlertUpdate.model_validate({**ORG, "alert_rule_id": "1", "warning_threshold": 150}).model_dump(
            exclude_none=True, mode="json"
        )
    )
    with pytest.raises(InvalidParamsError, match="critical_threshold must be above warning_threshold"):
        merge_metric_rule(current, patch)
    merged = merge_metric_rule(current, {"warning": 50})
    assert [(t["label"], t["alertThreshold"]) for t in merged["triggers"]] == [("critical", 100), ("warning", 50)]
    assert "at least one change" in refused(MetricAlertUpdate, {**ORG, "alert_rule_id": "1"})


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"actions": []}, "at least 1 item"),
        ({"actions": [{"id": "sentry.mail.actions.Telegram"}]}, "unknown action id"),
        (
            {"conditions": [{"id": "sentry.rules.conditions.event_frequency.EventFrequencyCondition", "value": 5}]},
            "needs interval",
        ),
        (
            {
                "conditions": [
                    {
                        "id": "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
                        "value": 5,
                        "interval": "2h",
                    }
                ]
            },
            "interval must be one of",
        ),
        (
            {"filters": [{"id": "sentry.rules.filters.level.LevelFilter", "match": "gt", "level": "40"}]},
            "match must be one of",
        ),
        ({"frequency": 4}, "greater than or equal to 5"),
        ({"frequency": 43201}, "less than or equal to 43200"),
        ({"action_match": "most"}, "action_match"),
    ],
)
def test_issue_alert_params_refuse_what_sentry_refuses(change: dict[str, Any], problem: str) -> None:
    values = {**ORG, "project_slug": "web", "name": "n", "conditions": [FIRST_SEEN], "actions": [EMAIL]}
    assert problem in refused(IssueAlertCreate, {**values, **change})


def test_management_params() -> None:
    assert "give slug or name" in refused(TeamCreate, ORG)
    assert "slug" in refused(TeamCreate, {**ORG, "slug": "1234"}), "an all-digit slug is refused, as Sentry does"
    TeamCreate.model_validate({**ORG, "slug": "team-1"})
    assert "at least one change" in refused(ProjectUpdate, {**ORG, "project_slug": "web"})
    assert "together" in refused(ProjectKeyCreate, {**ORG, "project_slug": "web", "rate_limit_count": 5})


def test_a_confirmation_stays_short_whatever_changed() -> None:
    long = {f"field{n}": "x" * 500 for n in range(12)}
    result = confirmation("updated", "project", {"id": "1", "slug": "web"}, changed=long, was=long)
    assert len(json.dumps(result, separators=(",", ":"), ensure_ascii=False)) <= CONFIRMATION_CHARS
    assert result["updated"] == "project" and result["more"] >= 1, "what did not fit is counted"
    failed = confirmation(
        "updated", "issue", {"id": "1"}, changed={"status": "resolved"}, extra={"note_error": "e" * 200}
    )
    assert failed["changed"] == {"status": "resolved"} and failed["note_error"] == "e" * 200, "a failure is kept whole"


def test_a_confirmation_counts_what_a_long_list_leaves_out() -> None:
    """A changed list shows its first items and how many more, counted once (not re-counted when cut to fit)."""
    actions = [f"action{n}" for n in range(5)]
    shown = confirmation("updated", "alert rule", {"id": "1"}, changed={"actions": actions}, was={"actions": []})
    assert shown["changed"] == {"actions": ["action0", "action1", "action2", "+2 more"]}
    crowded = {"actions": actions, **{f"field{n}": "x" * 100 for n in range(3)}}
    cut = confirmation("updated", "alert rule", {"id": "1"}, changed=crowded)
    assert cut["changed"]["actions"][-1] == "+2 more", "cutting values to fit keeps the count"
