"""The HTTP transports as an attacker meets them: bearer token, DNS rebinding, body size, bind policy.

Each server is the real command (``sentry-agent-mcp serve``) in a subprocess, against the demo Sentry.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.http_app import transport_security
from sentry_agent_mcp.redaction import SecretRedactionFilter, SecretSet
from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN, PYTHON, ROOT, server_env
from e2e import assert_serves_an_issue, http_server, post_mcp

pytestmark = pytest.mark.anyio
HTTP_TOKEN = "mcp-http-token-7f3a9c1e5b2d4f60a8e9c7b1d3f5a2e4"


async def test_with_a_token_every_request_needs_it(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    with http_server("streamable-http", env, tmp_path / "server.log") as port:
        bearer = {"Authorization": f"Bearer {HTTP_TOKEN}"}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {HTTP_TOKEN}"}):
            refused = post_mcp(port, headers)
            assert refused.status_code == 401, headers
            assert refused.json()["error"] == "unauthorized" and "SENTRY_MCP_HTTP_TOKEN" in refused.text
            assert refused.headers["www-authenticate"].startswith("Bearer")
        # DNS rebinding: a page on evil.example.com resolving to 127.0.0.1 sends its own Host and Origin.
        assert post_mcp(port, {**bearer, "Host": "evil.example.com"}).status_code == 421
        assert post_mcp(port, {**bearer, "Origin": "http://evil.example.com"}).status_code == 403
        # Bodies are bounded (1 MiB), before any JSON parsing.
        assert post_mcp(port, bearer, b"[" + b" " * (2 * 1024 * 1024) + b"]").status_code == 413
        assert post_mcp(port, bearer).status_code == 200
        http = create_mcp_http_client(headers=bearer)
        async with http, Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as client:
            await assert_serves_an_issue(client)
    assert HTTP_TOKEN not in (tmp_path / "server.log").read_text()


async def test_sse_needs_the_token_too(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    with http_server("sse", env, tmp_path / "server.log") as port:
        assert httpx2.get(f"http://127.0.0.1:{port}/sse", timeout=5).status_code == 401
        assert httpx2.post(f"http://127.0.0.1:{port}/messages/?session_id=x", json={}, timeout=5).status_code == 401
        url = f"http://127.0.0.1:{port}/sse"
        async with Client(sse_client(url, headers={"Authorization": f"Bearer {HTTP_TOKEN}"}), mode="legacy") as client:
            await assert_serves_an_issue(client)


async def test_beyond_loopback_with_a_token_and_allowed_hosts(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN, SENTRY_MCP_HTTP_ALLOWED_HOSTS="mcp.example.com")
    with http_server("streamable-http", env, tmp_path / "server.log", host="0.0.0.0") as port:
        bearer = {"Authorization": f"Bearer {HTTP_TOKEN}"}
        assert post_mcp(port, {}).status_code == 401
        assert post_mcp(port, {**bearer, "Host": "mcp.example.com"}).status_code == 200
        assert post_mcp(port, {**bearer, "Host": f"mcp.example.com:{port}"}).status_code == 200
        assert post_mcp(port, {**bearer, "Host": "evil.example.com"}).status_code == 421


def test_beyond_loopback_without_a_token_is_refused() -> None:
    out = subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", "serve", "--demo", "--transport", "sse", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        env=server_env("sentry.io", token=""),
        timeout=60,
        cwd=ROOT,
    )
    assert out.returncode == 2
    assert "0.0.0.0" in out.stderr and "SENTRY_MCP_HTTP_TOKEN" in out.stderr


def test_allow_lists_name_loopback_the_bound_address_and_configured_hosts() -> None:
    loopback = transport_security("127.0.0.1", Settings())
    assert loopback.enable_dns_rebinding_protection
    assert {"127.0.0.1:*", "localhost:*", "[::1]:*"} <= set(loopback.allowed_hosts)
    assert "http://localhost:*" in loopback.allowed_origins and "evil.example.com:*" not in loopback.allowed_hosts
    lan = transport_security("10.1.2.3", Settings(http_allowed_hosts="mcp.example.com, other.example.com:8443"))
    assert {"10.1.2.3:*", "mcp.example.com", "mcp.example.com:*", "other.example.com:8443"} <= set(lan.allowed_hosts)
    assert "other.example.com:*" not in lan.allowed_hosts
    assert "https://mcp.example.com" in lan.allowed_origins


def test_the_log_filter_masks_every_configured_secret() -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    logger = logging.getLogger("test.redaction")
    handler = Keep()
    secrets = SecretSet()
    secrets.add(CANARY_TOKEN, HTTP_TOKEN)
    handler.addFilter(SecretRedactionFilter(secrets))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("token %s and header %r", CANARY_TOKEN, {"authorization": f"Bearer {HTTP_TOKEN}"})
        try:
            raise RuntimeError(f"failed with {CANARY_TOKEN}")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    text = "\n".join(records)
    assert "token ********** and header" in text and "Bearer **********" in text and "failed with **********" in text
    assert CANARY_TOKEN not in text and HTTP_TOKEN not in text


def test_installed_redaction_covers_loggers_and_handlers_created_later() -> None:
    script = f"""
import logging, sys
from sentry_agent_mcp.redaction import install_redaction
install_redaction(["{CANARY_TOKEN}"])
late = logging.getLogger("late.library")
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("%(message)s"))
late.addHandler(handler)
late.warning("calling with Authorization: Bearer %s", "{CANARY_TOKEN}")
try:
    raise ValueError("token={CANARY_TOKEN}")
except ValueError:
    late.exception("failed")
"""
    out = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "Bearer **********" in out.stdout and "token=**********" in out.stdout
    assert CANARY_TOKEN not in out.stdout + out.stderr
