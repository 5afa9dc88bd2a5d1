"""Alert management: create and update metric alert rules and issue alert rules (legacy alert API).

Writes, listed only when SENTRY_MCP_ALLOW_WRITES is on. Params are checked as Sentry checks them
(``alert_params.py``); an update reads the rule, merges and sends it whole (``alert_bodies.py``),
and answers with the fields that changed, old and new. Both kinds of rule are written the same way,
so one function declares the create and update pairs of each (``_rule_writes``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
from .base import Kind, Pair, Params, Route
from .writing import WritePlan, keep

JSON = dict[str, Any]


@dataclass(frozen=True)
class _RuleKind:
    """One kind of alert rule: where it lives, its params, and how its bodies are built and merged."""

    entity: str
    noun: str
    collection: str
    id_param: str
    create: type[Params]
    update: type[Params]
    body: Callable[[JSON], JSON]
    patch: Callable[[JSON], JSON]
    merge: Callable[[JSON, JSON], JSON]
    summary: Callable[[JSON], JSON]
    create_description: str
    update_description: str


def _rule_writes(kind: _RuleKind) -> list[Pair]:
    one = Route("GET", f"{kind.collection}{{{kind.id_param}}}/")
    keys = keep("id", "name")
    return [
        Pair(
            entity=kind.entity,
            action="create",
            params=kind.create,
            kind=Kind.WRITE,
            description=kind.create_description,
            route=Route("POST", kind.collection, build_body=kind.body),
            write=WritePlan(verb="created", noun=kind.noun, keys=keys),
        ),
        Pair(
            entity=kind.entity,
            action="update",
            params=kind.update,
            kind=Kind.WRITE,
            description=kind.update_description,
            route=Route("PUT", one.path, build_body=kind.patch),
            destructive=True,
            idempotent=True,
            write=WritePlan(
                verb="updated", noun=kind.noun, keys=keys, read_first=one, merge=kind.merge, summary=kind.summary
            ),
        ),
    ]


METRIC_RULES = _RuleKind(
    entity="alert_rules",
    noun="metric alert rule",
    collection="/organizations/{organization_slug}/alert-rules/",
    id_param="alert_rule_id",
    create=MetricAlertCreate,
    update=MetricAlertUpdate,
    body=metric_rule_body,
    patch=metric_rule_patch,
    merge=merge_metric_rule,
    summary=metric_rule_summary,
    create_description="Create a metric alert: aggregate over a window, critical/warning thresholds, actions.",
    update_description="Change a metric alert (thresholds, actions, query, ...); the rest is kept. Says what changed.",
)
ISSUE_RULES = _RuleKind(
    entity="issue_alert_rules",
    noun="issue alert rule",
    collection="/projects/{organization_slug}/{project_slug}/rules/",
    id_param="rule_id",
    create=IssueAlertCreate,
    update=IssueAlertUpdate,
    body=issue_rule_body,
    patch=issue_rule_patch,
    merge=merge_issue_rule,
    summary=issue_rule_summary,
    create_description="Create an issue alert for a project: conditions, filters and actions as Sentry names them.",
    update_description="Change an issue alert (conditions, actions, frequency, ...); the rest is kept. "
    "Says what changed.",
)

PAIRS = [*_rule_writes(METRIC_RULES), *_rule_writes(ISSUE_RULES)]
