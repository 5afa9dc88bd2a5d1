"""HTTP throughput: streamable HTTP at 1, 8 and 32 concurrent clients: calls/s, p50, p99, errors.

Each client is its own MCP session (``initialize``, then ``tools/call`` in a loop) spoken in raw JSON-RPC
over its own keep-alive connection, with a hand-written HTTP/1.1 client (``RawHttp``) so that the load
generator stays cheap. Baselines in the same run, same machine: the demo Sentry endpoint called directly
(the ceiling of anything that calls it) and the SDK floor's trivial tool over streamable HTTP (the ceiling
of any Python MCP server). Target at 32 clients: >= 200 calls/s, p99 <= 250 ms, no errors.

    .venv/bin/python bench/throughput.py [--seconds 8] [--clients 1,8,32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio

from common import (
    FLOOR,
    PROTOCOL,
    clean_env,
    demo_sentry,
    median,
    ms,
    percentile,
    stop,
    write_result,
)
from sentry_demo import DEMO_TOKEN
from sentry_demo.server import free_port, wait_for_port

ISSUE = {"organization_slug": "acme", "issue_id": "WEB-1"}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class RawHttp:
    """One keep-alive HTTP/1.1 connection, spoken by hand.

    The load generator shares the 2 cores with the server and the demo Sentry, so it must cost little:
    ``httpx.AsyncClient`` (0.28) spent ~9 ms of CPU per request at 32 connections here (more than the servers
    it measures), this ~0.2 ms. Content-Length and chunked bodies (the SSE answers) are understood.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.authority = f"{self.host}:{self.port}"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.authority}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        found = {name.lower(): value for name, value in fields.items()}
        if "content-length" in found:
            content = await self.reader.readexactly(int(found["content-length"]))
        elif found.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append((await self.reader.readexactly(size + 2))[:-2])
            await self.reader.readuntil(b"\r\n")
            content = b"".join(chunks)
        else:
            content = await self.reader.read()
            await self.aclose()
        return status, found, content

    async def aclose(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _message(headers: dict[str, str], content: bytes, request_id: int) -> dict[str, Any]:
    """The JSON-RPC answer in a plain JSON or a server-sent-events body."""
    if headers.get("content-type", "").startswith("text/event-stream"):
        for line in content.decode().splitlines():
            if line.startswith("data:") and line[5:].strip():
                message = json.loads(line[5:])
                if message.get("id") == request_id:
                    return dict(message)
        raise ValueError("no answer in the event stream")
    return dict(json.loads(content))


class Session:
    """One MCP client session over streamable HTTP, on its own connection."""

    def __init__(self, url: str) -> None:
        self.http, self.path, self.headers, self.next_id = RawHttp(url), urlsplit(url).path, dict(ACCEPT), 0

    async def post(self, body: dict[str, Any]) -> tuple[dict[str, str], bytes]:
        status, headers, content = await self.http.request("POST", self.path, self.headers, json.dumps(body).encode())
        if status >= 300:
            raise RuntimeError(f"HTTP {status}: {content[:200]!r}")
        if "mcp-session-id" in headers:
            self.headers["mcp-session-id"] = headers["mcp-session-id"]
        return headers, content

    async def rpc(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        headers, content = await self.post({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return _message(headers, content, self.next_id)

    async def open(self) -> None:
        await self.rpc(
            "initialize",
            {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
        )
        self.headers["mcp-protocol-version"] = PROTOCOL
        await self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})

    async def call(self, name: str, arguments: dict[str, Any]) -> None:
        answer = await self.rpc("tools/call", {"name": name, "arguments": arguments})
        if "error" in answer or answer.get("result", {}).get("isError"):
            raise RuntimeError(str(answer)[:300])


Call = Callable[[], Awaitable[None]]
MakeCall = Callable[[], Awaitable[Call]]


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used: ``pid`` read from /proc (Linux), None for this one."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    make_call: MakeCall, clients: int, seconds: float, processes: dict[str, int | None] | None = None
) -> dict[str, Any]:
    """``clients`` concurrent loops of calls for ``seconds`` (after each has made 5 warm-up calls).

    ``processes`` (name: pid, None for the load generator): CPU milliseconds each spent per call.
    """
    latencies: list[float] = []
    errors: list[str] = []
    calls = [await make_call() for _ in range(clients)]
    for call in calls:
        for _ in range(5):
            await call()
    cpu_before = {name: cpu_seconds(pid) for name, pid in (processes or {}).items()}
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()

    async def worker(call: Call) -> None:
        while time.perf_counter() < deadline:
            begin = time.perf_counter()
            try:
                await call()
                latencies.append(time.perf_counter() - begin)
            except Exception as exc:  # a failed call is a data point, not a crash
                errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")

    async with anyio.create_task_group() as group:
        for call in calls:
            group.start_soon(worker, call)
    elapsed = time.perf_counter() - started
    cpu = {
        name: round((cpu_seconds(pid) - cpu_before[name]) / max(len(latencies), 1) * 1000, 2)
        for name, pid in (processes or {}).items()
    }
    return {
        "cpu_ms_per_call": cpu,
        "clients": clients,
        "calls": len(latencies),
        "calls_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(median(latencies)),
        "p99_ms": ms(percentile(latencies, 99)),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:3],
    }


def mcp_caller(url: str, tool: str, arguments: dict[str, Any]) -> MakeCall:
    async def make() -> Call:
        session = Session(url)
        await session.open()
        return lambda: session.call(tool, arguments)

    return make


def direct_caller(sentry_url: str) -> MakeCall:
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}", "Accept": "application/json"}

    async def make() -> Call:
        http = RawHttp(sentry_url)

        async def call() -> None:
            status, _, content = await http.request("GET", "/api/0/organizations/acme/issues/WEB-1/", headers)
            if status != 200:
                raise RuntimeError(f"HTTP {status}")
            json.loads(content)

        return call

    return make


def serve(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", default="1,8,32")
    args = parser.parse_args()
    levels = [int(n) for n in args.clients.split(",")]
    out: dict[str, list[dict[str, Any]]] = {"demo_sentry_direct": [], "sdk_floor_trivial_tool": [], "ours": []}
    with demo_sentry() as sentry:
        ours_port, floor_port = free_port(), free_port()
        ours_env = clean_env(SENTRY_AUTH_TOKEN=DEMO_TOKEN, SENTRY_HOSTNAME=sentry.url)
        ours = serve(
            [
                sys.executable,
                "-m",
                "sentry_agent_mcp",
                "serve",
                "--transport",
                "streamable-http",
                "--port",
                str(ours_port),
            ],
            ours_env,
            ours_port,
        )
        floor = serve([sys.executable, str(FLOOR), "http", str(floor_port)], clean_env(), floor_port)
        try:
            demo: dict[str, int | None] = {"demo_sentry": sentry.process.pid, "load_generator": None}
            for clients in levels:
                direct = direct_caller(sentry.url)
                out["demo_sentry_direct"].append(anyio.run(load, direct, clients, args.seconds, demo))
                floor_call = mcp_caller(f"http://127.0.0.1:{floor_port}/mcp", "ping", {})
                cpu = {"server": floor.pid, "load_generator": None}
                out["sdk_floor_trivial_tool"].append(anyio.run(load, floor_call, clients, args.seconds, cpu))
                ours_call = mcp_caller(f"http://127.0.0.1:{ours_port}/mcp", "sentry_issues_get", ISSUE)
                cpu = {"server": ours.pid, **demo}
                out["ours"].append(anyio.run(load, ours_call, clients, args.seconds, cpu))
        finally:
            stop(ours)
            stop(floor)
    at_32 = next((row for row in out["ours"] if row["clients"] == 32), None)
    verdict = (
        {
            "calls_per_s_ge_200": at_32["calls_per_s"] >= 200,
            "p99_le_250ms": at_32["p99_ms"] <= 250,
            "zero_errors": at_32["errors"] == 0,
        }
        if at_32
        else {}
    )
    write_result(
        "throughput", {"seconds_per_level": args.seconds, "tool": "sentry_issues_get", "runs": out, "verdict": verdict}
    )
    for name, rows in out.items():
        for row in rows:
            print(
                f"{name:>24} x{row['clients']:<3}: {row['calls_per_s']:7.1f} calls/s, p50 {row['p50_ms']:7.2f} ms, "
                f"p99 {row['p99_ms']:7.2f} ms, errors {row['errors']}; CPU ms/call "
                + ", ".join(f"{who} {spent}" for who, spent in row["cpu_ms_per_call"].items())
            )
    print(verdict)


if __name__ == "__main__":
    main()
