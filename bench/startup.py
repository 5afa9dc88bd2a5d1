"""Startup: spawn -> first ``initialize`` reply over stdio (and -> ``tools/list`` reply), median of N runs.

Baselines in the same run, round-robin so that machine noise hits every server alike: the SDK floor
(a minimal ``MCPServer`` with one tool) and the official ``@sentry/mcp-server``, all pointed at the same
demo Sentry. Target: ours <= floor + 150 ms and below the official server.

    .venv/bin/python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from common import (
    OFFICIAL_VERSION,
    DemoSentry,
    StdioServer,
    demo_sentry,
    floor_command,
    median,
    ms,
    official_available,
    official_command,
    ours_command,
    write_result,
)

Command = Callable[[DemoSentry], tuple[list[str], dict[str, str]]]


def one_start(command: list[str], env: dict[str, str]) -> dict[str, float]:
    with StdioServer(command, env) as server:
        server.initialize()
        initialized = time.perf_counter() - server.started
        tools = server.request("tools/list", {})
        listed = time.perf_counter() - server.started
        assert tools["result"]["tools"], "no tools listed"
        return {"initialize_s": initialized, "tools_list_s": listed, "rss_mb": server.rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    servers: dict[str, Command] = {
        "sdk_floor": lambda s: floor_command(),
        "ours": lambda s: ours_command(s),
        "ours_demo_backend": lambda s: ours_command(s, "--demo"),
    }
    if official_available():
        servers[f"official_{OFFICIAL_VERSION}"] = official_command
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    with demo_sentry() as sentry:
        for _ in range(args.runs):
            for name, command in servers.items():
                samples[name].append(one_start(*command(sentry)))
    summary: dict[str, dict[str, Any]] = {
        name: {
            "initialize_ms_median": ms(median([s["initialize_s"] for s in runs])),
            "initialize_ms_runs": [ms(s["initialize_s"]) for s in runs],
            "tools_list_ms_median": ms(median([s["tools_list_s"] for s in runs])),
            "rss_mb_after_start_median": median([s["rss_mb"] for s in runs]),
        }
        for name, runs in samples.items()
    }
    floor: float = summary["sdk_floor"]["initialize_ms_median"]
    ours: float = summary["ours"]["initialize_ms_median"]
    verdict: dict[str, Any] = {
        "ours_minus_floor_ms": round(ours - floor, 1),
        "target_floor_plus_150ms": ours <= floor + 150,
    }
    official = summary.get(f"official_{OFFICIAL_VERSION}")
    if official is not None:
        verdict["below_official"] = ours < official["initialize_ms_median"]
    write_result("startup", {"runs": args.runs, "servers": summary, "verdict": verdict})
    for name, row in summary.items():
        init, listed = row["initialize_ms_median"], row["tools_list_ms_median"]
        print(f"{name:>22}: initialize {init:7.1f} ms, tools/list {listed:7.1f} ms")
    print(verdict)


if __name__ == "__main__":
    main()
