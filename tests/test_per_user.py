"""Per-user mode (README "Per-user credentials"), end to end: one server process over real HTTP in front of
a demo Sentry that knows several users, each seeing only their teams' projects."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from sentry_agent_mcp.cli import main as cli_main
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.http_app import check_bind
from sentry_demo import DemoSentryServer
from sentry_demo.users import DemoUser, demo_users
from test_canary import leaks

from conftest import CANARY_TOKEN, server_env
from e2e import http_server, post_mcp

pytestmark = pytest.mark.anyio

REJECTED_CANARY = "sntryu_canary_rejected_0123456789abcdef0123456789abcdef0123456789ab"
"""Sentry does not know it: every 401 and log line must still keep it out (test_canary's sweep reads the logs)."""


@dataclass
class PerUserServer:
    sentry: DemoSentryServer
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def auth_checks(self, token: str) -> int:
        """How many times the server asked the demo Sentry about ``token``."""
        return sum(
            1
            for r in self.sentry.requests
            if r.path == "/api/0/auth/" and r.headers.get("authorization") == f"Bearer {token}"
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PerUserServer]:
    """One per-user server at DEBUG for the module; its Sentry accepts the demo users and the canary token."""
    log = tmp_path_factory.mktemp("per-user") / "server.log"
    with DemoSentryServer(tokens=[*(u.token for u in demo_users()), CANARY_TOKEN]) as sentry:
        env = server_env(sentry.url, SENTRY_MCP_HTTP_AUTH="per-user", SENTRY_MCP_LOG_LEVEL="DEBUG")
        del env["SENTRY_AUTH_TOKEN"]
        with http_server("streamable-http", env, log) as port:
            yield PerUserServer(sentry, port, log)


@pytest.fixture
def users() -> tuple[DemoUser, DemoUser]:
    """Bob (team backend: api, worker) and Dmitri (team mobile: ios): no project in common."""
    _, bob, dmitri = demo_users()
    return bob, dmitri


@asynccontextmanager
async def sdk_client(url: str, token: str) -> AsyncIterator[Client]:
    """The SDK's own streamable HTTP client, sending ``Authorization: Sentry-Bearer <token>`` (README snippet)."""
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Sentry-Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def _refusal(response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["www-authenticate"].startswith('Sentry-Bearer realm="sentry-agent-mcp"')
    body: dict[str, Any] = response.json()
    assert "Sentry-Bearer <token>" in body["hint"]
    return body


def test_requests_without_a_valid_token_get_401_with_a_json_body_and_a_challenge(
    server: PerUserServer, users: tuple[DemoUser, DemoUser]
) -> None:
    bob, _ = users
    assert _refusal(post_mcp(server.port, {}))["error"] == "missing_token"
    wrong_scheme = post_mcp(server.port, {"Authorization": f"Bearer {bob.token}"})
    assert _refusal(wrong_scheme)["error"] == "malformed_token"
    assert "error=" in wrong_scheme.headers["www-authenticate"]
    assert _refusal(post_mcp(server.port, {"Authorization": "Sentry-Bearer short"}))["error"] == "malformed_token"
    assert _refusal(post_mcp(server.port, {"Authorization": "Sentry-Bearer a b c d e f g h i"}))["error"] == (
        "malformed_token"
    )
    before = len(server.sentry.requests)
    for _ in range(5):  # rejected once by Sentry, then from the short negative cache
        rejected = post_mcp(server.port, {"Authorization": f"Sentry-Bearer {REJECTED_CANARY}"})
        assert _refusal(rejected)["error"] == "token_rejected"
        assert 'error="invalid_token"' in rejected.headers["www-authenticate"]
        assert REJECTED_CANARY not in rejected.text + str(rejected.headers)
    assert server.auth_checks(REJECTED_CANARY) == 1
    assert all(r.path == "/api/0/auth/" for r in server.sentry.requests[before:]), "a refused request reached Sentry"


def test_a_tool_call_without_a_token_never_runs(server: PerUserServer, users: tuple[DemoUser, DemoUser]) -> None:
    """Even with a session opened by a valid token, a call without one is refused before the SDK sees it."""
    bob, _ = users
    opened = post_mcp(server.port, {"Authorization": f"Sentry-Bearer {bob.token}"})
    assert opened.status_code == 200
    session = {"mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "sentry_projects_list"}}
    before = len(server.sentry.requests)
    assert post_mcp(server.port, session, json.dumps(call).encode()).status_code == 401
    assert len(server.sentry.requests) == before


async def test_two_users_at_once_never_see_each_others_data(
    server: PerUserServer, users: tuple[DemoUser, DemoUser]
) -> None:
    """Bob and Dmitri, concurrently through one server process, many interleaved calls: every answer is the
    caller's own. The token check is made once per user, not per call."""
    own = {users[0].member_id: {"api", "worker"}, users[1].member_id: {"ios"}}
    all_projects = {"web", "api", "worker", "ios"}
    answers: list[tuple[str, set[str]]] = []

    async def work(user: DemoUser) -> None:
        mine = own[user.member_id]
        rng = random.Random(user.member_id)
        async with sdk_client(server.url, user.token) as client:
            for _ in range(12):
                listed = await client.call_tool("sentry_projects_list", {})
                assert not listed.is_error
                slugs = {row["slug"] for row in (listed.structured_content or {})["data"]}
                answers.append((user.member_id, slugs))
                project = rng.choice(sorted(all_projects))
                issues = await client.call_tool(
                    "sentry_issues_list", {"organization_slug": "acme", "project_slug": project, "limit": 3}
                )
                if project in mine:
                    rows = (issues.structured_content or {})["data"]
                    assert not issues.is_error and rows
                    answers.append((user.member_id, {row["shortId"].split("-")[0].lower() for row in rows}))
                else:
                    assert issues.is_error and "HTTP 404" in str(issues.content), issues
                await anyio.sleep(0)

    with anyio.fail_after(60):
        async with anyio.create_task_group() as group:
            for user in users:
                group.start_soon(work, user)
    short_prefixes = {"api": "api", "worker": "worker", "ios": "ios"}
    for member, seen in answers:
        assert seen and seen <= {short_prefixes.get(s, s) for s in own[member]}, (member, seen)
    assert len(answers) >= 24
    assert [server.auth_checks(user.token) for user in users] == [1, 1]


async def test_an_upstream_that_echoes_the_token_never_gets_it_through(server: PerUserServer) -> None:
    """A hostile Sentry writes the caller's Authorization header into its errors: the token is masked in the
    tool result, and the server's log (DEBUG) holds no trace of it."""
    sentry = server.sentry
    sentry.add_fault(status=500, body={"detail": "{authorization}"}, echo=True, times=None, path_contains="/issues/")
    try:
        async with sdk_client(server.url, CANARY_TOKEN) as client:
            result = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A"})
    finally:
        sentry.app.clear_faults()
    text = json.dumps([block.model_dump() for block in result.content]) + json.dumps(result.structured_content)
    assert result.is_error and "HTTP 500" in text and "**********" in text
    assert not leaks(text.encode())
    sentry.add_fault(status=401, body={"detail": "bad token {authorization}"}, echo=True, path_contains="/auth/")
    try:
        rejected = post_mcp(server.port, {"Authorization": f"Sentry-Bearer {REJECTED_CANARY}x"})
    finally:
        sentry.app.clear_faults()
    assert rejected.status_code == 401 and not leaks(rejected.content + str(rejected.headers).encode())
    assert not leaks(server.log.read_bytes())


def test_sentry_failing_during_the_check_is_503_not_a_rejection(server: PerUserServer) -> None:
    alice = demo_users()[0]
    server.sentry.add_fault(status=503, times=None, path_contains="/auth/")
    try:
        failed = post_mcp(server.port, {"Authorization": f"Sentry-Bearer {alice.token}"})
    finally:
        server.sentry.app.clear_faults()
    assert failed.status_code == 503 and failed.headers["retry-after"]
    assert failed.json()["error"] == "token_check_unavailable"
    assert post_mcp(server.port, {"Authorization": f"Sentry-Bearer {alice.token}"}).status_code == 200


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["--demo"], {}, "direct backend only"),
        ([], {"SENTRY_MCP_BACKEND": "hosted"}, "direct backend only"),
        ([], {"SENTRY_AUTH_TOKEN": CANARY_TOKEN}, "holds no Sentry token"),
        ([], {"SENTRY_MCP_HTTP_TOKEN": "x" * 40}, "cannot be combined"),
        (["--transport", "stdio"], {}, "HTTP transports only"),
    ],
)
def test_per_user_configuration_errors_exit_2(
    args: list[str], env: dict[str, str], says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    argv = ["serve", "--transport", "streamable-http", "--http-auth", "per-user", *args]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and not leaks(err.encode())


def test_per_user_mode_may_bind_beyond_loopback_without_a_server_token() -> None:
    check_bind("0.0.0.0", Settings(http_auth="per-user"))
    with pytest.raises(Exception, match="SENTRY_MCP_HTTP_TOKEN"):
        check_bind("0.0.0.0", Settings(auth_token=CANARY_TOKEN))


def test_calls_outside_http_are_refused_in_per_user_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_MCP_HTTP_AUTH", "per-user")
    assert cli_main(["call", "projects", "list"]) == 2
