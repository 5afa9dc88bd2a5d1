"""Every new write, end to end with writes on: an MCP client calls the tool, the server calls a demo Sentry
of this module's own over real HTTP (so what is created here never shows up in other tests' lists), and
each test checks the requests Sentry received, the short confirmation the agent got, and a later read."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator

import pytest
from mcp import Client

from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.views.confirm import CONFIRMATION_CHARS
from sentry_demo import DemoSentryServer
from test_coverage import Agent

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio
ORG = {"organization_slug": "acme"}
SLACK = {"type": "slack", "target_type": "specific", "target_identifier": "#alerts", "integration_id": 2934}
FIRST_SEEN = {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
EMAIL_OWNERS = {"id": "sentry.mail.actions.NotifyEmailAction", "targetType": "IssueOwners", "fallthroughType": "NoOne"}


@pytest.fixture(scope="module")
def own_sentry() -> Iterator[DemoSentryServer]:
    with DemoSentryServer(tokens=[CANARY_TOKEN]) as server:
        yield server


@pytest.fixture
async def agent(own_sentry: DemoSentryServer) -> AsyncIterator[Agent]:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=own_sentry.url, allow_writes=True)
    async with Client(SentryMCPServer(settings)) as client:
        yield Agent(client, own_sentry)


def short(result: dict[str, object]) -> bool:
    return len(json.dumps(result, separators=(",", ":"), ensure_ascii=False)) < CONFIRMATION_CHARS


async def test_team_project_and_key_writes(agent: Agent) -> None:
    team, req = await agent.call("sentry_teams_create", {**ORG, "slug": "payments", "name": "Payments"})
    assert (req.method, req.path) == ("POST", "/api/0/organizations/acme/teams/")
    assert req.json == {"slug": "payments", "name": "Payments"}
    assert team == {"created": "team", "id": team["id"], "slug": "payments", "name": "Payments"} and short(team)
    listed, _ = await agent.call("sentry_teams_list", {**ORG, "query": "pay"})
    assert [t["slug"] for t in listed["data"]] == ["payments"], "the created team is listed"
    assert "already exists" in await agent.fails("sentry_teams_create", {**ORG, "slug": "payments"})

    args = {**ORG, "team_slug": "payments", "name": "Checkout Service", "platform": "python-flask"}
    project, req = await agent.call("sentry_projects_create", args)
    assert (req.method, req.path) == ("POST", "/api/0/teams/acme/payments/projects/")
    assert req.json == {"name": "Checkout Service", "platform": "python-flask"}
    assert project["created"] == "project" and project["slug"] == "checkout-service" and project["team"] == "payments"

    target = {**ORG, "project_slug": "checkout-service"}
    updated, req = await agent.call("sentry_projects_update", {**target, "name": "Checkout", "resolve_age": 24})
    assert (req.method, req.path) == ("PUT", "/api/0/projects/acme/checkout-service/")
    assert req.json == {"name": "Checkout", "resolveAge": 24}
    assert updated["changed"] == {"name": "Checkout", "resolveAge": 24} and short(updated)
    read, _ = await agent.call("sentry_projects_get", target)
    assert read["name"] == "Checkout" and read["resolveAge"] == 24

    key_args = {**target, "name": "CI", "rate_limit_count": 1000, "rate_limit_window": 3600}
    key, req = await agent.call("sentry_project_keys_create", key_args)
    assert (req.method, req.path) == ("POST", "/api/0/projects/acme/checkout-service/keys/")
    assert req.json == {"name": "CI", "rateLimit": {"count": 1000, "window": 3600}}
    assert re.fullmatch(r"http://[0-9a-f]{32}@127\.0\.0\.1:\d+/\d+", key["dsn"]), "the public DSN, no secret part"
    keys, _ = await agent.call("sentry_project_keys_list", target)
    assert [k["name"] for k in keys["data"]] == ["Default", "CI"] and short(key), "Sentry gives a new project a key"


async def test_metric_alert_create_then_update_reads_merges_and_says_what_changed(agent: Agent) -> None:
    args = {
        **ORG,
        "name": "API errors",
        "projects": ["api"],
        "aggregate": "count()",
        "time_window": 60,
        "critical_threshold": 100,
        "warning_threshold": 50,
        "actions": [SLACK],
    }
    created, req = await agent.call("sentry_alert_rules_create", args)
    assert (req.method, req.path) == ("POST", "/api/0/organizations/acme/alert-rules/")
    assert req.json["triggers"] == [
        {"label": "critical", "alertThreshold": 100, "actions": [SLACK_SENT]},
        {"label": "warning", "alertThreshold": 50, "actions": [SLACK_SENT]},
    ]
    assert req.json["thresholdType"] == 0 and req.json["query"] == "" and req.json["timeWindow"] == 60
    rule_id = created["id"]
    start = len(agent.sentry.requests)
    update = {**ORG, "alert_rule_id": rule_id, "critical_threshold": 300, "environment": "staging"}
    changed, put = await agent.call("sentry_alert_rules_update", update)
    sent = [(r.method, r.path) for r in agent.sentry.requests[start:]]
    path = f"/api/0/organizations/acme/alert-rules/{rule_id}/"
    assert sent == [("GET", path), ("PUT", path)], "read, then the whole rule sent back"
    triggers = {t["label"]: t for t in put.json["triggers"]}
    assert triggers["critical"]["alertThreshold"] == 300 and triggers["warning"]["alertThreshold"] == 50
    assert put.json["name"] == "API errors" and put.json["projects"] == ["api"], "what was not given is kept"
    assert changed["changed"] == {"environment": "staging", "critical": 300}
    assert changed["was"] == {"environment": None, "critical": 100} and short(changed)
    read, _ = await agent.call("sentry_alert_rules_get", {**ORG, "alert_rule_id": rule_id})
    assert read["environment"] == "staging"
    start = len(agent.sentry.requests)
    text = await agent.fails("sentry_alert_rules_update", {**ORG, "alert_rule_id": rule_id, "warning_threshold": 900})
    assert "critical_threshold must be above warning_threshold" in text
    assert [r.method for r in agent.sentry.requests[start:]] == ["GET"], "an invalid merge is never sent"


SLACK_SENT = {"type": "slack", "targetType": "specific", "targetIdentifier": "#alerts", "integrationId": 2934}


async def test_issue_alert_create_then_update(agent: Agent) -> None:
    args = {**ORG, "project_slug": "web", "name": "New issues", "conditions": [FIRST_SEEN], "actions": [EMAIL_OWNERS]}
    created, req = await agent.call("sentry_issue_alert_rules_create", args)
    assert (req.method, req.path) == ("POST", "/api/0/projects/acme/web/rules/")
    assert req.json == {
        "actionMatch": "all",
        "filterMatch": "all",
        "frequency": 30,
        "filters": [],
        "name": "New issues",
        "conditions": [FIRST_SEEN],
        "actions": [EMAIL_OWNERS],
    }
    target = {**ORG, "project_slug": "web", "rule_id": created["id"]}
    changed, put = await agent.call("sentry_issue_alert_rules_update", {**target, "frequency": 60})
    assert put.method == "PUT" and put.json["frequency"] == 60 and put.json["conditions"] == [FIRST_SEEN]
    assert changed["changed"] == {"frequency": 60} and changed["was"] == {"frequency": 30} and short(changed)
    read, _ = await agent.call("sentry_issue_alert_rules_get", target)
    assert read["frequency"] == 60


async def test_issue_update_with_a_note_and_seer_start(agent: Agent) -> None:
    target = {**ORG, "issue_id": "WEB-2"}
    start = len(agent.sentry.requests)
    done, note = await agent.call("sentry_issues_update", {**target, "status": "resolved", "note": "Fixed in 2.4.1"})
    sent = [(r.method, r.path) for r in agent.sentry.requests[start:] if "/issues/" in r.path]
    assert sent == [
        ("PUT", "/api/0/organizations/acme/issues/WEB-2/"),
        ("POST", "/api/0/organizations/acme/issues/WEB-2/notes/"),
    ]
    assert note.json == {"text": "Fixed in 2.4.1"}
    assert next(r for r in agent.sentry.requests[start:] if r.method == "PUT").json == {"status": "resolved"}
    assert done["changed"] == {"status": "resolved"} and done["note_id"] and short(done)
    notes, _ = await agent.call("sentry_issue_notes_list", target)
    assert notes["data"][0]["id"] == done["note_id"]

    run, req = await agent.call("sentry_issue_autofix_start", {**target, "stopping_point": "solution"})
    assert (req.method, req.path) == ("POST", "/api/0/organizations/acme/issues/WEB-2/autofix/")
    assert req.json == {"stopping_point": "solution"}
    assert run == {"started": "Seer autofix", "run_id": run["run_id"], "issue_id": "WEB-2"} and short(run)


async def test_a_note_that_breaks_after_sending_is_reported_next_to_the_update_and_not_resent(agent: Agent) -> None:
    agent.sentry.app.clear_faults()
    agent.sentry.add_fault(disconnect=True, method="POST", path_contains="/issues/WEB-3/notes/")
    start = len(agent.sentry.requests)
    try:
        done, _ = await agent.call("sentry_issues_update", {**ORG, "issue_id": "WEB-3", "priority": "low", "note": "x"})
    finally:
        agent.sentry.app.clear_faults()
    posts = [r for r in agent.sentry.requests[start:] if r.method == "POST"]
    assert len(posts) == 1, "a POST that may have been received is never sent again"
    assert done["changed"] == {"priority": "low"} and "note_id" not in done
    assert "broke" in done["note_error"] and "do not repeat it" in done["hint"]
