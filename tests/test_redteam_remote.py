"""Red-team pass over the remote team server and reach (README "Per-user credentials", "Pinning a session to
an organization or project", "Writes"): each hole found, closed, and shown closed through a real seam.

Servers run as real processes over real HTTP in front of the demo Sentry; the token-flood check drives the
real ``CredentialStore`` against the demo Sentry over HTTP.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest

from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.credentials import MAX_CONCURRENT_CHECKS, CredentialStore
from sentry_agent_mcp.redaction import SECRETS
from sentry_demo import DEMO_TOKEN, DemoSentryServer
from sentry_demo.users import demo_users
from test_canary import leaks

from conftest import PYTHON, ROOT, server_env
from e2e import MCP_HEADERS, http_server, post_mcp

SESSION_GONE = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "Session not found"}}
LIST_PROJECTS = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "sentry_projects_list"}}


def _per_user_env(sentry: DemoSentryServer) -> dict[str, str]:
    env = server_env(sentry.url, SENTRY_MCP_HTTP_AUTH="per-user")
    del env["SENTRY_AUTH_TOKEN"]
    return env


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Sentry-Bearer {token}"}


def test_a_streamable_http_session_serves_only_the_credential_that_opened_it(tmp_path: Path) -> None:
    """Dmitri, who learnt Bob's session id, can neither call on it nor end it: the session is Bob's."""
    _, bob, dmitri = demo_users()
    with (
        DemoSentryServer(tokens=[bob.token, dmitri.token]) as sentry,
        http_server("streamable-http", _per_user_env(sentry), tmp_path / "server.log") as port,
    ):
        opened = post_mcp(port, _bearer(bob.token))
        session = {"mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        call = json.dumps(LIST_PROJECTS).encode()
        hijack = post_mcp(port, {**_bearer(dmitri.token), **session}, call)
        assert (hijack.status_code, hijack.json()) == (404, SESSION_GONE)
        ended = httpx2.delete(f"http://127.0.0.1:{port}/mcp", headers={**_bearer(dmitri.token), **session})
        assert ended.status_code == 404
        own = post_mcp(port, {**_bearer(bob.token), **session}, call)
        assert own.status_code == 200 and "worker" in own.text and "ios" not in own.text
        twice = httpx2.post(
            f"http://127.0.0.1:{port}/mcp",
            content=json.dumps(LIST_PROJECTS).encode(),
            headers=[
                *MCP_HEADERS.items(),
                ("authorization", "Sentry-Bearer " + "x" * 40),
                ("authorization", f"Sentry-Bearer {bob.token}"),
            ],
        )
        assert twice.status_code == 401 and twice.json()["error"] == "malformed_token"


def test_an_sse_session_serves_only_the_credential_that_opened_it(tmp_path: Path) -> None:
    """On SSE a message's answer goes to the stream of whoever opened the session: another caller's message
    must not get in (it would answer on Bob's stream, with Dmitri's data)."""
    _, bob, dmitri = demo_users()
    with (
        DemoSentryServer(tokens=[bob.token, dmitri.token]) as sentry,
        http_server("sse", _per_user_env(sentry), tmp_path / "server.log") as port,
        httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
        client.stream("GET", "/sse", headers=_bearer(bob.token)) as stream,
    ):
        lines = stream.iter_lines()  # kept: a dropped iterator closes the stream, and with it the session
        endpoint = next(line for line in lines if line.startswith("data: "))[6:]
        message = json.dumps(LIST_PROJECTS).encode()
        headers = {"Content-Type": "application/json"}
        intruder = client.post(endpoint, content=message, headers={**headers, **_bearer(dmitri.token)})
        own = client.post(endpoint, content=message, headers={**headers, **_bearer(bob.token)})
        assert (intruder.status_code, own.status_code) == (404, 202)


@pytest.mark.anyio
async def test_tokens_waiting_for_a_check_are_not_held_as_secrets() -> None:
    """A flood of made-up tokens while Sentry is slow: only those being checked are held (every redaction
    pass walks the held set), and none stays held once the flood is gone."""
    with DemoSentryServer(tokens=[DEMO_TOKEN]) as sentry:
        sentry.add_fault(delay=5, times=None, path_contains="/auth/")
        store = CredentialStore(Settings(http_auth="per-user", hostname=sentry.url))
        before = len(SECRETS)
        try:
            async with anyio.create_task_group() as group:
                for n in range(5 * MAX_CONCURRENT_CHECKS):
                    group.start_soon(store.authenticate, f"madeup{n:040d}")
                await anyio.sleep(1)
                held = len(SECRETS) - before
                group.cancel_scope.cancel()
        finally:
            await store.aclose()
        assert held <= MAX_CONCURRENT_CHECKS, held
        assert len(SECRETS) == before


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoSentryServer, int, Path]]:
    """A stateless shared-mode server with writes on, in front of a demo Sentry."""
    log = tmp_path_factory.mktemp("redteam-remote") / "server.log"
    with DemoSentryServer(tokens=[DEMO_TOKEN]) as sentry:
        env = server_env(sentry.url, DEMO_TOKEN, SENTRY_MCP_ALLOW_WRITES="true", SENTRY_MCP_HTTP_STATELESS="true")
        with http_server("streamable-http", env, log) as port:
            yield sentry, port, log


def _call(port: int, path: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    message = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    reply = httpx2.post(f"http://127.0.0.1:{port}{path}", content=json.dumps(message), headers=MCP_HEADERS, timeout=30)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()["result"]
    return result


def test_a_project_pin_refuses_to_update_a_metric_alert_of_another_project(
    writer: tuple[DemoSentryServer, int, Path],
) -> None:
    """Rule 7202 is the api project's: read-modify-write on /mcp/acme/web would PUT it back with its projects."""
    sentry, port, _ = writer
    before = len(sentry.requests)
    result = _call(port, "/mcp/acme/web", "sentry_alert_rules_update", {"alert_rule_id": "7202", "name": "renamed"})
    assert result["isError"] and result["structuredContent"]["error"]["type"] == "pinned_scope", result
    assert "nothing was changed" in result["structuredContent"]["error"]["message"]
    assert {r.method for r in sentry.requests[before:]} == {"GET"}, "the rule was written"
    own = _call(port, "/mcp/acme/web", "sentry_alert_rules_update", {"alert_rule_id": "7201", "name": "Web p95"})
    assert not own["isError"], own


def test_a_key_secret_echoed_under_other_fields_never_reaches_the_confirmation(
    writer: tuple[DemoSentryServer, int, Path],
) -> None:
    """A hostile Sentry writes the new key's secret into its public DSN and its name, not only `secret`."""
    sentry, port, log = writer
    secret = "f00dfeedcafe5ec7e7f00dfeedcafe5e"
    dsn = f"https://abc123public@o1.ingest.example/7?secret={secret}"
    body = {"id": "k1", "name": f"key {secret}", "secret": secret, "dsn": {"public": dsn, "secret": dsn}}
    sentry.add_fault(status=201, body=body, method="POST", path_contains="/keys/")
    try:
        result = _call(port, "/mcp", "sentry_project_keys_create", {"organization_slug": "acme", "project_slug": "web"})
    finally:
        sentry.app.clear_faults()
    text = json.dumps(result)
    assert not result["isError"] and result["structuredContent"]["created"] == "client key", result
    assert secret not in text and secret not in log.read_text()


@pytest.mark.parametrize("depth", [900, 5000])
def test_an_answer_nested_too_deeply_is_a_clear_error(depth: int) -> None:
    """JSON nested past what the parser or the views walk is a malformed answer, said as one (never an
    unexpected RecursionError)."""
    with DemoSentryServer(tokens=[DEMO_TOKEN]) as sentry:
        sentry.add_fault(status=200, body=b"[" * depth + b"]" * depth, times=None, path_contains="/issues/WEB-1A/")
        env = server_env(sentry.url, DEMO_TOKEN)
        done = subprocess.run(
            [PYTHON, "-m", "sentry_agent_mcp", "call", "issues", "get", "organization_slug=acme", "issue_id=WEB-1A"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=ROOT,
            check=False,
        )
    assert done.returncode == 1 and "unexpected" not in done.stderr and "Hint:" in done.stderr, done.stderr
    assert not leaks(done.stderr.encode())
