"""End to end over the HTTP transports: the server as a subprocess on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client

from sentry_demo import DemoSentryServer

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


def _post_call(port: int, session: dict[str, str]) -> httpx2.Response:
    body = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {
            "name": "sentry_issues_list",
            "arguments": {"organization_slug": "acme", "query": "", "limit": 150},
            "_meta": {"progressToken": "p1"},
        },
    }
    return httpx2.post(f"http://127.0.0.1:{port}/mcp", json=body, headers=session, timeout=30)


def _open_session(port: int) -> dict[str, str]:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    init = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
    }
    reply = httpx2.post(f"http://127.0.0.1:{port}/mcp", json=init, headers=headers, timeout=30)
    reply.raise_for_status()
    session = {**headers, "mcp-session-id": reply.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
    note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    httpx2.post(f"http://127.0.0.1:{port}/mcp", json=note, headers=session, timeout=30).raise_for_status()
    return session


@pytest.mark.parametrize("streaming", [False, True])
def test_calls_are_answered_as_json_unless_streaming_is_asked_for(
    demo_sentry: DemoSentryServer, tmp_path: Path, streaming: bool
) -> None:
    """JSON bodies by default (cheaper); SENTRY_MCP_HTTP_STREAMING streams progress during a 2-page list."""
    env = server_env(
        demo_sentry.url, SENTRY_MCP_HTTP_STREAMING=str(streaming).lower(), SENTRY_MCP_MAX_RESULT_CHARS="1000000"
    )
    with http_server("streamable-http", env, tmp_path / "server.log") as port:
        response = _post_call(port, _open_session(port))
    assert response.status_code == 200
    if not streaming:
        assert response.headers["content-type"].startswith("application/json")
        assert len(response.json()["result"]["structuredContent"]["data"]) == 150
        return
    assert response.headers["content-type"].startswith("text/event-stream")
    messages = [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:") and line[5:]]
    progress = [m["params"] for m in messages if m.get("method") == "notifications/progress"]
    assert [(p["progressToken"], p["progress"], p["total"]) for p in progress] == [("p1", 100, 150), ("p1", 150, 150)]
    assert len(messages[-1]["result"]["structuredContent"]["data"]) == 150
