"""Every HTTP way in is guarded, and the HTTP limits hold: as an attacker and a careless operator meet them.

The servers are real processes on 127.0.0.1: ``mcp run app.py -t ...`` (the SDK's command, which calls
``server.run(transport=...)``) and ``sentry-agent-mcp serve``, against the demo Sentry. Limits are
configured small so that each test takes a few seconds.
"""

from __future__ import annotations

import json
import resource
import selectors
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from common import half_requests, http_server_process, still_open
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import ConfigurationError
from sentry_agent_mcp.http_app import MIN_TOKEN_LENGTH, check_bind
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DemoSentryServer
from sentry_demo.server import free_port

from conftest import PYTHON, ROOT, server_env
from e2e import assert_serves_an_issue, post_mcp

pytestmark = pytest.mark.anyio
HTTP_TOKEN = "mcp-http-token-2b7e1f9c4a6d8e0f3c5a7b9d1e2f4a6c"
MCP = str(Path(PYTHON).parent / "mcp")
MCP_RUN = [MCP, "run", str(ROOT / "server" / "sentry_agent_mcp" / "app.py"), "-t"]
SERVE = [PYTHON, "-m", "sentry_agent_mcp", "serve", "--transport", "streamable-http"]
THREE_MB = b"[" + b" " * (3 * 1024 * 1024) + b"]"


async def test_mcp_run_streamable_http_needs_the_token_and_caps_bodies(
    demo_sentry: DemoSentryServer, tmp_path: Path
) -> None:
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    with http_server_process([*MCP_RUN, "streamable-http"], env, tmp_path / "server.log") as port:
        bearer = {"Authorization": f"Bearer {HTTP_TOKEN}"}
        refused = post_mcp(port, {})
        assert refused.status_code == 401 and "SENTRY_MCP_HTTP_TOKEN" in refused.text
        assert post_mcp(port, bearer, THREE_MB).status_code == 413
        assert post_mcp(port, {**bearer, "Host": "evil.example.com"}).status_code == 421
        http = create_mcp_http_client(headers=bearer)
        async with http, Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client:
            await assert_serves_an_issue(client)


async def test_mcp_run_sse_needs_the_token_and_caps_bodies(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    with http_server_process([*MCP_RUN, "sse"], env, tmp_path / "server.log") as port:
        bearer = {"Authorization": f"Bearer {HTTP_TOKEN}"}
        assert httpx2.get(f"http://127.0.0.1:{port}/sse", timeout=5).status_code == 401
        messages = f"http://127.0.0.1:{port}/messages/?session_id=00000000000000000000000000000000"
        assert httpx2.post(messages, content=THREE_MB, headers=bearer, timeout=10).status_code == 413
        async with Client(sse_client(f"http://127.0.0.1:{port}/sse", headers=bearer), mode="legacy") as client:
            await assert_serves_an_issue(client)


def test_a_short_token_beyond_loopback_is_refused_in_one_line() -> None:
    """Through ``mcp run``, whose own error handler would log a traceback; ``serve`` runs the same check."""
    short = "short-token-" + "x" * (MIN_TOKEN_LENGTH - 13)  # one character too few
    env = server_env("sentry.io", SENTRY_MCP_BACKEND="demo", SENTRY_MCP_HTTP_TOKEN=short)
    env.update(SENTRY_MCP_HTTP_HOST="0.0.0.0", SENTRY_MCP_HTTP_PORT=str(free_port()))
    out = subprocess.run([*MCP_RUN, "streamable-http"], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "SENTRY_MCP_HTTP_TOKEN" in lines[0] and f"fewer than {MIN_TOKEN_LENGTH}" in lines[0]
    assert short not in out.stderr + out.stdout


def test_a_long_enough_token_beyond_loopback_is_accepted() -> None:
    check_bind("0.0.0.0", Settings(http_token="t" * MIN_TOKEN_LENGTH))
    check_bind("127.0.0.1", Settings(http_token="short"))  # loopback: the bind is not the exposure
    with pytest.raises(ConfigurationError, match="SENTRY_MCP_HTTP_TOKEN"):
        check_bind("10.0.0.5", Settings(http_token="t" * (MIN_TOKEN_LENGTH - 1)))


async def test_the_sdk_options_that_would_loosen_the_guards_are_refused() -> None:
    server = SentryMCPServer(Settings(backend="demo"))
    with pytest.raises(ConfigurationError, match="max_request_body_size"):
        await server.run_streamable_http_async(max_request_body_size=100 * 1024 * 1024)
    with pytest.raises(ConfigurationError, match="transport_security"):
        await server.run_sse_async(transport_security=None)


async def test_open_sessions_are_capped_and_idle_ones_expire(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_MAX_SESSIONS="3", SENTRY_MCP_HTTP_SESSION_IDLE_TIMEOUT="1")
    with http_server_process(SERVE, env, tmp_path / "server.log") as port:
        sessions = [post_mcp(port, {}) for _ in range(3)]
        assert [reply.status_code for reply in sessions] == [200, 200, 200]
        full = post_mcp(port, {})
        assert full.status_code == 503
        assert full.json()["error"]["message"] == "Too many open sessions"
        time.sleep(1.6)  # the three sessions go idle and end
        first = {"mcp-session-id": sessions[0].headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        ping = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping"}).encode()
        assert post_mcp(port, first, ping).status_code == 404
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            await assert_serves_an_issue(client)


def _wait_until_closed(held: list[socket.socket], timeout: float) -> int:
    """How many of ``held`` the server closes within ``timeout`` seconds."""
    closed = 0
    with selectors.DefaultSelector() as selector:
        for sock in held:
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while closed < len(held) and (left := deadline - time.monotonic()) > 0:
            for key, _ in selector.select(left):
                selector.unregister(key.fileobj)
                closed += not still_open(key.fileobj)  # type: ignore[arg-type]
    return closed


@pytest.fixture
def many_descriptors() -> Iterator[None]:
    """This process may hold 2,000 sockets (its soft open-file limit raised for the test, then restored)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4200
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"hard open-file limit {hard} is too low for 2,000 connections on each side")
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        yield
        return
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.usefixtures("many_descriptors")
async def test_two_thousand_unfinished_requests_do_not_lock_out_a_client(
    demo_sentry: DemoSentryServer, tmp_path: Path
) -> None:
    """The server starts with 1,024 descriptors (a common default): it raises the limit, serves the client
    while 2,000 connections hang mid-request-line, then closes those at the header deadline."""
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_HEADER_TIMEOUT="3")
    with ExitStack() as stack:
        port = stack.enter_context(http_server_process(SERVE, env, tmp_path / "server.log", limit_fds=1024))
        held = half_requests(port, 2000)
        for sock in held:
            stack.callback(sock.close)
        async with Client(f"http://127.0.0.1:{port}/mcp") as client:
            await assert_serves_an_issue(client)
        assert sum(still_open(sock) for sock in held) == 2000, "the slow connections were held during the call"
        assert _wait_until_closed(held, timeout=6) == 2000


def test_serve_flags_bound_connections_with_a_503(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    env = server_env(demo_sentry.url)
    flags = ["--max-connections", "4", "--header-timeout", "30", "--keep-alive-timeout", "1"]
    with http_server_process([*SERVE, *flags], env, tmp_path / "server.log") as port:
        held = half_requests(port, 3)
        try:
            time.sleep(0.2)  # the server has accepted them
            refused = post_mcp(port, {})
            assert refused.status_code == 503
        finally:
            for sock in held:
                sock.close()
        time.sleep(0.2)
        assert post_mcp(port, {}).status_code == 200


def test_limits_default_to_a_team_server() -> None:
    settings = Settings()
    assert 100 <= settings.http_max_sessions <= 1000
    assert 60 <= settings.http_session_idle_timeout <= 1800
    assert settings.http_max_connections >= 2 * settings.http_max_sessions
    assert settings.http_header_timeout <= 30
