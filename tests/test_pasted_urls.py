"""Pasted Sentry URLs end to end (README "Pasted Sentry URLs"): an MCP client passes URLs to the tools,
the server calls the demo Sentry over real HTTP (configured as a self-hosted Sentry), and each test checks
the request Sentry received, or that it received none. One more runs ``serve --demo`` over real stdio,
where sentry.io URLs of the demo organization work."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from mcp import Client
from mcp.types import TextContent

from sentry_agent_mcp import SentryConnector
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import UnsupportedOnBackendError
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DemoSentryServer
from sentry_demo.http import RecordedRequest

from conftest import CANARY_TOKEN
from e2e import stdio_server
from fake_airbyte import FakeAirbyte

pytestmark = pytest.mark.anyio
TRACE_ID = "0123456789abcdef0123456789abcdef"


class Session:
    """An MCP client on a server whose configured Sentry is the demo over HTTP, and the demo's request log."""

    def __init__(self, client: Client, sentry: DemoSentryServer) -> None:
        self.client = client
        self.sentry = sentry
        self.web = f"{sentry.url}/organizations/acme"
        """Where the demo's own permalinks point: the web address of its organization."""

    async def call(self, tool: str, args: dict[str, Any]) -> tuple[bool, Any, list[RecordedRequest]]:
        """Call a tool; return whether it failed, its JSON (or error text) and what Sentry received."""
        start = len(self.sentry.requests)
        result = await self.client.call_tool(tool, args)
        text = "".join(b.text for b in result.content if isinstance(b, TextContent))
        return result.is_error, (text if result.is_error else json.loads(text)), self.sentry.requests[start:]

    async def ok(self, tool: str, args: dict[str, Any]) -> tuple[Any, RecordedRequest]:
        failed, answer, received = await self.call(tool, args)
        assert not failed, answer
        return answer, received[-1]

    async def refused(self, tool: str, args: dict[str, Any]) -> str:
        """A call that must fail before anything reaches Sentry."""
        failed, text, received = await self.call(tool, args)
        assert failed and received == [], (text, received)
        return str(text)


@pytest.fixture
async def session(demo_sentry: DemoSentryServer) -> AsyncIterator[Session]:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=demo_sentry.url)
    async with Client(SentryMCPServer(settings)) as client:
        yield Session(client, demo_sentry)


async def _first(session: Session, tool: str, args: dict[str, Any], field: str) -> str:
    page, _ = await session.ok(tool, {**args, "limit": 1, "fields": [field]})
    return str(page["data"][0][field])


async def test_a_pasted_url_works_in_id_params_and_in_resources_get(session: Session) -> None:
    org = {"organization_slug": "acme"}
    issue_id = await _first(session, "sentry_issues_list", org, "id")
    event_id = await _first(session, "sentry_issue_events_list", {**org, "issue_id": issue_id}, "eventID")
    replay_id = await _first(session, "sentry_replays_list", org, "id")
    monitor = await _first(session, "sentry_monitors_list", org, "slug")
    versions, _ = await session.ok("sentry_releases_list", {**org, "limit": 100, "fields": ["version"]})
    version = max((r["version"] for r in versions["data"]), key=lambda v: sum(not c.isalnum() for c in v))
    issue_url = f"{session.web}/issues/{issue_id}/?project=4501#activity"

    issue, req = await session.ok("sentry_issues_get", {"issue_id": issue_url})  # no organization_slug: the URL's
    assert req.path == f"/api/0/organizations/acme/issues/{issue_id}/" and issue["id"] == issue_id
    executed, req = await session.ok(
        "sentry_execute", {"entity": "issue_events", "action": "list", "params": {"issue_id": issue_url, "limit": 1}}
    )
    assert req.path == f"/api/0/organizations/acme/issues/{issue_id}/events/" and executed["data"]

    expected = {
        f"{session.web}/issues/{issue_id}/": ("issue", f"/organizations/acme/issues/{issue_id}/"),
        f"{session.web}/issues/{issue_id}/events/{event_id}/": (
            "event",
            f"/organizations/acme/issues/{issue_id}/events/{event_id}/",
        ),
        f"{session.web}/releases/{quote(version, safe='')}/": (
            "release",
            f"/organizations/acme/releases/{quote(version, safe='')}/",
        ),
        f"{session.web}/replays/{replay_id}/": ("replay", f"/organizations/acme/replays/{replay_id}/"),
        f"{session.sentry.url}/settings/acme/projects/web/keys/": ("project", "/projects/acme/web/"),
        f"{session.web}/crons/worker/{monitor}/": ("monitor", f"/organizations/acme/monitors/{monitor}/"),
    }
    for url, (kind, path) in expected.items():
        answer, req = await session.ok("sentry_resources_get", {"url": url})
        assert answer["resource"] == kind and req.path.lower() == f"/api/0{path}".lower(), (url, req.path)
    event, _ = await session.ok("sentry_resources_get", {"url": f"{session.web}/issues/{issue_id}/events/{event_id}/"})
    assert event["eventID"] == event_id
    slim, _ = await session.ok("sentry_resources_get", {"url": f"{session.web}/issues/{issue_id}/", "fields": ["id"]})
    assert slim == {"resource": "issue", "id": issue_id}
    _, _, received = await session.call("sentry_resources_get", {"url": f"{session.web}/performance/trace/{TRACE_ID}/"})
    assert received and received[0].path == f"/api/0/organizations/acme/trace/{TRACE_ID}/"


async def test_urls_of_other_hosts_wrong_kinds_and_other_organizations_are_refused_unsent(session: Session) -> None:
    for url in (
        "https://evil.example/organizations/acme/issues/1/",
        "https://acme.sentry.io/issues/1/",  # sentry.io, but this server talks to a self-hosted Sentry
        f"{session.sentry.url}@evil.example/organizations/acme/issues/1/",
    ):
        text = await session.refused("sentry_resources_get", {"url": url})
        assert "it was not fetched" in text and "a URL of 127.0.0.1" in text  # the hint names the host
        assert "not fetched" in await session.refused("sentry_issues_get", {"issue_id": url})
    wrong = await session.refused("sentry_issues_get", {"issue_id": f"{session.web}/replays/{TRACE_ID}/"})
    assert "names a replay, not an issue" in wrong and "sentry_replays_get" in wrong
    other = await session.refused(
        "sentry_issues_get", {"issue_id": f"{session.web}/issues/1/", "organization_slug": "x"}
    )
    assert "organization 'acme', the call names 'x'" in other
    unknown = await session.refused("sentry_resources_get", {"url": f"{session.web}/dashboards/"})
    assert "names no issue" in unknown


async def test_serve_demo_takes_sentry_io_urls_of_the_demo_organization(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "SENTRY_MCP_BACKEND": "demo"}
    async with stdio_server(env, tmp_path / "stderr.log") as client:
        listed = await client.call_tool(
            "sentry_issues_list", {"organization_slug": "acme", "limit": 1, "fields": ["id"]}
        )
        issue_id = listed.structured_content["data"][0]["id"]  # type: ignore[index]
        for tool, args in (
            ("sentry_resources_get", {"url": f"https://acme.sentry.io/issues/{issue_id}/"}),
            ("sentry_issues_get", {"issue_id": f"https://sentry.io/organizations/acme/issues/{issue_id}/"}),
            ("sentry_issues_get", {"issue_id": f"http://demo.sentry.local/organizations/acme/issues/{issue_id}/"}),
        ):
            result = await client.call_tool(tool, {**args, "fields": ["id"]})
            assert not result.is_error and result.structured_content is not None, result.content
            assert result.structured_content["id"] == issue_id
        refused = await client.call_tool("sentry_resources_get", {"url": "http://acme.sentry.io/issues/1/"})
        assert refused.is_error


async def test_the_hosted_backend_takes_urls_in_its_seed_pairs_id_params(
    demo_sentry: DemoSentryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeAirbyte(sentry_url=demo_sentry.url, sentry_token=CANARY_TOKEN) as airbyte:
        for name, value in airbyte.env().items():
            monkeypatch.setenv(name, value)
        async with SentryConnector() as connector:
            issue = await connector.execute("issues", "get", {"issue_id": "https://acme.sentry.io/issues/WEB-1/"})
            with pytest.raises(UnsupportedOnBackendError):
                await connector.execute("resources", "get", {"url": "https://acme.sentry.io/issues/WEB-1/"})
        executes = [r.json for r in airbyte.requests if r.path.endswith("/execute")]
    assert issue["shortId"] == "WEB-1"
    assert executes == [
        {"entity": "issues", "action": "get", "params": {"organization_slug": "acme", "issue_id": "WEB-1"}}
    ]
