"""What the red-team rows share: canary secrets, the demo Sentry, and ways to drive the real product.

The product is started the way a user starts it: ``python -m sentry_agent_mcp serve`` over real stdio
(``Lab.stdio``, stderr kept for the canary search), HTTP servers on a free port on 127.0.0.1
(``Lab.http``), the CLI (``cli``); ``McpHttp`` is a minimal streamable-HTTP client. A row's verdict is an
``Outcome``: what happened, and whether every named check held (``judged``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from common import ROOT, StdioServer, clean_env, http_server_process
from faults import CANARY as SENTRY_TOKEN  # the token of the fault matrix and the tests
from hostile_upstream import Reply, Seen
from sentry_demo import DEMO_TOKEN, DemoSentryServer

sys.path.insert(0, str(ROOT / "tests"))  # for the fake Airbyte API the hosted-backend tests use
from fake_airbyte import CLIENT_SECRET as CLIENT_SECRET
from fake_airbyte import FakeAirbyte as FakeAirbyte

PYTHON = sys.executable
MCP = str(Path(PYTHON).parent / "mcp")
APP = str(ROOT / "server" / "sentry_agent_mcp" / "app.py")
ISSUE = {"organization_slug": "acme", "issue_id": "WEB-1A"}
ISSUE_ARGS = ("organization_slug=acme", "issue_id=WEB-1A")
ISSUES_PATH = "/api/0/organizations/acme/issues/"
HTTP_TOKEN = "redteam-http-token-5f1c9a7e3b2d4c6a8e0f1a3b5c7d9e1f"
DEAD_PROXY = "http://127.0.0.1:9"
"""Nobody listens there: were a configuration guard to fail, the request would die on this machine."""
ACCESS_TOKEN_MARK = "access-token-canary"
"""In every Airbyte access token the fakes issue."""
_SECRETS = (SENTRY_TOKEN, "sntryu_canary", SENTRY_TOKEN[7:30], CLIENT_SECRET, ACCESS_TOKEN_MARK)
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
PROTOCOL = "2025-06-18"


# -- outcomes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    happened: str
    passed: bool


def judged(happened: str, checks: dict[str, bool]) -> Outcome:
    """PASS when every named check holds; a FAIL names the checks that did not."""
    failed = [name for name, held in checks.items() if not held]
    return Outcome(happened + (f". FAILED: {'; '.join(failed)}" if failed else ""), not failed)


def yes(held: bool) -> str:
    return "yes" if held else "no"


def leaks(text: str) -> bool:
    """True when ``text`` holds a canary secret (also with whitespace squeezed out, as wrapped logs do)."""
    squeezed = "".join(text.split())
    return any(secret in blob for secret in _SECRETS for blob in (text, squeezed))


# -- the lab: the demo Sentry, scratch files, ways to start the product ---------------------------------


@dataclass
class LoggedStdio(StdioServer):
    """``StdioServer`` whose stderr goes to ``log`` (read back with ``errors()``), not to /dev/null."""

    log: Path = field(default=Path(os.devnull))

    def __post_init__(self) -> None:
        self.started = time.perf_counter()
        with self.log.open("wb") as stderr:
            self.process = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=self.env, cwd=ROOT
            )

    def errors(self) -> str:
        return self.log.read_text(errors="replace")

    def messages_until(self, request_id: int | str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Every message up to and including the answer to ``request_id``."""
        messages: list[dict[str, Any]] = []
        while not messages or messages[-1].get("id") != request_id or "method" in messages[-1]:
            messages.append(json.loads(self._line(timeout)))
        return messages


@dataclass
class Lab:
    """What the rows share: a demo Sentry on 127.0.0.1 that accepts the canary token, and a scratch folder."""

    sentry: DemoSentryServer
    scratch: Path
    _serial: int = 0

    def file(self, name: str) -> Path:
        self._serial += 1
        return self.scratch / f"{self._serial:03d}-{name}"

    @contextmanager
    def stdio(self, env: dict[str, str], command: list[str] | None = None) -> Iterator[LoggedStdio]:
        """The product over real stdio (``python -m sentry_agent_mcp serve`` unless ``command``), initialized."""
        argv = command or [PYTHON, "-m", "sentry_agent_mcp", "serve"]
        server = LoggedStdio(argv, env, log=self.file("stdio-stderr.log"))
        try:
            server.initialize()
            yield server
        finally:
            server.close()

    def http(
        self, command: list[str], env: dict[str, str], limit_fds: int | None = None
    ) -> AbstractContextManager[int]:
        """An HTTP server process on a free port (``SENTRY_MCP_HTTP_PORT``); yields the port."""
        return http_server_process(command, env, self.file("http-server.log"), limit_fds)

    def echo(self, fault: dict[str, Any]) -> None:
        """From now on the demo Sentry answers WEB-1A with ``fault``, the request's credentials written in."""
        self.sentry.app.clear_faults()
        self.sentry.add_fault(echo=True, times=None, path_contains="/issues/WEB-1A/", **fault)


def env(**extra: str) -> dict[str, str]:
    """A clean environment (none of the runner's Sentry, Airbyte or MCP settings) plus ``extra``."""
    return clean_env(PYTHONUNBUFFERED="1", **extra)


def direct(url: str, **extra: str) -> dict[str, str]:
    """The direct backend against ``url`` with the canary token."""
    return env(**{"SENTRY_AUTH_TOKEN": SENTRY_TOKEN, "SENTRY_HOSTNAME": url, **extra})


def unreachable(**extra: str) -> dict[str, str]:
    """``env`` whose every proxy is a dead port on this machine."""
    proxies = {name: DEAD_PROXY for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")}
    return env(**proxies, **extra)


def cli(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m sentry_agent_mcp ARGS``: what a user at a terminal sees."""
    command = [PYTHON, "-m", "sentry_agent_mcp", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120, cwd=ROOT, check=False)


def timed_call(server: StdioServer, tool: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    result = server.call(tool, arguments)
    return result, time.monotonic() - started


def issues(start: int, count: int, title: str | None = None) -> list[dict[str, Any]]:
    return [{"id": str(n), "shortId": f"WEB-{n}", "title": title or f"issue {n}"} for n in range(start, start + count)]


def not_found() -> Reply:
    return Reply({"detail": "The requested resource does not exist"}, status=404)


def offset(seen: Seen) -> int:
    """Where the page asked for starts (Sentry's cursors are ``value:offset:is_prev``)."""
    return int(seen.query.get("cursor", "0:0:0").split(":")[1])


@dataclass
class McpHttp:
    """A minimal streamable-HTTP MCP client (JSON answers) over one keep-alive connection."""

    port: int
    headers: dict[str, str] = field(default_factory=dict)
    session: str | None = None

    def __post_init__(self) -> None:
        self.client = httpx2.Client(
            base_url=f"http://127.0.0.1:{self.port}", headers={**MCP_HEADERS, **self.headers}, timeout=30
        )

    def post(self, message: dict[str, Any] | bytes) -> httpx2.Response:
        headers = {"mcp-session-id": self.session, "mcp-protocol-version": PROTOCOL} if self.session else {}
        content = message if isinstance(message, bytes) else json.dumps(message).encode()
        return self.client.post("/mcp", content=content, headers=headers)

    def initialize(self) -> httpx2.Response:
        params = {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "redteam", "version": "1"}}
        reply = self.post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        if reply.status_code == 200:
            self.session = reply.headers.get("mcp-session-id")
            self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return reply

    def call(self, name: str, arguments: dict[str, Any]) -> httpx2.Response:
        return self.post(
            {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
        )

    def close(self) -> None:
        self.client.close()


def answered_issue(reply: httpx2.Response) -> bool:
    """True when ``reply`` is a tools/call answer carrying issue WEB-1A."""
    if reply.status_code != 200:
        return False
    result = reply.json().get("result", {})
    return not result.get("isError") and (result.get("structuredContent") or {}).get("shortId") == "WEB-1A"


def legitimate_client(port: int, headers: dict[str, str] | None = None) -> tuple[bool, float]:
    """(initialize + one tool call answered, seconds it took)."""
    started = time.monotonic()
    client = McpHttp(port, headers or {})
    try:
        ok = client.initialize().status_code == 200 and answered_issue(client.call("sentry_issues_get", ISSUE))
    finally:
        client.close()
    return ok, time.monotonic() - started


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of ``pid`` in MB (``VmHWM``; Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def demo_sentry() -> DemoSentryServer:
    """The lab's demo Sentry: the demo and the canary token, no rate limit in the way."""
    return DemoSentryServer(tokens=[DEMO_TOKEN, SENTRY_TOKEN], rate_limit=10_000_000)
