"""Latency of a list and a get over stdio: ours against the official server, same questions, same data.

Both servers run over stdio, pointed at the same demo Sentry (an HTTP server in its own process), and
their calls alternate (one of ours, one of theirs) so that noise hits both alike. The questions are the
ones ``result_size.py`` asks: (list) 25 unresolved issues of a project, ours ``sentry_issues_list``
against the official ``search_issues``; (get) one issue by short id, ours ``sentry_issues_get`` against
the official ``get_sentry_resource``. The figure is the ratio of the medians. Target: <= 0.8.

Both servers wait for the same demo Sentry answer, so a third column times that answer alone (a direct
``httpx2`` GET of the request ours sends, in the same rotation), and the rows also give the ratio of what
each server adds on top of it: the part a server controls.

    .venv/bin/python bench/latency.py [--calls 100]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import httpx2

from common import (
    DEMO_TOKEN,
    OFFICIAL_VERSION,
    StdioServer,
    demo_sentry,
    median,
    ms,
    official_available,
    official_command,
    ours_command,
    percentile,
    text_of,
    write_result,
)

ORG = "acme"
QUESTIONS: dict[str, tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
    "list_25_issues": (
        ("sentry_issues_list", {"organization_slug": ORG, "project_slug": "web", "limit": 25}),
        ("search_issues", {"organizationSlug": ORG, "projectSlugOrId": "web", "limit": 25, "query": "is:unresolved"}),
    ),
    "get_issue": (
        ("sentry_issues_get", {"organization_slug": ORG, "issue_id": "WEB-1A"}),
        ("get_sentry_resource", {"resourceType": "issue", "resourceId": "WEB-1A", "organizationSlug": ORG}),
    ),
}


DIRECT = {
    "list_25_issues": ("/api/0/organizations/acme/issues/", {"limit": "25", "project": None}),
    "get_issue": ("/api/0/organizations/acme/issues/WEB-1A/", {}),
}
"""The demo Sentry request ours sends for each question (the project id is looked up first; ``_lean_items`` too)."""


def _lean_items(name: str) -> list[tuple[str, str]]:
    """The ``collapse`` items ours adds to the compact list (``catalog/lean.py``; none in a tree without it)."""
    try:
        from sentry_agent_mcp.catalog import CATALOG
        from sentry_agent_mcp.catalog.lean import lean_pair
    except ImportError:
        return []
    pair = CATALOG[("issues", "list")]
    return list(lean_pair(pair, full=False, fields=None).routes[0].lean_query) if name == "list_25_issues" else []


def _direct(client: httpx2.Client, path: str, query: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    response = client.get(path, params=query)
    response.json()
    took = time.perf_counter() - started
    assert response.status_code == 200, response.text[:200]
    return took


def _timed(server: StdioServer, tool: str, arguments: dict[str, Any]) -> float:
    started = time.perf_counter()
    result = server.call(tool, arguments)
    took = time.perf_counter() - started
    assert not result.get("isError"), text_of(result)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    if not official_available():
        raise SystemExit(
            "the official server is not installed: npm install --prefix bench/.cache/official "
            f"@sentry/mcp-server@{OFFICIAL_VERSION}"
        )
    summary: dict[str, Any] = {}
    with (
        demo_sentry() as sentry,
        StdioServer(*ours_command(sentry)) as ours,
        StdioServer(*official_command(sentry)) as official,
        httpx2.Client(base_url=sentry.url, headers={"Authorization": f"Bearer {DEMO_TOKEN}"}) as direct,
    ):
        project_id = str(direct.get("/api/0/projects/acme/web/").json()["id"])
        ours.initialize()
        official.initialize()
        for name, ((our_tool, our_args), (their_tool, their_args)) in QUESTIONS.items():
            for _ in range(3):  # warm both: imports, connections, caches
                ours.call(our_tool, our_args)
                official.call(their_tool, their_args)
            path, query = DIRECT[name]
            sent = [*_lean_items(name), *((k, v or project_id) for k, v in query.items())]
            times: dict[str, list[float]] = {"ours": [], "official": [], "demo_sentry_alone": []}
            for _ in range(args.calls):
                times["ours"].append(_timed(ours, our_tool, our_args))
                times["official"].append(_timed(official, their_tool, their_args))
                times["demo_sentry_alone"].append(_direct(direct, path, sent))
            row = {
                who: {"median_ms": ms(median(values)), "p99_ms": ms(percentile(values, 99))}
                for who, values in times.items()
            }
            row["ratio"] = round(median(times["ours"]) / median(times["official"]), 3)
            upstream = median(times["demo_sentry_alone"])
            added = {who: median(times[who]) - upstream for who in ("ours", "official")}
            row["added_ms"] = {who: ms(value) for who, value in added.items()}
            row["added_ratio"] = round(added["ours"] / added["official"], 3) if added["official"] > 0 else None
            summary[name] = row
            print(
                f"{name:>16}: ours {row['ours']['median_ms']:7.2f} ms (p99 {row['ours']['p99_ms']:7.2f}), "
                f"official {row['official']['median_ms']:7.2f} ms (p99 {row['official']['p99_ms']:7.2f}), "
                f"ratio {row['ratio']:.3f}; demo Sentry alone {ms(upstream):.2f} ms, added by ours "
                f"{row['added_ms']['ours']:.2f} ms vs official {row['added_ms']['official']:.2f} ms "
                f"(ratio {row['added_ratio']})"
            )
    verdict = {f"{name}_le_0.8": row["ratio"] <= 0.8 for name, row in summary.items()}
    write_result("latency", {"calls": args.calls, "summary": summary, "verdict": verdict})


if __name__ == "__main__":
    main()
