"""The reads that reach past issues and events (traces, profiles, attachments, Seer, dashboards), end to end:
an MCP client calls the tool, the server calls the demo Sentry over real HTTP, and each test checks every
request Sentry received (a trace also asks for its counts, a small text attachment for its file) and
what the agent got. Ids come from the demo's data set, never typed in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp import Client

from sentry_agent_mcp.catalog.attachments import MAX_TEXT_BYTES
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DemoSentryServer, dataset
from sentry_demo.attachment_data import attachments_of
from sentry_demo.http import RecordedRequest
from sentry_demo.profile_data import profile
from sentry_demo.trace_data import profiled_events, trace_id_of
from test_coverage import Agent

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio
ORG = {"organization_slug": "acme"}


@pytest.fixture
async def agent(demo_sentry: DemoSentryServer) -> AsyncIterator[Agent]:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=demo_sentry.url)
    async with Client(SentryMCPServer(settings)) as client:
        yield Agent(client, demo_sentry)


def issue(short_id: str) -> Any:
    return next(i for i in dataset().issues if i.short_id == short_id)


def latest_event(short_id: str) -> Any:
    return dataset().events[issue(short_id).event_ids[-1]]


def sent_since(agent: Agent, count: int) -> list[RecordedRequest]:
    return agent.sentry.requests[-count:]


async def test_trace_get_asks_for_spans_and_counts(agent: Agent) -> None:
    event = latest_event("WEB-1")
    trace_id = trace_id_of(event)
    trace, _ = await agent.call("sentry_traces_get", {**ORG, "trace_id": trace_id, "stats_period": "30d"})
    spans, meta = sent_since(agent, 2)
    assert spans.path == f"/api/0/organizations/acme/trace/{trace_id}/" and ("statsPeriod", "30d") in spans.query
    assert meta.path == f"/api/0/organizations/acme/trace-meta/{trace_id}/" and ("statsPeriod", "30d") in meta.query
    assert trace["issues"][0]["event_id"] == event.id and trace["issues"][0]["issue"] == "WEB-1"
    assert trace["tree"][0].startswith("pageload ") and "[web]" in trace["tree"][0]
    assert any("<error WEB-1>" in line for line in trace["tree"][:2]), "the failing span comes first"
    assert any("[api]" in line for line in trace["tree"]), "the trace crosses into the api project"
    assert trace["counts"]["spans"] == len(trace["tree"]) and trace["counts"]["errors"] == 1
    empty, _ = await agent.call("sentry_traces_get", {**ORG, "trace_id": "0" * 32})
    assert not empty.get("tree") and "stats_period" in empty["note"]


async def test_profile_get_gives_hot_frames(agent: Agent) -> None:
    event_id, profile_id = next(iter(profiled_events().items()))
    raw = profile(profile_id)
    assert raw is not None
    project = dataset().events[event_id].project_slug
    found, req = await agent.call("sentry_profiles_get", {**ORG, "project_slug": project, "profile_id": profile_id})
    assert req.path == f"/api/0/projects/acme/{project}/profiling/profiles/{profile_id}/"
    assert found["samples"] == len(raw["profile"]["samples"]) and found["thread"] == "MainThread"
    hottest = found["hot_frames"][0]
    assert hottest["self_pct"] >= max(f["self_pct"] for f in found["hot_frames"])
    assert all(f.get("in_app") for f in found["in_app_by_total"]) and "profile" not in found


async def test_event_attachments_list_and_get(agent: Agent) -> None:
    event = latest_event("API-1")
    where = {**ORG, "project_slug": event.project_slug, "event_id": event.id}
    base = f"/api/0/projects/acme/{event.project_slug}/events/{event.id}/attachments/"
    listed, req = await agent.call("sentry_event_attachments_list", {**where, "limit": 5})
    assert req.path == base and ("per_page", "5") in req.query
    files = {row["name"]: row for row in listed["data"]}
    assert {f.name for f in attachments_of(event)} == set(files)
    text_file = next(f for f in attachments_of(event) if f.mimetype == "text/plain")
    got, _ = await agent.call("sentry_event_attachments_get", {**where, "attachment_id": text_file.id})
    meta, download = sent_since(agent, 2)
    assert meta.path == download.path == f"{base}{text_file.id}/"
    assert meta.param("download") is None and download.param("download") == "1"
    assert got["text"] == text_file.content.decode() and got["mimetype"] == "text/plain"
    binary = next(f for f in attachments_of(event) if not f.mimetype.startswith("text/"))
    start = len(agent.sentry.requests)
    got, req = await agent.call("sentry_event_attachments_get", {**where, "attachment_id": binary.id})
    assert len(agent.sentry.requests) == start + 1 and req.param("download") is None, "a binary is never fetched"
    assert "text" not in got and "not a text file" in got["text_skipped"]
    big = next(f for e in dataset().events.values() for f in attachments_of(e) if len(f.content) > MAX_TEXT_BYTES)
    where = {**ORG, "project_slug": big.event.project_slug, "event_id": big.event.id, "attachment_id": big.id}
    got, req = await agent.call("sentry_event_attachments_get", where)
    assert req.param("download") is None and "open it in Sentry" in got["text_skipped"]


async def test_attachment_text_from_a_lying_upstream_is_capped_and_redacted(agent: Agent) -> None:
    """Metadata that says "small text" does not make the download small, text or secret-free."""
    event = latest_event("API-1")
    text_file = next(f for f in attachments_of(event) if f.mimetype == "text/plain")
    where = {**ORG, "project_slug": event.project_slug, "event_id": event.id, "attachment_id": text_file.id}
    path = f"/attachments/{text_file.id}/"
    agent.sentry.add_fault(status=None, path_contains=path, times=1, delay=0.0)  # the metadata: as it is
    lie = (CANARY_TOKEN + " x" * 40_000).encode()
    agent.sentry.add_fault(status=200, path_contains=path, body=lie, content_type="text/plain")
    got, _ = await agent.call("sentry_event_attachments_get", where)
    assert CANARY_TOKEN not in got["text"] and got["text"].startswith("*")
    assert len(got["text"]) < MAX_TEXT_BYTES + 100 and got["text"].endswith("characters in all]")
    agent.sentry.add_fault(status=None, path_contains=path, times=1, delay=0.0)
    agent.sentry.add_fault(status=200, path_contains=path, body=b"\x89PNG", content_type="image/png")
    got, _ = await agent.call("sentry_event_attachments_get", where)
    assert "text" not in got and "image/png" in got["text_error"]


async def test_issue_autofix_get(agent: Agent) -> None:
    done, req = await agent.call("sentry_issue_autofix_get", {**ORG, "issue_id": "API-1"})
    assert (req.method, req.path) == ("GET", "/api/0/organizations/acme/issues/API-1/autofix/")
    assert done["status"] == "COMPLETED" and done["root_cause"]["description"]
    assert done["solution"]["steps"] and done["changes"][0]["pull_request"].startswith("https://github.com/")
    running, _ = await agent.call("sentry_issue_autofix_get", {**ORG, "issue_id": issue("WEB-1").id})
    assert running["status"] == "PROCESSING" and "root_cause" not in running
    never, req = await agent.call("sentry_issue_autofix_get", {**ORG, "issue_id": "WEB-3"})
    assert req.path == "/api/0/organizations/acme/issues/WEB-3/autofix/"
    assert never["status"] == "NOT_STARTED" and "issue_autofix start" in never["note"]


async def test_dashboards_list_and_get(agent: Agent) -> None:
    listed, req = await agent.call("sentry_dashboards_list", {**ORG, "query": "latency", "limit": 2})
    assert req.path == "/api/0/organizations/acme/dashboards/"
    assert ("query", "latency") in req.query and ("per_page", "2") in req.query
    assert [d["title"] for d in listed["data"]] == ["Backend latency"]
    board, req = await agent.call("sentry_dashboards_get", {**ORG, "dashboard_id": listed["data"][0]["id"]})
    assert req.path == f"/api/0/organizations/acme/dashboards/{listed['data'][0]['id']}/"
    widget = board["widgets"][0]
    assert widget["title"] and widget["display"] == "table" and widget["queries"][0]["conditions"]
    assert "layout" not in widget and "onDemand" not in str(board)
