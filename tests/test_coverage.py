"""Every pair, end to end: an MCP client calls the tool, the server calls the demo Sentry over real HTTP,
and each test checks both what Sentry received (method, path, query, body) and what the agent got."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.types import TextContent

from sentry_agent_mcp.catalog import CATALOG, Served
from sentry_agent_mcp.catalog.issues import STREAM_COLLAPSE
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DemoSentryServer
from sentry_demo.http import RecordedRequest

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio
ORG = {"organization_slug": "acme"}


class Agent:
    """An MCP client session plus the demo Sentry's request log."""

    def __init__(self, client: Client, sentry: DemoSentryServer) -> None:
        self.client = client
        self.sentry = sentry

    async def call(self, tool: str, args: dict[str, Any]) -> tuple[Any, RecordedRequest]:
        """Call a tool that must succeed; return its result and the request that answered it."""
        start = len(self.sentry.requests)
        result = await self.client.call_tool(tool, args)
        text = "".join(b.text for b in result.content if isinstance(b, TextContent))
        assert not result.is_error, f"{tool}: {text}"
        assert json.loads(text) == result.structured_content
        received = self.sentry.requests[start:]
        assert received, f"{tool} sent nothing to Sentry"
        assert all(r.headers["authorization"] == f"Bearer {CANARY_TOKEN}" for r in received)
        return result.structured_content, received[-1]

    async def fails(self, tool: str, args: dict[str, Any]) -> str:
        result = await self.client.call_tool(tool, args)
        assert result.is_error
        return "".join(b.text for b in result.content if isinstance(b, TextContent))


@pytest.fixture
async def agent(demo_sentry: DemoSentryServer) -> AsyncIterator[Agent]:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=demo_sentry.url, allow_writes=True)
    async with Client(SentryMCPServer(settings)) as client:
        yield Agent(client, demo_sentry)


def query(request: RecordedRequest) -> list[tuple[str, str]]:
    return request.query


async def test_organizations_users_teams_members(agent: Agent) -> None:
    orgs, req = await agent.call("sentry_organizations_list", {})
    assert (req.method, req.path) == ("GET", "/api/0/organizations/")
    assert [o["slug"] for o in orgs["data"]] == ["acme"] and orgs["meta"]["has_more"] is False
    org, req = await agent.call("sentry_organizations_get", ORG)
    assert req.path == "/api/0/organizations/acme/" and org["slug"] == "acme"
    me, req = await agent.call("sentry_users_me", {})
    assert req.path == "/api/0/auth/" and me["id"] == "101" and me["email"].endswith("@acme.example")
    teams, req = await agent.call("sentry_teams_list", {**ORG, "limit": 2})
    assert req.path == "/api/0/organizations/acme/teams/" and ("per_page", "2") in query(req)
    assert len(teams["data"]) == 2 and teams["meta"]["has_more"] is True
    team, req = await agent.call("sentry_teams_get", {**ORG, "team_slug": "backend"})
    assert req.path == "/api/0/teams/acme/backend/" and team["slug"] == "backend"
    members, req = await agent.call("sentry_members_list", ORG)
    assert req.path == "/api/0/organizations/acme/members/"
    assert any(m["email"] == me["email"] for m in members["data"])


async def test_environments_and_tags(agent: Agent) -> None:
    envs, req = await agent.call("sentry_environments_list", {**ORG, "visibility": "all"})
    assert req.path == "/api/0/organizations/acme/environments/" and ("visibility", "all") in query(req)
    assert {"production", "staging"} <= {e["name"] for e in envs["data"]}
    tags, req = await agent.call("sentry_tags_list", {**ORG, "project_slug": "web", "stats_period": "14d"})
    assert req.path == "/api/0/organizations/acme/tags/"
    assert ("project", "4501") in query(req) and ("statsPeriod", "14d") in query(req)
    assert "browser" in {t["key"] for t in tags["data"]}


async def test_projects_org_scoped_or_global_and_keys_without_secrets(
    agent: Agent, demo_sentry: DemoSentryServer
) -> None:
    scoped, req = await agent.call("sentry_projects_list", {**ORG, "query": "wor"})
    assert req.path == "/api/0/organizations/acme/projects/" and ("query", "wor") in query(req)
    assert [p["slug"] for p in scoped["data"]] == ["worker"]
    everything, req = await agent.call("sentry_projects_list", {})
    assert req.path == "/api/0/projects/" and len(everything["data"]) == 4
    keys, req = await agent.call("sentry_project_keys_list", {**ORG, "project_slug": "web"})
    assert req.path == "/api/0/projects/acme/web/keys/"
    raw = httpx2.get(f"{demo_sentry.url}{req.path}", headers={"Authorization": f"Bearer {CANARY_TOKEN}"}).json()
    assert raw[0]["secret"] and raw[0]["dsn"]["secret"], "the demo sends secrets, as Sentry does"
    assert len(keys["data"]) == len(raw), "every key is listed, without its secrets"
    for key in keys["data"]:
        assert "secret" not in key and "secret" not in key["dsn"]
        assert key["dsn"]["public"].startswith("http")
    assert raw[0]["secret"] not in json.dumps(keys)


async def test_issue_search_is_org_scoped_with_project_resolved_to_its_id(agent: Agent) -> None:
    args = {**ORG, "project_slug": "api", "sort": "freq", "environment": ["production"], "stats_period": "14d"}
    page, req = await agent.call("sentry_issues_list", {**args, "limit": 3})
    assert req.path == "/api/0/organizations/acme/issues/"
    assert query(req) == [
        *[(item.name, item.value) for item in STREAM_COLLAPSE],  # the compact rows show none of it
        ("sort", "freq"),
        ("environment", "production"),
        ("statsPeriod", "14d"),
        ("limit", "3"),
        ("project", "4502"),
    ]
    counts = [int(issue["count"]) for issue in page["data"]]
    assert counts == sorted(counts, reverse=True) and all(i["shortId"].startswith("API-") for i in page["data"])
    every, req = await agent.call(
        "sentry_issues_list",
        {**ORG, "query": "issue.category:feedback", "limit": 100, "fields": ["id", "issueCategory"]},
    )
    assert ("query", "issue.category:feedback") in query(req) and not req.param("project")
    assert every["data"] and {i["issueCategory"] for i in every["data"]} == {"feedback"}
    assert all(set(i) == {"id", "issueCategory"} for i in every["data"]), "fields is a projection"
    assert not req.param("fields") and not req.param("detail"), "view options never reach Sentry"


async def test_issue_update_resolves_assigns_and_reads_back(agent: Agent) -> None:
    page, _ = await agent.call("sentry_issues_list", {**ORG, "project_slug": "web", "limit": 1})
    issue_id = page["data"][0]["shortId"]
    target = {**ORG, "issue_id": issue_id}
    updated, req = await agent.call("sentry_issues_update", {**target, "status": "resolved"})
    assert (req.method, req.path) == ("PUT", f"/api/0/organizations/acme/issues/{issue_id}/")
    assert req.json == {"status": "resolved"} and updated["changed"] == {"status": "resolved"}
    again, req = await agent.call("sentry_issues_get", target)
    assert req.method == "GET" and again["status"] == "resolved"
    _, req = await agent.call("sentry_issues_update", {**target, "status": "ignored", "ignore_duration": 60})
    assert req.json == {"status": "ignored", "statusDetails": {"ignoreDuration": 60}}
    _, req = await agent.call("sentry_issues_update", {**target, "status": "resolvedInNextRelease"})
    assert req.json == {"status": "resolvedInNextRelease", "statusDetails": {"inNextRelease": True}}
    assigned, req = await agent.call("sentry_issues_update", {**target, "assigned_to": "user:101", "priority": "high"})
    assert req.json == {"assignedTo": "user:101", "priority": "high"}
    assert assigned["changed"]["priority"] == "high" and assigned["changed"]["assignedTo"], "a short confirmation"
    _, req = await agent.call("sentry_issues_update", {**target, "assigned_to": "", "status": "unresolved"})
    assert req.json == {"status": "unresolved", "assignedTo": ""}
    assert "ignore_duration need status='ignored'" in await agent.fails(
        "sentry_issues_update", {**target, "status": "resolved", "ignore_duration": 5}
    )
    assert "at least one change" in await agent.fails("sentry_issues_update", target)


async def test_issue_events_tags_hashes(agent: Agent) -> None:
    page, _ = await agent.call("sentry_issues_list", {**ORG, "project_slug": "web", "limit": 1, "sort": "freq"})
    issue, _ = await agent.call("sentry_issues_get", {**ORG, "issue_id": page["data"][0]["shortId"]})
    base = f"/api/0/organizations/acme/issues/{issue['id']}"
    target = {**ORG, "issue_id": issue["id"]}
    events, req = await agent.call("sentry_issue_events_list", {**target, "full": True, "limit": 2})
    assert req.path == f"{base}/events/" and ("full", "1") in query(req) and ("per_page", "2") in query(req)
    assert events["data"] and all(e["groupID"] == issue["id"] for e in events["data"])
    latest, req = await agent.call("sentry_issue_events_get", {**target, "event_id": "latest"})
    assert req.path == f"{base}/events/latest/" and latest["exception"][0]["frames"]
    by_id, req = await agent.call("sentry_issue_events_get", {**target, "event_id": latest["eventID"]})
    assert req.path == f"{base}/events/{latest['eventID']}/" and by_id["eventID"] == latest["eventID"]
    tag, req = await agent.call("sentry_issue_tags_get", {**target, "key": "browser"})
    assert req.path == f"{base}/tags/browser/" and tag["key"] == "browser" and tag["topValues"]
    values, req = await agent.call("sentry_issue_tag_values_list", {**target, "key": "browser", "sort": "-count"})
    assert req.path == f"{base}/tags/browser/values/" and ("sort", "-count") in query(req)
    assert {v["value"] for v in values["data"]} >= {v["value"] for v in tag["topValues"][:1]}
    hashes, req = await agent.call("sentry_issue_hashes_list", target)
    assert req.path == f"{base}/hashes/" and all(len(h["id"]) == 32 for h in hashes["data"])


async def test_issue_notes_create_then_list(agent: Agent) -> None:
    target = {**ORG, "issue_id": "WEB-1"}
    note, req = await agent.call("sentry_issue_notes_create", {**target, "text": "Looking into it: rollback of 2.4.0?"})
    assert (req.method, req.path) == ("POST", "/api/0/organizations/acme/issues/WEB-1/notes/")
    assert req.json == {"text": "Looking into it: rollback of 2.4.0?"}
    assert note == {"created": "note", "id": note["id"], "issue_id": "WEB-1"}
    notes, req = await agent.call("sentry_issue_notes_list", target)
    assert req.method == "GET" and notes["data"][0]["id"] == note["id"]


async def test_event_id_lookup(agent: Agent) -> None:
    events, _ = await agent.call("sentry_events_list", {**ORG, "project_slug": "api"})
    event_id = events["data"][0]["eventID"]
    found, req = await agent.call("sentry_event_ids_get", {**ORG, "event_id": event_id})
    assert req.path == f"/api/0/organizations/acme/eventids/{event_id}/"
    assert found["projectSlug"] == "api" and found["eventId"] == event_id and found["groupId"]


async def test_discover_query(agent: Agent) -> None:
    args = {
        **ORG,
        "field": ["title", "count()", "count_unique(user)"],
        "sort": "-count()",
        "query": "level:error",
        "project_slug": "web",
        "stats_period": "14d",
        "limit": 5,
    }
    table, req = await agent.call("sentry_discover_query", args)
    assert req.path == "/api/0/organizations/acme/events/"
    assert [v for k, v in query(req) if k == "field"] == ["title", "count()", "count_unique(user)"]
    assert (
        ("dataset", "errors") in query(req) and ("sort", "-count()") in query(req) and ("project", "4501") in query(req)
    )
    counts = [row["count()"] for row in table["data"]]
    assert 0 < len(counts) <= 5 and counts == sorted(counts, reverse=True)
    assert table["meta"]["columns"]["count()"] == "integer"
    assert "sort must be one of the fields" in await agent.fails(
        "sentry_discover_query", {**args, "sort": "-timestamp"}
    )


async def test_releases_deploys_commits(agent: Agent) -> None:
    releases, req = await agent.call("sentry_releases_list", {**ORG, "project_slug": "web", "limit": 10})
    assert ("project", "4501") in query(req) and ("per_page", "10") in query(req)
    assert all(any(p["slug"] == "web" for p in r["projects"]) for r in releases["data"])
    version = {**ORG, "version": "frontend@2.4.0"}
    deploys, req = await agent.call("sentry_release_deploys_list", version)
    assert req.path == "/api/0/organizations/acme/releases/frontend%402.4.0/deploys/"
    assert {d["environment"] for d in deploys["data"]} >= {"production"}
    commits, req = await agent.call("sentry_release_commits_list", {**version, "limit": 2})
    assert ("per_page", "2") in query(req) and len(commits["data"]) <= 2
    assert req.path == "/api/0/organizations/acme/releases/frontend%402.4.0/commits/"
    assert commits["data"] and all(len(c["id"]) == 40 for c in commits["data"])


async def test_stats_and_release_health(agent: Agent) -> None:
    stats, req = await agent.call(
        "sentry_stats_get", {**ORG, "group_by": ["outcome", "category"], "stats_period": "7d", "interval": "1d"}
    )
    assert req.path == "/api/0/organizations/acme/stats_v2/"
    assert query(req) == [
        ("field", "sum(quantity)"),
        ("groupBy", "outcome"),
        ("groupBy", "category"),
        ("statsPeriod", "7d"),
        ("interval", "1d"),
    ]
    assert stats["groups"] and set(stats["groups"][0]["by"]) == {"outcome", "category"}
    health, req = await agent.call("sentry_sessions_query", {**ORG, "project_slug": "web", "stats_period": "14d"})
    assert req.path == "/api/0/organizations/acme/sessions/"
    assert [v for k, v in query(req) if k == "field"] == ["crash_free_rate(session)", "crash_free_rate(user)"]
    assert ("groupBy", "release") in query(req) and ("project", "4501") in query(req)
    rates = {g["by"]["release"]: g["totals"]["crash_free_rate(session)"] for g in health["groups"]}
    assert len(rates) >= 2 and min(rates.values()) < max(rates.values())


async def test_monitors_and_checkins(agent: Agent) -> None:
    monitors, req = await agent.call("sentry_monitors_list", ORG)
    assert req.path == "/api/0/organizations/acme/monitors/" and monitors["data"]
    slug = monitors["data"][0]["slug"]
    monitor, req = await agent.call("sentry_monitors_get", {**ORG, "monitor_slug": slug})
    assert req.path == f"/api/0/organizations/acme/monitors/{slug}/" and monitor["slug"] == slug
    checkins, req = await agent.call("sentry_monitor_checkins_list", {**ORG, "monitor_slug": slug, "limit": 5})
    assert req.path == f"/api/0/organizations/acme/monitors/{slug}/checkins/" and len(checkins["data"]) == 5
    assert {c["status"] for c in checkins["data"]} <= {"ok", "error", "missed", "timeout", "in_progress"}


async def test_alert_rules_detectors_workflows(agent: Agent) -> None:
    rules, req = await agent.call("sentry_alert_rules_list", ORG)
    assert req.path == "/api/0/organizations/acme/alert-rules/" and rules["data"]
    rule, req = await agent.call("sentry_alert_rules_get", {**ORG, "alert_rule_id": rules["data"][0]["id"]})
    assert req.path == f"/api/0/organizations/acme/alert-rules/{rules['data'][0]['id']}/" and rule["triggers"]
    project = {**ORG, "project_slug": "web"}
    issue_rules, req = await agent.call("sentry_issue_alert_rules_list", project)
    assert req.path == "/api/0/projects/acme/web/rules/" and issue_rules["data"]
    first = issue_rules["data"][0]["id"]
    issue_rule, req = await agent.call("sentry_issue_alert_rules_get", {**project, "rule_id": first})
    assert req.path == f"/api/0/projects/acme/web/rules/{first}/" and issue_rule["actions"]
    detectors, req = await agent.call("sentry_detectors_list", {**ORG, "project_slug": "web"})
    assert req.path == "/api/0/organizations/acme/detectors/" and ("project", "4501") in query(req)
    assert detectors["data"]
    workflows, req = await agent.call("sentry_workflows_list", ORG)
    assert req.path == "/api/0/organizations/acme/workflows/" and workflows["data"]


async def test_replays_and_user_feedback(agent: Agent) -> None:
    replays, req = await agent.call("sentry_replays_list", {**ORG, "stats_period": "14d", "sort": "-started_at"})
    assert req.path == "/api/0/organizations/acme/replays/" and ("sort", "-started_at") in query(req)
    assert isinstance(replays["data"], list) and replays["data"], "the {data: [...]} body is unwrapped"
    replay_id = replays["data"][0]["id"]
    replay, req = await agent.call("sentry_replays_get", {**ORG, "replay_id": replay_id})
    assert req.path == f"/api/0/organizations/acme/replays/{replay_id}/" and replay["id"] == replay_id
    feedback, req = await agent.call("sentry_user_feedback_list", {**ORG, "project_slug": "web"})
    assert req.path == "/api/0/projects/acme/web/user-feedback/"
    assert feedback["data"] and all(f["comments"] for f in feedback["data"])


async def test_resources_get_answers_with_the_object_a_pasted_url_names(agent: Agent) -> None:
    """More URL forms and refusals: tests/test_pasted_urls.py."""
    issues, _ = await agent.call("sentry_issues_list", {**ORG, "limit": 1})
    short_id = issues["data"][0]["shortId"]
    url = f"{agent.sentry.url}/organizations/acme/issues/{short_id}/?referrer=slack"
    issue, req = await agent.call("sentry_resources_get", {"url": url})
    assert req.path == f"/api/0/organizations/acme/issues/{short_id}/"
    assert issue["resource"] == "issue" and issue["shortId"] == short_id


def test_every_direct_pair_has_an_end_to_end_test_here() -> None:
    """Adding a pair to the catalog without a call in this file (or the stdio seed test) fails here."""
    import re
    from pathlib import Path

    called = set(re.findall(r'agent\.call\(\s*"(sentry_\w+)"', Path(__file__).read_text()))
    seed_file = (Path(__file__).parent / "test_e2e_stdio.py").read_text()
    called |= set(re.findall(r'call\(\s*"(sentry_\w+)"', seed_file))
    writes_file = (Path(__file__).parent / "test_coverage_writes.py").read_text()  # the writes, on their own Sentry
    called |= set(re.findall(r'agent\.call\(\s*"(sentry_\w+)"', writes_file))
    reads_file = (Path(__file__).parent / "test_coverage_reads.py").read_text()  # traces, Seer, attachments, ...
    called |= set(re.findall(r'agent\.call\(\s*"(sentry_\w+)"', reads_file))
    direct = {p.tool_name for p in CATALOG.values() if Served.DIRECT in p.served_by}
    assert direct - called == set()
