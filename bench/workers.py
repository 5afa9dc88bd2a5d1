"""Workers and stateless mode: calls/s, p50 and p99 at 32 clients for 1, 2 and 4 stateless workers.

Baseline in the same run: the default stateful single process. Also one stateless process without the
process manager (what stateless alone costs), and the demo Sentry called directly (the ceiling: every
server call is one request to it). The backend is the direct backend against the demo Sentry as its own
HTTP server process (``python -m sentry_demo``), so the workers share it as replicas would share Sentry.
Clients are ``throughput.py``'s: one keep-alive connection each, ``sentry_issues_get`` in a loop; the kernel
spreads the 32 connections over the workers as they are accepted. RSS of the server's processes is read
after each run; each worker's CPU per call and the connections each holds once all clients are connected
tell how evenly the connections were spread.

    .venv/bin/python bench/workers.py [--seconds 8] [--clients 32] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from common import clean_env, demo_sentry, rss_mb, stop, write_result
from sentry_agent_mcp.worker_sockets import kernel_spreads_connections
from sentry_demo import DEMO_TOKEN
from sentry_demo.server import free_port
from throughput import ISSUE, Call, MakeCall, direct_caller, load, mcp_caller, serve


def worker_pids(parent: int) -> list[int]:
    """The serving children of a ``--workers`` parent (multiprocessing's spawned processes; Linux)."""
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except OSError:
        return []
    return [pid for pid in map(int, children) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _sockets_on(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets on local ``port`` in ``state`` (01 established, 0A listening; Linux)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for fields in (row.split() for row in rows):
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    return inodes


def listening_sockets(port: int) -> int:
    """How many sockets listen on ``port``: one per worker with ``SO_REUSEPORT``, one if they share it."""
    return len(_sockets_on(port, "0A"))


def connections_per_process(port: int, pids: list[int]) -> list[int]:
    """How many established TCP connections to local ``port`` each process holds (Linux: /proc/net/tcp*)."""
    inodes = _sockets_on(port, "01")
    counts = []
    for pid in pids:
        try:
            links = [os.readlink(entry) for entry in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            links = []
        counts.append(sum(link.startswith("socket:[") and link[8:-1] in inodes for link in links))
    return counts


def counting_caller(make_call: MakeCall, clients: int, count: Callable[[], None]) -> MakeCall:
    """``make_call``, then ``count()`` once the last of ``clients`` sessions is open (where they landed)."""
    made = 0

    async def make() -> Call:
        nonlocal made
        call = await make_call()
        made += 1
        if made == clients:
            count()
        return call

    return make


def run_server(sentry_url: str, flags: list[str], clients: int, seconds: float) -> dict[str, Any]:
    port = free_port()
    env = clean_env(SENTRY_AUTH_TOKEN=DEMO_TOKEN, SENTRY_HOSTNAME=sentry_url)
    command = [sys.executable, "-m", "sentry_agent_mcp", "serve", "--transport", "streamable-http"]
    # Keep-alive of 60 s (default 5): the 32 sessions open one by one before the load starts, and on a busy
    # machine the first would otherwise be closed while idle (each worker's first call imports the catalog).
    process = serve([*command, "--port", str(port), "--keep-alive-timeout", "60", *flags], env, port)
    try:
        caller = mcp_caller(f"http://127.0.0.1:{port}/mcp", "sentry_issues_get", ISSUE)
        expected = int(flags[flags.index("--workers") + 1]) if "--workers" in flags else 0
        deadline = time.monotonic() + 30
        while len(workers := worker_pids(process.pid)) < expected and time.monotonic() < deadline:
            time.sleep(0.05)  # the supervisor starts its workers after it has claimed the port
        listeners = expected if kernel_spreads_connections() else 1
        while listening_sockets(port) < listeners and time.monotonic() < deadline:
            time.sleep(0.05)  # each worker listens on its own socket once its app has started (Linux)
        serving = workers or [process.pid]
        spread: list[int] = []
        caller = counting_caller(caller, clients, lambda: spread.extend(connections_per_process(port, serving)))
        measured: dict[str, int | None] = {f"worker {n}": pid for n, pid in enumerate(serving, 1)}
        row = anyio.run(load, caller, clients, seconds, measured)
        row["connections_per_worker"] = spread
        row["flags"] = " ".join(flags) or "(stateful, one process)"
        row["processes"] = len(serving)
        row["rss_mb_per_worker"] = [rss_mb(pid) for pid in serving]
        row["rss_mb_supervisor"] = rss_mb(process.pid) if workers else 0.0
        return row
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    rows: list[dict[str, Any]] = []
    with demo_sentry() as sentry:
        ceiling = anyio.run(load, direct_caller(sentry.url), args.clients, args.seconds, None)
        ceiling["flags"] = "demo Sentry called directly (ceiling)"
        rows.append(ceiling)
        rows.append(run_server(sentry.url, [], args.clients, args.seconds))
        rows.append(run_server(sentry.url, ["--stateless"], args.clients, args.seconds))
        for count in counts:
            rows.append(run_server(sentry.url, ["--stateless", "--workers", str(count)], args.clients, args.seconds))
    baseline = rows[1]["calls_per_s"]
    for row in rows[1:]:
        row["vs_stateful_one_process"] = round(row["calls_per_s"] / baseline, 2) if baseline else None
    write_result(
        "workers",
        {
            "clients": args.clients,
            "seconds_per_run": args.seconds,
            "cores": os.cpu_count(),
            "tool": "sentry_issues_get",
            "runs": rows,
        },
    )
    for row in rows:
        rss = row.get("rss_mb_per_worker")
        print(
            f"{row['flags']:>40}: {row['calls_per_s']:7.1f} calls/s, p50 {row['p50_ms']:7.2f} ms, "
            f"p99 {row['p99_ms']:7.2f} ms, errors {row['errors']}"
            + (f", x{row['vs_stateful_one_process']} of stateful" if "vs_stateful_one_process" in row else "")
            + (f", RSS per worker {rss} MB" if rss else "")
            + (f" (+ supervisor {row['rss_mb_supervisor']} MB)" if row.get("rss_mb_supervisor") else "")
            + (f"; CPU ms/call {row['cpu_ms_per_call']}" if row.get("cpu_ms_per_call") else "")
            + (f"; connections per worker {row['connections_per_worker']}" if row.get("connections_per_worker") else "")
        )


if __name__ == "__main__":
    main()
