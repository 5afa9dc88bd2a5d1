"""End to end over the HTTP transports: the server as a subprocess on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client
from mcp.client.sse import sse_client

from sentry_agent_mcp.demo_sentry import DemoSentryServer

from conftest import server_env
from e2e import http_server

pytestmark = pytest.mark.anyio


async def _exercise(client: Client) -> None:
    names = {tool.name for tool in (await client.list_tools()).tools}
    assert {"sentry_issues_list", "sentry_execute"} <= names
    page = await client.call_tool(
        "sentry_issues_list", {"organization_slug": "acme", "project_slug": "web", "limit": 2}
    )
    assert not page.is_error and len(page.structured_content["data"]) == 2  # type: ignore[index]
    bad = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": "NOPE-1"})
    assert bad.is_error and "HTTP 404" in bad.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_streamable_http(demo_sentry: DemoSentryServer, tmp_path: Path, mode: str) -> None:
    with http_server("streamable-http", server_env(demo_sentry.url), tmp_path / "server.log") as port:
        async with Client(f"http://127.0.0.1:{port}/mcp", mode=mode) as client:  # type: ignore[arg-type]
            await _exercise(client)


async def test_sse(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    with http_server("sse", server_env(demo_sentry.url), tmp_path / "server.log") as port:
        async with Client(sse_client(f"http://127.0.0.1:{port}/sse"), mode="legacy") as client:
            await _exercise(client)
