"""Writes are opt-in; organizations are called in their region; region URLs cannot steer the token."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client, MCPError
from mcp.types import TextContent

from sentry_agent_mcp.catalog import CATALOG, Kind
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio
WRITES = {p.tool_name for p in CATALOG.values() if p.kind is Kind.WRITE}


def _server(url: str, **settings: Any) -> SentryMCPServer:
    return SentryMCPServer(Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=url, **settings))


def _text(result: Any) -> str:
    return "".join(b.text for b in result.content if isinstance(b, TextContent))


async def test_writes_are_hidden_and_refused_by_default(demo_sentry: DemoSentryServer) -> None:
    async with Client(_server(demo_sentry.url)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        start = len(demo_sentry.requests)
        refused = await client.call_tool(
            "sentry_execute",
            {"entity": "issues", "action": "update", "params": {"organization_slug": "acme", "issue_id": "WEB-2"}},
        )
        with pytest.raises(MCPError):
            await client.call_tool("sentry_issues_update", {"organization_slug": "acme", "issue_id": "WEB-2"})
    assert not WRITES & set(tools)
    assert all(t.annotations and t.annotations.read_only_hint for t in tools.values())
    assert refused.is_error and "SENTRY_MCP_ALLOW_WRITES=true" in _text(refused)
    assert not [r for r in demo_sentry.requests[start:] if r.method != "GET"], "a refused write reached Sentry"


async def test_writes_when_allowed_say_so_honestly(demo_sentry: DemoSentryServer) -> None:
    async with Client(_server(demo_sentry.url, allow_writes=True)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    update, note, execute = (
        tools[n].annotations for n in ("sentry_issues_update", "sentry_issue_notes_create", "sentry_execute")
    )
    assert update and update.read_only_hint is False and update.destructive_hint is True
    assert update.idempotent_hint is False, "with a note, a second call adds a second note"
    for pair in (p for p in CATALOG.values() if p.kind is Kind.WRITE):
        hints = tools[pair.tool_name].annotations
        assert hints and (hints.destructive_hint, hints.idempotent_hint) == (pair.destructive, pair.idempotent)
        assert pair.write is not None, f"{pair.tool_name} answers with a confirmation (catalog/writing.py)"
    assert note and note.read_only_hint is False and note.destructive_hint is False and note.idempotent_hint is False
    assert execute and execute.read_only_hint is False and execute.destructive_hint is True


@pytest.mark.parametrize("foreign", ["http://evil.example:8080", "https://sentry.io.evil.example", "ftp://127.0.0.1"])
async def test_a_foreign_region_url_is_refused(foreign: str) -> None:
    with DemoSentryServer(tokens=[CANARY_TOKEN], org_region_url=foreign) as control:
        async with Client(_server(control.url)) as client:
            result = await client.call_tool("sentry_issues_list", {"organization_slug": "acme"})
        hosts = {r.headers.get("host") for r in control.requests}
    assert result.is_error and "Refusing to send" in _text(result) and foreign.split("://")[1] in _text(result)
    assert hosts == {control.url.removeprefix("http://")}


async def test_self_hosted_without_regions_calls_the_configured_host() -> None:
    with DemoSentryServer(tokens=[CANARY_TOKEN], regions=[], org_region_url="https://sentry.example.com") as sentry:
        async with Client(_server(sentry.url)) as client:
            orgs = await client.call_tool("sentry_organizations_list", {})
            page = await client.call_tool("sentry_issues_list", {"organization_slug": "acme", "limit": 1})
        paths = [r.path for r in sentry.requests]
    assert not orgs.is_error and not page.is_error
    assert "/api/0/users/me/regions/" in paths and "/api/0/organizations/acme/issues/" in paths
