"""Helpers for end-to-end tests: server subprocesses (HTTP and stdio), and what a client sends them."""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from sentry_demo.server import free_port, stop_process, wait_for_port

from conftest import PYTHON


@contextmanager
def http_server(transport: str, env: dict[str, str], log: Path, host: str = "127.0.0.1") -> Iterator[int]:
    """``sentry-agent-mcp serve`` over an HTTP transport bound to ``host``; yields its port.

    Keep ``log`` under ``tmp_path``: the canary sweep (test_canary.py) reads every file there.
    """
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "sentry_agent_mcp", "serve", "--transport", transport, "--host", host, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            yield port
        finally:
            stop_process(process)


@asynccontextmanager
async def stdio_server(env: dict[str, str], log: Path) -> AsyncIterator[Client]:
    """``sentry-agent-mcp serve`` over real stdio, its stderr written to ``log``; yields a connected client."""
    params = StdioServerParameters(command=PYTHON, args=["-m", "sentry_agent_mcp", "serve"], env=env)
    with log.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            yield client


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
"""What a streamable-HTTP client sends with every POST."""


def post_mcp(port: int, headers: dict[str, str], body: bytes | None = None) -> httpx2.Response:
    """One raw POST to ``/mcp`` on 127.0.0.1 (an ``initialize`` unless ``body``), ``headers`` over the usual ones."""
    content = body if body is not None else json.dumps(INITIALIZE).encode()
    return httpx2.post(f"http://127.0.0.1:{port}/mcp", content=content, headers={**MCP_HEADERS, **headers}, timeout=10)


async def assert_serves_an_issue(client: Client) -> None:
    """A tool call through ``client`` answers with issue WEB-1A within 20 s: the server really serves."""
    with anyio.fail_after(20):
        result = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A"})
    assert not result.is_error and (result.structured_content or {}).get("shortId") == "WEB-1A"
