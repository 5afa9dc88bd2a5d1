"""A canary token must never appear in anything the server writes: results, errors, logs."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import Client
from mcp.types import TextContent

from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN, server_env
from e2e import http_server, stdio_server

pytestmark = pytest.mark.anyio

CALLS = [
    ("sentry_projects_list", {}),
    ("sentry_issues_list", {"organization_slug": "acme", "project_slug": "web", "limit": 2}),
    ("sentry_issues_get", {"organization_slug": "acme", "issue_id": "NOPE-1"}),
    ("sentry_issues_list", {"organization_slug": "acme", "project_slug": "frontend-app"}),
    ("sentry_issues_list", {"organization_slug": "acme", "project_slug": "web", "stats_period": "1y"}),
    ("sentry_execute", {"entity": "issues", "action": "list", "params": {"token": CANARY_TOKEN}}),
]


async def _exercise(client: Client) -> str:
    written = []
    for name, args in CALLS:
        result = await client.call_tool(name, args)
        written += [block.text for block in result.content if isinstance(block, TextContent)]
        written.append(str(result.structured_content))
    return "\n".join(written)


async def test_canary_token_never_leaves_over_stdio_even_at_debug_level(
    demo_sentry: DemoSentryServer, tmp_path: Path
) -> None:
    log = tmp_path / "stderr.log"
    env = server_env(demo_sentry.url, SENTRY_MCP_LOG_LEVEL="DEBUG")
    async with stdio_server(env, log) as client:
        results = await _exercise(client)
    assert "HTTP 404" in results and "HTTP 302" in results  # the calls really failed and were reported
    logged = log.read_text()
    assert "DEBUG" in logged or "INFO" in logged, "debug logging was not on: the test proves nothing"
    # The canary sent as a *param* is echoed nowhere either: unknown params are named, not their values.
    assert CANARY_TOKEN not in results
    assert CANARY_TOKEN not in logged


async def test_canary_token_never_leaves_over_http(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with http_server("streamable-http", server_env(demo_sentry.url, SENTRY_MCP_LOG_LEVEL="DEBUG"), log) as port:
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            results = await _exercise(client)
    assert CANARY_TOKEN not in results
    assert CANARY_TOKEN not in log.read_text()
