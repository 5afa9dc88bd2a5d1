"""Stateless mode and ``serve --workers N`` (README "Deploy for a team"): real processes, raw HTTP."""

from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

import httpx2
import pytest

from sentry_agent_mcp.cli import main
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.http_app import ListenError
from sentry_agent_mcp.mcp_tools import ToolSurface
from sentry_agent_mcp.worker_sockets import PerWorkerSocket, kernel_spreads_connections, supervisor_socket
from sentry_agent_mcp.workers import decode_worker_settings, encode_worker_settings
from sentry_demo.server import free_port, stop_process, wait_for_port
from workers import connections_per_process, listening_sockets

from conftest import CANARY_TOKEN, PYTHON
from e2e import INITIALIZE, MCP_HEADERS

PROTOCOL = str(INITIALIZE["params"]["protocolVersion"])  # type: ignore[index]
HTTP_TOKEN = "scale-out-http-token-0123456789abcdef0123456789"


def demo_env(**extra: str) -> dict[str, str]:
    """A server environment with no Sentry configuration of the developer's: the demo backend via --demo."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "PYTHONUNBUFFERED": "1"}
    return {**env, **extra}


@contextmanager
def serving_command(command: list[str], port: int, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` (a server listening on ``port``), its output in ``log``; yields the process once it listens."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process)
            yield process
        finally:
            stop_process(process)


@contextmanager
def serving(
    *flags: str, log: Path, env: dict[str, str] | None = None, demo: bool = True
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``sentry-agent-mcp serve [--demo] --transport streamable-http FLAGS`` on a free port; yields (port, process)."""
    port = free_port()
    backend = ["--demo"] if demo else []
    command = [PYTHON, "-m", "sentry_agent_mcp", "serve", *backend, "--transport", "streamable-http"]
    with serving_command([*command, "--port", str(port), *flags], port, env or demo_env(), log) as process:
        yield port, process


def rpc(
    port: int, method: str, params: dict[str, Any] | None = None, request_id: int | None = 1, **headers: str
) -> Any:
    """One JSON-RPC message POSTed on a new connection, with the protocol version header; the answer, or None."""
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params or {}}
    if request_id is not None:
        body["id"] = request_id
    response = httpx2.post(
        f"http://127.0.0.1:{port}/mcp",
        content=json.dumps(body).encode(),
        headers={**MCP_HEADERS, "mcp-protocol-version": PROTOCOL, **headers},
        timeout=20,
    )
    assert "mcp-session-id" not in response.headers, "stateless mode keeps no session"
    if request_id is None:
        assert response.status_code == 202, response.text
        return None
    assert response.status_code == 200, response.text
    return response.json()


def call(port: int, name: str, arguments: dict[str, Any], request_id: int, **headers: str) -> dict[str, Any]:
    answer = rpc(port, "tools/call", {"name": name, "arguments": arguments}, request_id, **headers)
    assert answer["id"] == request_id
    return dict(answer["result"])


def test_two_stateless_processes_answer_one_client_in_turn(tmp_path: Path) -> None:
    with ExitStack() as stack:
        first, _ = stack.enter_context(serving("--stateless", log=tmp_path / "first.log"))
        second, _ = stack.enter_context(serving("--stateless", log=tmp_path / "second.log"))
        hello = rpc(first, "initialize", dict(INITIALIZE["params"]))  # type: ignore[call-overload]
        assert hello["result"]["serverInfo"]["name"] == "sentry-agent-mcp"
        rpc(second, "notifications/initialized", request_id=None)
        listed = rpc(second, "tools/list", request_id=2)["result"]["tools"]
        expected = ToolSurface.build(Settings.read(backend="demo")).names
        assert {tool["name"] for tool in listed} == set(expected)

        issue = call(first, "sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A"}, 3)
        assert not issue.get("isError") and issue["structuredContent"]["shortId"] == "WEB-1A"
        project = call(second, "sentry_projects_get", {"organization_slug": "acme", "project_slug": "web"}, 4)
        assert project["structuredContent"]["slug"] == "web"
        params = {"organization_slug": "acme", "issue_id": "WEB-1A"}
        executed = call(first, "sentry_execute", {"entity": "issues", "action": "get", "params": params}, 5)
        assert executed["structuredContent"]["shortId"] == "WEB-1A"
        missing = call(second, "sentry_issues_get", {"organization_slug": "acme", "issue_id": "NOPE-1"}, 6)
        assert missing["isError"] and "HTTP 404" in missing["content"][0]["text"]


def _worker_pids(parent: int) -> list[int]:
    """The parent's children that serve (multiprocessing's spawned workers, not its resource tracker)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [pid for pid in map(int, children) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def test_workers_share_the_port_with_the_same_guarded_app_and_flags(tmp_path: Path) -> None:
    env = demo_env(SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    flags = ("--stateless", "--workers", "2", "--tools", "execute")  # --tools must reach every worker
    with serving(*flags, log=tmp_path / "workers.log", env=env) as (port, process):
        deadline = time.monotonic() + 20
        while (len(_worker_pids(process.pid)) < 2 or listening_sockets(port) < 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _worker_pids(process.pid)
        assert len(workers) == 2
        assert listening_sockets(port) == 2, "one SO_REUSEPORT socket per worker, none listening in the parent"
        with pytest.raises(ListenError):  # a second server is refused, not let into the workers' group
            supervisor_socket("127.0.0.1", port)
        clients = [httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for _ in range(24)]
        try:  # 24 keep-alive connections: all on one worker has odds of 2 in 2**24
            assert all(client.get("/healthz").status_code == 200 for client in clients)
            spread = connections_per_process(port, workers)
        finally:
            for client in clients:
                client.close()
        assert sum(spread) == 24 and min(spread) > 0, f"the kernel spreads connections over the workers: {spread}"
        probe = httpx2.get(f"http://127.0.0.1:{port}/healthz", headers={"Host": "10.1.2.3:8000"}, timeout=30)
        assert probe.status_code == 200, "a load balancer's probe: a pod address as Host, no token"
        assert httpx2.post(f"http://127.0.0.1:{port}/mcp", headers=MCP_HEADERS, timeout=5).status_code == 401
        bearer = {"Authorization": f"Bearer {HTTP_TOKEN}"}
        for n in range(6):  # each on a new connection: the kernel spreads them over the workers
            names = {tool["name"] for tool in rpc(port, "tools/list", request_id=n, **bearer)["result"]["tools"]}
            assert names == set(ToolSurface.build(Settings.read(backend="demo", tools="execute")).names)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert "(2 workers)" in (tmp_path / "workers.log").read_text()


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--transport", "streamable-http", "--workers", "2"], "needs --stateless"),
        (["--transport", "sse", "--stateless"], "SSE keeps each client's session"),
        (["--transport", "sse", "--stateless", "--workers", "2"], "SSE keeps each client's session"),
        (["--workers", "2", "--stateless"], "--workers applies to the HTTP transports"),
    ],
)
def test_combinations_that_would_answer_wrongly_are_refused(
    flags: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--demo", *flags]) == 2
    assert says in capsys.readouterr().err


def test_workers_rebuild_the_parents_settings_without_carrying_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", CANARY_TOKEN)
    monkeypatch.setenv("SENTRY_MCP_HTTP_TOKEN", HTTP_TOKEN)
    settings = Settings.read(org="acme", tools="issues,projects", http_header_timeout=3, http_stateless=True)
    encoded = encode_worker_settings("streamable-http", settings)
    assert CANARY_TOKEN not in encoded and HTTP_TOKEN not in encoded
    transport, rebuilt = decode_worker_settings(encoded)
    assert transport == "streamable-http"
    assert rebuilt.model_dump() == settings.model_dump()  # secrets come from the worker's own environment
    assert rebuilt.auth_token is not None and rebuilt.auth_token.get_secret_value() == CANARY_TOKEN


def test_ways_in_that_serve_one_process_refuse_several_workers(capsys: pytest.CaptureFixture[str]) -> None:
    """``mcp run app.py -t streamable-http`` goes through ``SentryMCPServer.run``: it must not drop the setting."""
    from sentry_agent_mcp.mcp_server import SentryMCPServer

    server = SentryMCPServer(Settings.read(backend="demo", http_stateless=True, http_workers=2))
    with pytest.raises(SystemExit) as exited:
        server.run("streamable-http")
    assert (
        exited.value.code == 2 and "serve --transport streamable-http --stateless --workers" in capsys.readouterr().err
    )


def test_each_worker_unpickles_its_own_socket_on_the_supervisors_address() -> None:
    """What uvicorn's supervisor sends each spawned worker: the claim becomes a new socket, bound, not listening."""
    with supervisor_socket("127.0.0.1", 0) as claim:
        assert isinstance(claim, PerWorkerSocket) == kernel_spreads_connections()
        if not kernel_spreads_connections():
            pytest.skip("no balancing SO_REUSEPORT here: the workers share one listening socket")
        assert claim.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 0, "the parent takes no connection"
        first, second = (pickle.loads(ForkingPickler.dumps(claim)) for _ in range(2))
        with first, second:
            assert type(first) is socket.socket and first.fileno() not in (claim.fileno(), second.fileno())
            assert first.getsockname() == second.getsockname() == claim.getsockname()
