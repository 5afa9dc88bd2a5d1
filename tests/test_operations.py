"""Operations of the HTTP transports (README "Deploy for a team"): ``/healthz``, the access log, graceful shutdown."""

from __future__ import annotations

import re
import signal
import socket
import threading
import time
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from subprocess import Popen

import httpx2

from sentry_agent_mcp._version import __version__
from sentry_demo import DemoSentryServer
from test_scale_out import HTTP_TOKEN, call, demo_env, serving

from conftest import CANARY_TOKEN, server_env
from e2e import http_server

ISSUE = {"organization_slug": "acme", "issue_id": "WEB-1A"}
QUERY_SECRET = "query-secret-5f4e3d2c1b0a99887766"
"""Not the canary: this test's own HTTP client logs the URLs it requests (in-process.log, swept for the canary)."""


def test_healthz_answers_without_credentials_whatever_the_host(tmp_path: Path) -> None:
    """On SSE here; streamable HTTP in test_scale_out.py (workers), per-user mode in test_deploy_files.py."""
    env = demo_env(SENTRY_MCP_BACKEND="demo", SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    with http_server("sse", env, tmp_path / "server.log") as port:
        base = f"http://127.0.0.1:{port}"
        probe = httpx2.get(f"{base}/healthz", headers={"Host": "10.1.2.3:8000"}, timeout=5)  # a pod IP, no token
        assert probe.status_code == 200 and probe.json() == {"status": "ok", "version": __version__}
        assert httpx2.head(f"{base}/healthz", timeout=5).status_code == 200
        assert httpx2.post(f"{base}/healthz", timeout=5).status_code == 405
        assert httpx2.get(f"{base}/sse", timeout=5).status_code == 401, "only /healthz is open"


def test_access_log_names_tool_status_and_time_never_a_secret(demo_sentry: DemoSentryServer, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN, SENTRY_MCP_LOG_LEVEL="INFO")
    with serving_direct(env, log) as (port, _):
        bearer = {"Authorization": f"Bearer {HTTP_TOKEN}"}
        assert not call(port, "sentry_issues_get", ISSUE, 1, **bearer).get("isError")
        missing = call(port, "sentry_issues_get", {**ISSUE, "issue_id": "NOPE-1"}, 2, **bearer)
        assert missing["isError"]
        listed = {"organization_slug": "acme", "project_slug": "web", "query": f"is:unresolved {CANARY_TOKEN}"}
        call(port, "sentry_issues_list", listed, 3, **bearer)  # a secret in the arguments
        body = f'{{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{{"name":"{CANARY_TOKEN}","arguments":{{}}}}}}'
        httpx2.post(
            f"http://127.0.0.1:{port}/mcp?token={QUERY_SECRET}",  # a secret in the tool name and the query string
            content=body.encode(),
            headers={"Accept": "application/json", "Content-Type": "application/json", **bearer},
            timeout=10,
        )
    text = log.read_text()
    lines = [line for line in text.splitlines() if " access " in line]
    assert re.search(r"access tool=sentry_issues_get status=ok ms=\d+\.\d$", lines[0]), lines
    assert re.search(r"access tool=sentry_issues_get status=(?!ok)[a-z_]+ ms=\d+\.\d$", lines[1]), lines
    assert re.search(r"access tool=sentry_issues_list status=\w+ ms=", lines[2]), lines
    assert re.search(r"access tool=<unknown> status=jsonrpc_-32602 ms=", lines[3]), lines
    assert len(lines) == 4
    assert CANARY_TOKEN not in text and HTTP_TOKEN not in text and QUERY_SECRET not in text
    assert "canary" not in text.lower()


def serving_direct(env: dict[str, str], log: Path, *flags: str) -> AbstractContextManager[tuple[int, Popen[bytes]]]:
    """``serve`` (stateless streamable HTTP) on the direct backend that ``env`` names; yields (port, process)."""
    return serving("--stateless", *flags, log=log, env=env, demo=False)


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_sigterm_lets_the_call_in_flight_finish_and_refuses_new_connections(tmp_path: Path) -> None:
    with DemoSentryServer(tokens=[CANARY_TOKEN]) as sentry:
        sentry.add_fault(status=None, delay=1.5, path_contains="/issues/WEB-1A")
        env = server_env(sentry.url)
        with serving_direct(env, tmp_path / "server.log", "--shutdown-timeout", "8") as (port, process):
            answers: list[dict[str, object]] = []
            caller = threading.Thread(target=lambda: answers.append(call(port, "sentry_issues_get", ISSUE, 1)))
            caller.start()
            deadline = time.monotonic() + 10
            while not any("WEB-1A" in r.path for r in sentry.requests) and time.monotonic() < deadline:
                time.sleep(0.02)
            stopping = time.monotonic()
            process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            assert _refuses_connections(port), "no new connection while shutting down"
            caller.join(timeout=10)
            process.wait(timeout=10)
            assert time.monotonic() - stopping < 8
        assert answers and answers[0]["structuredContent"]["shortId"] == "WEB-1A"  # type: ignore[index]


def test_sigterm_ends_the_process_within_the_bound_even_when_a_call_is_slower(tmp_path: Path) -> None:
    with DemoSentryServer(tokens=[CANARY_TOKEN]) as sentry:
        sentry.add_fault(status=None, delay=20, path_contains="/issues/WEB-1A")
        log = tmp_path / "server.log"
        with serving_direct(server_env(sentry.url), log, "--shutdown-timeout", "0.5") as (port, process):
            caller = threading.Thread(target=_call_quietly, args=(port,), daemon=True)
            caller.start()
            deadline = time.monotonic() + 10
            while not any("WEB-1A" in r.path for r in sentry.requests) and time.monotonic() < deadline:
                time.sleep(0.02)
            stopping = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
            # the bound is 0.5 s (plus the process's own exit, slower on a busy machine); the call needs 20 s
            assert time.monotonic() - stopping < 6


def _call_quietly(port: int) -> None:
    with suppress(httpx2.HTTPError, AssertionError):  # cut at the bound: what this test wants
        call(port, "sentry_issues_get", ISSUE, 1)
