"""The canary Sentry token never appears in anything a server wrote during the whole test suite.

The e2e tests run every server with ``CANARY_TOKEN`` as its Sentry token and keep what it writes under
the session's temp dir: subprocess logs (``tmp_path``), stdio servers' stderr and in-process logs
(conftest's ``_capture_server_output``). The tests here add the CLI and a server at DEBUG against a
failing Sentry; the sweep, run last, reads every byte of all of it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from sentry_demo import DEMO_TOKEN, DemoSentryServer

from conftest import CANARY_TOKEN, PYTHON, ROOT, SERVER_OUTPUT, server_env
from e2e import http_server
from fake_airbyte import CLIENT_SECRET

_WHITESPACE = re.compile(rb"\s+")
_FRAGMENTS = [
    CANARY_TOKEN.encode(),
    b"sntryu_canary",
    CANARY_TOKEN[7:30].encode(),
    CLIENT_SECRET.encode(),
    CLIENT_SECRET[8:20].encode(),
    b"access-token-canary",
]
"""The Sentry token, its prefix and a distinctive middle, the Airbyte client secret and the access tokens
the fake Airbyte issues: a wrapped or cut log line still gives any of them away."""


def leaks(data: bytes) -> bool:
    squeezed = _WHITESPACE.sub(b"", data)  # log renderers wrap long lines
    return any(fragment in blob for fragment in _FRAGMENTS for blob in (data, squeezed))


def _cli(tmp_path: Path, name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", *args], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT
    )
    (tmp_path / f"cli-{name}.out").write_text(out.stdout + out.stderr)
    return out


def test_the_cli_never_prints_the_token(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    env = server_env(demo_sentry.url, SENTRY_MCP_LOG_LEVEL="DEBUG")
    ok = _cli(tmp_path, "call", "call", "issues", "get", "organization_slug=acme", "issue_id=WEB-1A", **env)
    missing = _cli(tmp_path, "missing", "call", "issues", "get", "organization_slug=acme", "issue_id=NOPE-1", **env)
    echoed = _cli(tmp_path, "param", "call", "projects", "list", f"token={CANARY_TOKEN}", **env)
    check = _cli(tmp_path, "check", "check", **env)
    assert ok.returncode == 0 and '"shortId": "WEB-1A"' in ok.stdout
    assert missing.returncode == 1 and "HTTP 404" in missing.stderr
    assert echoed.returncode == 1 and "token" in echoed.stderr
    assert check.returncode == 0 and "token accepted" in check.stdout
    for out in (ok, missing, echoed, check):
        assert not leaks((out.stdout + out.stderr).encode())


@pytest.mark.anyio
async def test_a_server_at_debug_against_a_failing_sentry_never_writes_the_token(tmp_path: Path) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A"}),
        ("sentry_issues_update", {"organization_slug": "acme", "issue_id": "WEB-1A", "is_bookmarked": True}),
        ("sentry_issue_notes_create", {"organization_slug": "acme", "issue_id": "WEB-1A", "text": "canary run"}),
        ("sentry_projects_get", {"organization_slug": "acme", "project_slug": "frontend-app"}),
        ("sentry_events_list", {"organization_slug": "acme", "project_slug": "web"}),
    ]
    log = tmp_path / "server.log"
    with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY_TOKEN]) as sentry:
        env = server_env(sentry.url, SENTRY_MCP_LOG_LEVEL="DEBUG", SENTRY_MCP_ALLOW_WRITES="true")
        with http_server("streamable-http", env, log) as port:
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                await client.call_tool("sentry_organizations_get", {"organization_slug": "acme"})
                sentry.add_fault(status=429, times=None, headers={"Retry-After": "60"}, method="POST")
                sentry.add_fault(status=502, times=None, path_contains="/issues/WEB-1A/")
                sentry.add_fault(disconnect=True, times=3, path_contains="/events/")
                results = [await client.call_tool(name, args) for name, args in calls]
    text = "\n".join(b.text for r in results for b in r.content if isinstance(b, TextContent))
    assert all(r.is_error for r in results), text
    assert "HTTP 502" in text and "HTTP 429" in text and "HTTP 302" in text and "RemoteProtocolError" in text
    logged = log.read_bytes()
    assert b"DEBUG" in logged, "debug logging was not on: the test proves nothing"
    assert not leaks(text.encode()) and not leaks(logged)


@pytest.mark.canary_sweep
def test_sweep_no_byte_any_server_wrote_in_this_session_holds_the_token(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    base = tmp_path_factory.getbasetemp()
    files = [path for path in base.rglob("*") if path.is_file()]
    scanned = 0
    for path in files:
        data = path.read_bytes()
        scanned += len(data)
        assert not leaks(data), f"the canary token is in {path}"
    # Not vacuous: what the session ran left output here.
    modules = {item.module.__name__ for item in request.session.items if isinstance(item, pytest.Function)}
    output = base / SERVER_OUTPUT
    assert (output / "in-process.log").stat().st_size > 0, "no in-process server output was captured"
    if "test_e2e_stdio" in modules:
        assert (output / "stdio-stderr.log").exists()
    if modules & {"test_e2e_http", "test_secrets", "test_http_security", "test_soak"}:
        assert any(path.name == "server.log" and path.stat().st_size > 0 for path in files)
    assert any(path.name.startswith("cli-") for path in files)
    assert scanned > 10_000, f"only {scanned} bytes scanned"
