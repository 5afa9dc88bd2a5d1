"""Params of the alert-rule writes, checked the way Sentry checks them before anything is sent.

Metric alerts (``alert_rules``): a critical threshold and an optional warning one on the side the
``threshold_type`` says, a resolve threshold on the other side of both, one project, a time window
Sentry offers, an aggregate its dataset can compute, and actions whose type, target and integration
go together. Issue alerts (``issue_alert_rules``): conditions, filters and actions among those
Sentry documents, each with the fields it needs (``alert_rule_kinds.json``), at least one action,
and a frequency of 5 to 43200 minutes. Updates take the same fields, all optional; what they leave
out keeps its current value (``alert_bodies.py`` merges).
"""

from __future__ import annotations

import json
import re
from enum import IntEnum, StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator

from .base import OrganizationSlug, Params, ProjectSlug

JSON = dict[str, Any]


@cache
def kinds() -> JSON:
    """``alert_rule_kinds.json``: what Sentry's alert-rule API accepts."""
    loaded: JSON = json.loads(Path(__file__).with_name("alert_rule_kinds.json").read_text(encoding="utf-8"))
    return loaded


class ThresholdType(StrEnum):
    ABOVE = "above"
    BELOW = "below"


class AlertDataset(StrEnum):
    EVENTS = "events"
    TRANSACTIONS = "transactions"
    GENERIC_METRICS = "generic_metrics"
    METRICS = "metrics"
    SESSIONS = "sessions"
    EVENTS_ANALYTICS_PLATFORM = "events_analytics_platform"


class TimeWindowMinutes(IntEnum):
    M1 = 1
    M5 = 5
    M10 = 10
    M15 = 15
    M30 = 30
    H1 = 60
    H2 = 120
    H4 = 240
    D1 = 1440


class ActionType(StrEnum):
    EMAIL = "email"
    SLACK = "slack"
    MSTEAMS = "msteams"
    DISCORD = "discord"
    PAGERDUTY = "pagerduty"
    OPSGENIE = "opsgenie"
    SENTRY_APP = "sentry_app"
    SENTRY_NOTIFICATION = "sentry_notification"


class TargetType(StrEnum):
    SPECIFIC = "specific"
    USER = "user"
    TEAM = "team"
    SENTRY_APP = "sentry_app"


class Match(StrEnum):
    ALL = "all"
    ANY = "any"
    NONE = "none"


_AGGREGATE = re.compile(r"^(\w+)\((.*)\)( AS \w+)?$")
_CRASH_RATE = "_crash_rate_alert_aggregate"
_TRANSACTION_ONLY = ("transaction.duration", "measurements.", "apdex", "failure_rate")

Name = Annotated[str, Field(min_length=1, max_length=256, description="Rule name.")]
Environment = Annotated[
    str | None,
    Field(None, min_length=1, max_length=64, pattern=r"^[^\n\r\f/]+$", description="Only this environment."),
]
Owner = Annotated[str | None, Field(None, pattern=r"^(user|team):\d{1,20}$", description="'team:<id>' or 'user:<id>'.")]
Threshold = Annotated[float | None, Field(None, ge=-1e12, le=1e12)]


class MetricAction(Params):
    """One action of a metric alert trigger."""

    type: ActionType
    target_type: TargetType = Field(description="user/team for email, sentry_app for apps, else specific.")
    target_identifier: str | None = Field(None, min_length=1, max_length=200, description="User/team id, #channel.")
    integration_id: int | None = Field(None, ge=1, le=2**63 - 1, description="For slack, msteams, pagerduty...")
    sentry_app_id: int | None = Field(None, ge=1, le=2**63 - 1, description="For sentry_app.")

    @model_validator(mode="after")
    def _fits_its_type(self) -> Self:
        rule = kinds()["metric_actions"][self.type]
        if self.target_type not in rule["target_types"]:
            raise ValueError(f"a {self.type} action takes target_type {' or '.join(rule['target_types'])}")
        missing = [name for name in rule["requires"] if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.type} action needs {', '.join(missing)}")
        return self


class MetricAlertFields(Params):
    """What a metric alert rule is made of; every field optional here (an update)."""

    name: Name | None = None
    projects: list[ProjectSlug] | None = Field(None, min_length=1, max_length=1, description="Its one project.")
    aggregate: str | None = Field(None, max_length=200, description="e.g. 'count()', 'p95(transaction.duration)'.")
    dataset: AlertDataset | None = Field(None, description="Default events.")
    query: str | None = Field(None, max_length=1000, description="Event search; '' for all.")
    time_window: TimeWindowMinutes | None = Field(None, description="Minutes aggregated over.")
    environment: Environment = None
    threshold_type: ThresholdType | None = Field(None, description="Fire above (default) or below.")
    critical_threshold: Threshold = Field(None, description="Fires past this value.")
    warning_threshold: Threshold = Field(None, description="Warns past this value.")
    resolve_threshold: Threshold = Field(None, description="Resolves back past this value.")
    actions: list[MetricAction] | None = Field(None, max_length=10, description="Run by every trigger.")
    owner: Owner = None

    @field_validator("aggregate")
    @classmethod
    def _known_function(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = _AGGREGATE.match(value.strip())
        if match is None or match.group(1) not in kinds()["metric_functions"]:
            raise ValueError(f"aggregate must be one of {', '.join(kinds()['metric_functions'])} applied, e.g. count()")
        return value.strip()

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        check_metric_rule(
            self.dataset,
            self.aggregate,
            self.threshold_type or ThresholdType.ABOVE,
            self.critical_threshold,
            self.warning_threshold,
            self.resolve_threshold,
        )
        return self


def check_metric_rule(
    dataset: str | None,
    aggregate: str | None,
    threshold_type: str,
    critical: float | None,
    warning: float | None,
    resolve: float | None,
) -> None:
    """Sentry's cross-field checks (``AlertRuleSerializer``), on whatever is known; raises ValueError."""
    if aggregate is not None and dataset is not None:
        crash_rate = _CRASH_RATE in aggregate
        if crash_rate != (dataset in kinds()["crash_rate_datasets"]):
            raise ValueError(
                "crash-rate aggregates (percentage(... AS _crash_rate_alert_aggregate)) need dataset metrics"
            )
        if dataset == "events" and any(word in aggregate for word in _TRANSACTION_ONLY):
            raise ValueError(f"{aggregate} needs dataset transactions or generic_metrics, not events")
    above = threshold_type == ThresholdType.ABOVE
    side = "above" if above else "below"
    if critical is not None and warning is not None and (critical < warning if above else critical > warning):
        raise ValueError(f"critical_threshold must be {side} warning_threshold (threshold_type {threshold_type})")
    if resolve is None:
        return
    for label, value in (("critical", critical), ("warning", warning)):
        if value is None:
            continue
        integral = float(value).is_integer() and float(resolve).is_integer()
        bump = (1 if above else -1) if integral else 0
        if (value + bump <= resolve - bump) if above else (value + bump >= resolve - bump):
            raise ValueError(f"{label}_threshold must be {side} resolve_threshold")


class MetricAlertCreate(MetricAlertFields):
    """Create a metric alert rule."""

    organization_slug: OrganizationSlug
    name: Name
    projects: list[ProjectSlug] = Field(min_length=1, max_length=1, description="Its one project.")
    aggregate: str = Field(max_length=200, description="e.g. 'count()', 'p95(transaction.duration)'.")
    time_window: TimeWindowMinutes = Field(description="Minutes aggregated over.")
    critical_threshold: float = Field(ge=-1e12, le=1e12, description="Fires past this value.")


class MetricAlertUpdate(MetricAlertFields):
    """Change a metric alert rule; what is left out keeps its value."""

    organization_slug: OrganizationSlug
    alert_rule_id: str = Field(pattern=r"^[0-9]{1,20}$", description="Rule id.")

    @model_validator(mode="after")
    def _changes(self) -> Self:
        if not self.model_dump(exclude_none=True, exclude={"organization_slug", "alert_rule_id"}):
            raise ValueError("give at least one change (name, critical_threshold, actions, ...)")
        return self


def _check_kind(item: JSON, table: str, what: str) -> JSON:
    known = kinds()[table]
    kind = item.get("id")
    if kind not in known:
        short = sorted(name.rsplit(".", 1)[-1] for name in known)
        raise ValueError(f"unknown {what} id {str(kind)[:80]!r}; known: {', '.join(short)}")
    rule, short_name = known[kind], str(kind).rsplit(".", 1)[-1]
    missing = [name for name in rule.get("requires", ()) if item.get(name) in (None, "")]
    if missing:
        raise ValueError(f"{short_name} needs {', '.join(missing)}")
    for name, choices in rule.get("choices", {}).items():
        if name in item and item[name] not in choices:
            raise ValueError(f"{short_name}.{name} must be one of {', '.join(map(str, choices))}")
    return item


RuleItems = Annotated[list[dict[str, Any]], Field(max_length=20)]


class IssueAlertFields(Params):
    """What an issue alert rule is made of; every field optional here (an update)."""

    name: Name | None = None
    conditions: RuleItems | None = Field(None, description="Sentry's condition objects, e.g. [{'id': '...'}].")
    filters: RuleItems | None = Field(None, description="Sentry's filter objects.")
    actions: RuleItems | None = Field(None, min_length=1, description="Sentry's action objects (1+).")
    action_match: Match | None = Field(None, description="How many conditions must hold.")
    filter_match: Match | None = Field(None, description="How many filters must hold.")
    frequency: int | None = Field(None, ge=5, le=43200, description="Minutes between actions per issue.")
    environment: Environment = None
    owner: Owner = None

    @field_validator("conditions")
    @classmethod
    def _conditions(cls, items: list[JSON] | None) -> list[JSON] | None:
        return None if items is None else [_check_kind(item, "issue_conditions", "condition") for item in items]

    @field_validator("filters")
    @classmethod
    def _filters(cls, items: list[JSON] | None) -> list[JSON] | None:
        return None if items is None else [_check_kind(item, "issue_filters", "filter") for item in items]

    @field_validator("actions")
    @classmethod
    def _actions(cls, items: list[JSON] | None) -> list[JSON] | None:
        return None if items is None else [_check_kind(item, "issue_actions", "action") for item in items]


class IssueAlertCreate(IssueAlertFields):
    """Create an issue alert rule for a project."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    name: Name
    conditions: RuleItems = Field(
        description="Sentry's condition objects, e.g. [{'id': '...FirstSeenEventCondition'}]."
    )
    actions: RuleItems = Field(min_length=1, description="Sentry's action objects (1+).")


class IssueAlertUpdate(IssueAlertFields):
    """Change an issue alert rule; what is left out keeps its value."""

    organization_slug: OrganizationSlug
    project_slug: ProjectSlug
    rule_id: str = Field(pattern=r"^[0-9]{1,20}$", description="Rule id.")

    @model_validator(mode="after")
    def _changes(self) -> Self:
        if not self.model_dump(exclude_none=True, exclude={"organization_slug", "project_slug", "rule_id"}):
            raise ValueError("give at least one change (name, conditions, actions, frequency, ...)")
        return self
