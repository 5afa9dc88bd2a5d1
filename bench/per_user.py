"""Per-user mode's cost per call against shared mode, in the same run (README "Per-user credentials").

Two servers over streamable HTTP in front of one demo Sentry (its own process, over HTTP): one in shared
mode with the demo token, one in per-user mode whose clients send the demo users' tokens as
``Authorization: Sentry-Bearer`` (clients take the three users in turn). Same tool, same load generator
(``throughput.py``'s raw HTTP sessions): calls/s, p50, p99 and the server's CPU per call at 1 and 8
clients; and the first request of a new token (checked against Sentry) against a known one (cached).

    .venv/bin/python bench/per_user.py [--seconds 5] [--clients 1,8]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from typing import Any

import anyio

from common import clean_env, demo_sentry, median, ms, stop, write_result
from sentry_demo.server import free_port
from sentry_demo.users import demo_users
from throughput import MakeCall, Session, load, serve

TOOL, ARGUMENTS = "sentry_organizations_get", {"organization_slug": "acme"}
"""A call every demo user may make, answered from one small upstream request."""


def caller(url: str, tokens: list[str]) -> MakeCall:
    """Sessions that send ``tokens`` in turn (none: shared mode)."""
    made = 0

    async def make() -> Any:
        nonlocal made
        session = Session(url)
        if tokens:
            session.headers["Authorization"] = f"Sentry-Bearer {tokens[made % len(tokens)]}"
        made += 1
        await session.open()
        return lambda: session.call(TOOL, ARGUMENTS)

    return make


async def first_request_ms(url: str, token: str, repeats: int = 5) -> float:
    """Median time of ``initialize`` with ``token`` (the first one checks it with Sentry)."""
    times = []
    for _ in range(repeats):
        session = Session(url)
        session.headers["Authorization"] = f"Sentry-Bearer {token}"
        started = time.perf_counter()
        with contextlib.suppress(RuntimeError):  # a rejected token: its 401 is what is timed
            await session.open()
        times.append(time.perf_counter() - started)
        await session.http.aclose()
    return ms(median(times))


async def run(seconds: float, clients: list[int], rounds: int = 3) -> dict[str, Any]:
    """Both servers up at once; short runs alternate between them (the machine's other load hits both)."""
    tokens = [user.token for user in demo_users()]
    command = [sys.executable, "-m", "sentry_agent_mcp", "serve", "--transport", "streamable-http"]
    out: dict[str, Any] = {"tool": TOOL, "seconds": seconds, "rounds": rounds, "modes": {}}
    with demo_sentry() as sentry:
        base = {"SENTRY_HOSTNAME": sentry.url, "SENTRY_MCP_ACCESS_LOG": "false"}
        modes = {
            "shared": (clean_env(**base, SENTRY_AUTH_TOKEN=tokens[0]), []),
            "per-user": (clean_env(**base, SENTRY_MCP_HTTP_AUTH="per-user"), tokens),
        }
        servers = {}
        try:
            for mode, (env, sent) in modes.items():
                port = free_port()
                servers[mode] = (serve([*command, "--port", str(port)], env, port), port, sent)
            for count in clients:
                runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
                for _ in range(rounds):
                    for mode, (process, port, sent) in servers.items():
                        url = f"http://127.0.0.1:{port}/mcp"
                        runs[mode].append(
                            await load(caller(url, sent), count, seconds / rounds, {"server": process.pid})
                        )
                for mode, rows in runs.items():
                    summary = {
                        "clients": count,
                        "calls_per_s": median([r["calls_per_s"] for r in rows]),
                        "p50_ms": median([r["p50_ms"] for r in rows]),
                        "p99_ms": median([r["p99_ms"] for r in rows]),
                        "server_cpu_ms_per_call": median([r["cpu_ms_per_call"]["server"] for r in rows]),
                        "errors": sum(r["errors"] for r in rows),
                    }
                    out["modes"].setdefault(mode, []).append(summary)
                    print(f"{mode:9} {count:2} clients: {summary}")
            url = f"http://127.0.0.1:{servers['per-user'][1]}/mcp"
            out["known_token_initialize_ms"] = await first_request_ms(url, tokens[0])
            fresh = [
                await first_request_ms(url, f"sntryu_bench_unknown_{index:02d}_{'0' * 40}", repeats=1)
                for index in range(5)  # tokens the server has not seen: each request checks one with Sentry
            ]
            out["unknown_token_first_request_ms"] = median(fresh)
        finally:
            for process, _, _ in servers.values():
                stop(process)
    shared, per_user = out["modes"]["shared"], out["modes"]["per-user"]
    out["per_user_over_shared"] = [
        {
            "clients": s["clients"],
            "p50": round(p["p50_ms"] / s["p50_ms"], 2),
            "server_cpu": round(p["server_cpu_ms_per_call"] / s["server_cpu_ms_per_call"], 2),
        }
        for s, p in zip(shared, per_user, strict=True)
    ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8")
    args = parser.parse_args()
    result = anyio.run(run, args.seconds, [int(c) for c in args.clients.split(",")])
    print(write_result("per_user", result))
    for key in ("known_token_initialize_ms", "unknown_token_first_request_ms", "per_user_over_shared"):
        print(key, result[key])


if __name__ == "__main__":
    main()
