"""HTTP throughput: streamable HTTP at 1, 8 and 32 concurrent clients: calls/s, p50, p99, errors.

Each client is its own MCP session (``initialize``, then ``tools/call`` in a loop) spoken in raw JSON-RPC
over ``httpx`` so that the load generator stays cheap. Baselines in the same run, same machine: the demo
Sentry endpoint called directly (the ceiling of anything that calls it) and the SDK floor's trivial tool
over streamable HTTP (the ceiling of any Python MCP server). Target at 32 clients: >= 200 calls/s,
p99 <= 250 ms, no errors.

    .venv/bin/python bench/throughput.py [--seconds 8] [--clients 1,8,32]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx

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
from sentry_agent_mcp.demo_sentry import DEMO_TOKEN
from sentry_agent_mcp.demo_sentry.server import free_port, wait_for_port

ISSUE = {"organization_slug": "acme", "issue_id": "WEB-1"}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _message(response: httpx.Response, request_id: int) -> dict[str, Any]:
    """The JSON-RPC answer in a plain JSON or a server-sent-events body."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        for line in response.text.splitlines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("id") == request_id:
                    return dict(message)
        raise ValueError("no answer in the event stream")
    return dict(response.json())


class Session:
    """One MCP client session over streamable HTTP."""

    def __init__(self, http: httpx.AsyncClient, url: str) -> None:
        self.http, self.url, self.headers, self.next_id = http, url, dict(ACCEPT), 0

    async def rpc(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        body = {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
        response = await self.http.post(self.url, json=body, headers=self.headers)
        response.raise_for_status()
        if "mcp-session-id" in response.headers:
            self.headers["mcp-session-id"] = response.headers["mcp-session-id"]
        return _message(response, self.next_id)

    async def open(self) -> None:
        await self.rpc(
            "initialize",
            {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
        )
        self.headers["mcp-protocol-version"] = PROTOCOL
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        (await self.http.post(self.url, json=note, headers=self.headers)).raise_for_status()

    async def call(self, name: str, arguments: dict[str, Any]) -> None:
        answer = await self.rpc("tools/call", {"name": name, "arguments": arguments})
        if "error" in answer or answer.get("result", {}).get("isError"):
            raise RuntimeError(str(answer)[:300])


Call = Callable[[], Awaitable[None]]
MakeCall = Callable[[httpx.AsyncClient], Awaitable[Call]]


async def load(make_call: MakeCall, clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` concurrent loops of calls for ``seconds`` (after each has made 5 warm-up calls)."""
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as http:
        calls = [await make_call(http) for _ in range(clients)]
        for call in calls:
            for _ in range(5):
                await call()
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
    return {
        "clients": clients,
        "calls": len(latencies),
        "calls_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(median(latencies)),
        "p99_ms": ms(percentile(latencies, 99)),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:3],
    }


def mcp_caller(url: str, tool: str, arguments: dict[str, Any]) -> MakeCall:
    async def make(http: httpx.AsyncClient) -> Call:
        session = Session(http, url)
        await session.open()
        return lambda: session.call(tool, arguments)

    return make


def direct_caller(sentry_url: str) -> MakeCall:
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}

    async def make(http: httpx.AsyncClient) -> Call:
        async def call() -> None:
            response = await http.get(f"{sentry_url}/api/0/organizations/acme/issues/WEB-1/", headers=headers)
            response.raise_for_status()
            response.json()

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
            for clients in levels:
                out["demo_sentry_direct"].append(anyio.run(load, direct_caller(sentry.url), clients, args.seconds))
                floor_call = mcp_caller(f"http://127.0.0.1:{floor_port}/mcp", "ping", {})
                out["sdk_floor_trivial_tool"].append(anyio.run(load, floor_call, clients, args.seconds))
                ours_call = mcp_caller(f"http://127.0.0.1:{ours_port}/mcp", "sentry_issues_get", ISSUE)
                out["ours"].append(anyio.run(load, ours_call, clients, args.seconds))
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
                f"p99 {row['p99_ms']:7.2f} ms, errors {row['errors']}"
            )
    print(verdict)


if __name__ == "__main__":
    main()
