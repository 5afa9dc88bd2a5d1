"""Seer: Sentry's root-cause analysis and proposed fix for an issue (``issue_autofix``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from ..views.seer import AUTOFIX
from .base import Kind, OrganizationSlug, Pair, Params, Route
from .issues import IssueId
from .writing import WritePlan, keep


class StoppingPoint(StrEnum):
    ROOT_CAUSE = "root_cause"
    SOLUTION = "solution"
    CODE_CHANGES = "code_changes"
    OPEN_PR = "open_pr"


class IssueAutofixGet(Params):
    """Identify the issue whose Seer run to read."""

    organization_slug: OrganizationSlug
    issue_id: IssueId


class IssueAutofixStart(IssueAutofixGet):
    """Start a Seer run on an issue (a write: each call starts a run)."""

    stopping_point: StoppingPoint | None = Field(None, description="Where Seer stops; default root_cause.")
    user_context: str | None = Field(None, min_length=1, max_length=1000, description="Extra context for Seer.")


AUTOFIX_PATH = "/organizations/{organization_slug}/issues/{issue_id}/autofix/"

PAIRS = [
    Pair(
        entity="issue_autofix",
        action="get",
        params=IssueAutofixGet,
        kind=Kind.GET,
        description="Get Seer's analysis of an issue: run status, root cause, proposed fix and code changes.",
        route=Route("GET", AUTOFIX_PATH),
        view=AUTOFIX,
    ),
    Pair(
        entity="issue_autofix",
        action="start",
        params=IssueAutofixStart,
        kind=Kind.WRITE,
        description="Start Seer's root-cause analysis of an issue; follow it with sentry_issue_autofix_get.",
        route=Route("POST", AUTOFIX_PATH, body={"stopping_point": "stopping_point", "user_context": "user_context"}),
        write=WritePlan(verb="started", noun="Seer autofix", keys=keep("run_id", "issue_id")),
    ),
]
