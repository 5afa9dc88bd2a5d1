"""Shared pieces of the bench scripts: processes, a raw JSON-RPC stdio client, statistics, results.

Every figure is measured against its baseline in the same run, so ratios hold on a noisy machine.
The demo Sentry runs as an HTTP server in its own process (``python -m sentry_demo``)
and every server under test talks to it over real HTTP: ours (direct backend), the SDK floor and the
official ``@sentry/mcp-server`` (Node, installed by ``npm`` into ``bench/.cache/official``).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import select
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sentry_demo import DEMO_TOKEN
from sentry_demo.server import free_port, stop_process, wait_for_port

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
OFFICIAL_VERSION = "0.39.0"
OFFICIAL_JS = BENCH / ".cache" / "official" / "node_modules" / "@sentry" / "mcp-server" / "dist" / "index.js"
FLOOR = BENCH / "floor_server.py"
PROTOCOL = "2025-06-18"
"""The handshake era every server here speaks (the official server's SDK predates 2026-07-28)."""


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 1,000 samples is the 990th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def write_result(name: str, data: dict[str, Any]) -> Path:
    """``bench/results/<name>.json`` with the machine it ran on."""
    RESULTS.mkdir(exist_ok=True)
    data = {
        "bench": name,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        **data,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"-> {path.relative_to(ROOT)}", file=sys.stderr)
    return path


def official_available() -> bool:
    return OFFICIAL_JS.exists() and _has_node()


def _has_node() -> bool:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, check=False).returncode == 0
    except FileNotFoundError:
        return False


@dataclass
class DemoSentry:
    """The demo Sentry in its own process; ``url`` and ``host`` (for the official server's ``--host``)."""

    process: subprocess.Popen[bytes]
    url: str

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")


@contextmanager
def demo_sentry() -> Iterator[DemoSentry]:
    """``python -m sentry_demo`` on a free port, with rate limits out of the way."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sentry_demo", "--port", "0", "--rate-limit", "10000000"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline().decode()
        if "listening on" not in line:
            raise RuntimeError(f"demo Sentry did not start: {line!r}")
        yield DemoSentry(process, line.rsplit(" ", 1)[-1].strip())
    finally:
        stop(process)


stop = stop_process  # the name the bench scripts use


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any Sentry, Airbyte, LLM or MCP settings of the person running it."""
    prefixes = ("SENTRY_", "AIRBYTE_", "OPENAI", "ANTHROPIC", "OPENROUTER", "EMBEDDED_", "MCP_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(extra)
    return env


@contextmanager
def http_server_process(
    command: list[str], env: dict[str, str], log: Path, limit_fds: int | None = None
) -> Iterator[int]:
    """``command`` as an HTTP server on a free port (``SENTRY_MCP_HTTP_PORT``), its output in ``log``; yields the port.

    ``limit_fds`` lowers the child's soft open-file limit before it starts, as a default-configured host would.
    """
    port = free_port()

    def lower_fd_limit() -> None:  # in the child, before exec
        if limit_fds is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit_fds, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env={**env, "SENTRY_MCP_HTTP_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            preexec_fn=lower_fd_limit,
        )
        try:
            wait_for_port(port, process)
            yield port
        finally:
            stop_process(process)


def half_requests(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that send half a request line and then nothing (a slowloris)."""
    held: list[socket.socket] = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"POST /mcp HTT")
        held.append(sock)
    return held


def still_open(sock: socket.socket) -> bool:
    """True while the server has not closed ``sock`` (without blocking; leaves it non-blocking)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def ours_command(sentry: DemoSentry, *extra: str) -> tuple[list[str], dict[str, str]]:
    """``sentry-agent-mcp serve`` (stdio) on the direct backend against the demo Sentry over HTTP."""
    env = clean_env(SENTRY_AUTH_TOKEN=DEMO_TOKEN, SENTRY_HOSTNAME=sentry.url)
    return [sys.executable, "-m", "sentry_agent_mcp", "serve", *extra], env


def floor_command() -> tuple[list[str], dict[str, str]]:
    """The SDK floor: a minimal ``MCPServer`` with one tool (``bench/floor_server.py``)."""
    return [sys.executable, str(FLOOR)], clean_env()


def official_command(sentry: DemoSentry) -> tuple[list[str], dict[str, str]]:
    """``@sentry/mcp-server`` pointed at the demo Sentry: ``--host`` + ``--insecure-http`` (plain http)."""
    args = ["node", str(OFFICIAL_JS), f"--access-token={DEMO_TOKEN}", f"--host={sentry.host}", "--insecure-http"]
    return args, clean_env()


@dataclass
class StdioServer:
    """A server process spoken to in raw newline-delimited JSON-RPC (no client library in the way)."""

    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] = field(init=False)
    started: float = field(init=False)
    _next_id: int = field(init=False, default=0)
    _buffer: bytes = field(init=False, default=b"")

    def __post_init__(self) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self.env,
            cwd=ROOT,
        )

    def send(self, method: str, params: dict[str, Any] | None = None, *, notify: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        request_id = None
        if not notify:
            self._next_id += 1
            request_id = message["id"] = self._next_id
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()
        return request_id

    def _line(self, timeout: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError(f"no answer from {self.command[:2]} within {timeout} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise RuntimeError(f"{self.command[:2]} exited with {self.process.wait()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def receive(self, request_id: int, timeout: float = 60.0) -> dict[str, Any]:
        """The response to ``request_id`` (notifications on the way are skipped)."""
        while True:
            message = json.loads(self._line(timeout))
            if message.get("id") == request_id:
                return dict(message)

    def request(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60.0) -> dict[str, Any]:
        request_id = self.send(method, params)
        assert request_id is not None
        return self.receive(request_id, timeout)

    def initialize(self) -> dict[str, Any]:
        reply = self.request(
            "initialize",
            {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
        )
        self.send("notifications/initialized", notify=True)
        return reply

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        reply = self.request("tools/call", {"name": name, "arguments": arguments})
        if "error" in reply:
            raise RuntimeError(f"{name}: {reply['error']}")
        return dict(reply["result"])

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)

    def close(self) -> None:
        stop(self.process)

    def __enter__(self) -> StdioServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def text_of(result: dict[str, Any]) -> str:
    """What the model reads: the text blocks of a ``tools/call`` result."""
    return "".join(block.get("text", "") for block in result.get("content", []) if block.get("type") == "text")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (from ``/proc``; Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def tree_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and its children (``npx``-style launchers); Linux."""
    total = rss_mb(pid)
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for child_pid in child.read_text().split():
            total += tree_rss_mb(int(child_pid))
    return round(total, 1)
