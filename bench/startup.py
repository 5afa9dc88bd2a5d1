"""Startup: spawn -> first ``initialize`` reply over stdio (and -> ``tools/list`` reply), median of N runs.

Also the first tool call, asked one second after ``tools/list`` as a user would (ours and the official
server, the same question: issue WEB-1), since a server may put off work until then.

Baselines in the same run, round-robin so that machine noise hits every server alike: the SDK floor
(a minimal ``MCPServer`` with one tool) and the official ``@sentry/mcp-server``, all pointed at the same
demo Sentry. Target: ours <= floor + 150 ms and below the official server.

Each startup trick (``server/sentry_agent_mcp/startup.py``) is measured by a row without it, in the same
run: ``without_lazy_imports`` imports the call path before serving, ``without_entries_file`` lists the
tools from the live catalog, ``without_warm_up`` leaves the first call to import what it needs, and
``warm_up_plus_gc`` adds the ``gc.collect()``/``gc.freeze()`` an earlier warm-up did
(``demo_without_warm_up`` is ``without_warm_up`` on the demo backend, against ``ours_demo_backend``).

    .venv/bin/python bench/startup.py [--runs 7] [--no-tricks]
"""

from __future__ import annotations

import argparse
import sys
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
FirstCall = tuple[str, dict[str, Any]] | None
OURS_FIRST_CALL: FirstCall = ("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1"})
OFFICIAL_FIRST_CALL: FirstCall = (
    "get_sentry_resource",
    {"resourceType": "issue", "resourceId": "WEB-1", "organizationSlug": "acme"},
)
PAUSE_S = 1.0

SERVE = "from sentry_agent_mcp.cli import main; sys.exit(main(['serve']))"
WITHOUT: dict[str, str] = {
    "all_tricks": "",
    "without_lazy_imports": "import sentry_agent_mcp.startup as s; s.import_call_path()",
    "without_entries_file": "import sentry_agent_mcp.startup as s; s.read_entries = lambda path: None",
    "without_warm_up": "import sentry_agent_mcp.mcp_server as m; m.schedule_warm_up = lambda settings: None",
    "warm_up_plus_gc": (
        "import gc, sentry_agent_mcp.startup as s; warm = s.import_call_path\n"
        "def with_gc(*args): warm(*args); gc.collect(); gc.freeze()\n"
        "s.import_call_path = with_gc"
    ),
}
"""``serve`` with one trick undone (bench code only: the product has no switch for them); ``all_tricks``
is the same command with nothing undone, so that every row starts the same way."""


def trick_command(prelude: str, demo: bool = False) -> Command:
    def command(sentry: DemoSentry) -> tuple[list[str], dict[str, str]]:
        _, env = ours_command(sentry)
        serve = SERVE.replace("['serve']", "['serve', '--demo']") if demo else SERVE
        return [sys.executable, "-c", f"import sys\n{prelude}\n{serve}"], env

    return command


def one_start(command: list[str], env: dict[str, str], first_call: FirstCall) -> dict[str, float]:
    with StdioServer(command, env) as server:
        server.initialize()
        initialized = time.perf_counter() - server.started
        tools = server.request("tools/list", {})
        listed = time.perf_counter() - server.started
        assert tools["result"]["tools"], "no tools listed"
        sample = {"initialize_s": initialized, "tools_list_s": listed, "rss_mb": server.rss_mb()}
        if first_call is not None:
            time.sleep(PAUSE_S)
            started = time.perf_counter()
            answer = server.call(*first_call)
            sample["first_call_s"] = time.perf_counter() - started
            assert not answer.get("isError"), answer
        return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-tricks", action="store_true", help="skip the rows that undo one startup trick each")
    parser.add_argument("--tricks", nargs="*", help="only these trick rows (e.g. all_tricks warm_up_plus_gc)")
    args = parser.parse_args()
    servers: dict[str, tuple[Command, FirstCall]] = {
        "sdk_floor": (lambda s: floor_command(), None),
        "ours": (lambda s: ours_command(s), OURS_FIRST_CALL),
        "ours_demo_backend": (lambda s: ours_command(s, "--demo"), OURS_FIRST_CALL),
    }
    if not args.no_tricks:
        servers.update({f"trick:{name}": (trick_command(code), OURS_FIRST_CALL) for name, code in WITHOUT.items()})
        servers["trick:demo_without_warm_up"] = (trick_command(WITHOUT["without_warm_up"], demo=True), OURS_FIRST_CALL)
        if args.tricks:
            servers = {k: v for k, v in servers.items() if not k.startswith("trick:") or k[6:] in args.tricks}
    if official_available():
        servers[f"official_{OFFICIAL_VERSION}"] = (official_command, OFFICIAL_FIRST_CALL)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    with demo_sentry() as sentry:
        for _ in range(args.runs):
            for name, (command, first_call) in servers.items():
                samples[name].append(one_start(*command(sentry), first_call))
    summary: dict[str, dict[str, Any]] = {
        name: {
            "initialize_ms_median": ms(median([s["initialize_s"] for s in runs])),
            "initialize_ms_runs": [ms(s["initialize_s"]) for s in runs],
            "tools_list_ms_median": ms(median([s["tools_list_s"] for s in runs])),
            "tools_list_after_initialize_ms_median": ms(median([s["tools_list_s"] - s["initialize_s"] for s in runs])),
            "rss_mb_after_start_median": median([s["rss_mb"] for s in runs]),
            **(
                {
                    "first_call_ms_median": ms(median([s["first_call_s"] for s in runs])),
                    "first_call_ms_runs": [ms(s["first_call_s"]) for s in runs],
                }
                if "first_call_s" in runs[0]
                else {}
            ),
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
        after = row["tools_list_after_initialize_ms_median"]
        first = f", first call {row['first_call_ms_median']:6.1f} ms" if "first_call_ms_median" in row else ""
        print(f"{name:>27}: initialize {init:7.1f} ms, tools/list {listed:7.1f} ms (+{after:5.1f}){first}")
    print(verdict)


if __name__ == "__main__":
    main()
