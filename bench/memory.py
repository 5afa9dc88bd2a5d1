"""Memory: resident set size of the server after start, after 1,000 calls and after 5,000 calls.

The calls cycle through a list of 25 issues, one issue, an issue's latest event and the project list,
over stdio, against the demo Sentry over HTTP. Baselines in the same run: the SDK floor and the official
server after start (the official one also after 1,000 calls of its own equivalents).
Targets: <= 90 MB after 1,000 calls; growth <= 5 MB from 1,000 to 5,000.

    .venv/bin/python bench/memory.py [--calls 5000]
"""

from __future__ import annotations

import argparse
from typing import Any

from common import (
    OFFICIAL_VERSION,
    StdioServer,
    demo_sentry,
    floor_command,
    official_available,
    official_command,
    ours_command,
    text_of,
    write_result,
)

ORG = {"organization_slug": "acme"}
Calls = list[tuple[str, dict[str, Any]]]
OURS: Calls = [
    ("sentry_issues_list", {**ORG, "project_slug": "web", "limit": 25}),
    ("sentry_issues_get", {**ORG, "issue_id": "WEB-1"}),
    ("sentry_issue_events_get", {**ORG, "issue_id": "WEB-1", "event_id": "latest"}),
    ("sentry_projects_list", {}),
]
OFFICIAL: Calls = [
    ("search_issues", {"organizationSlug": "acme", "projectSlugOrId": "web", "limit": 25, "query": "is:unresolved"}),
    ("get_sentry_resource", {"resourceType": "issue", "resourceId": "WEB-1", "organizationSlug": "acme"}),
    ("find_projects", {"organizationSlug": "acme"}),
]


def drive(server: StdioServer, calls: Calls, count: int) -> None:
    for i in range(count):
        name, arguments = calls[i % len(calls)]
        result = server.call(name, arguments)
        assert not result.get("isError"), text_of(result)[:300]


def rss_over_calls(server: StdioServer, calls: Calls, checkpoints: tuple[int, ...]) -> dict[str, float]:
    """RSS after start (one round of ``calls`` made) and after each checkpoint's total number of calls."""
    server.initialize()
    server.request("tools/list", {})
    drive(server, calls, len(calls))
    row = {"after_start_mb": server.rss_mb()}
    done = 0
    for total in checkpoints:
        drive(server, calls, total - done)
        done = total
        row[f"after_{total}_calls_mb"] = server.rss_mb()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    first = min(1000, args.calls)
    out: dict[str, Any] = {}
    with demo_sentry() as sentry:
        with StdioServer(*ours_command(sentry)) as server:
            ours = rss_over_calls(server, OURS, (first, args.calls))
        out["ours"] = ours
        with StdioServer(*floor_command()) as floor:
            floor.initialize()
            floor.request("tools/list", {})
            out["sdk_floor"] = {"after_start_mb": floor.rss_mb()}
        if official_available():
            with StdioServer(*official_command(sentry)) as official:
                out[f"official_{OFFICIAL_VERSION}"] = rss_over_calls(official, OFFICIAL, (first,))
    after_first = ours[f"after_{first}_calls_mb"]
    growth = round(ours[f"after_{args.calls}_calls_mb"] - after_first, 1)
    verdict = {"rss_after_1000_le_90mb": after_first <= 90, "growth_mb": growth, "growth_le_5mb": growth <= 5}
    write_result("memory", {"calls": args.calls, "servers": out, "verdict": verdict})
    for name, row in out.items():
        print(f"{name:>16}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    print(verdict)


if __name__ == "__main__":
    main()
