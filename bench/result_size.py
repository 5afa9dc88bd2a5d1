"""Result size: characters the model reads for (a) a list of 25 issues, (b) one issue, (c) an issue's
latest event with its stack trace, ours against the official server's answer to the same question on
the same data (both servers over stdio, pointed at the same demo Sentry). (a) is also measured with
``SENTRY_MCP_LIST_FORMAT=columns`` (rows as arrays under one header).

The official server answers (a) with ``search_issues`` (limit 25) and both (b) and (c) with
``get_issue_details`` (via ``get_sentry_resource``): the issue and its latest event with the stack trace,
its only tool that returns an event's stack trace on this data (``get_event_stacktrace`` reads thread
stacks only and answers "No thread stacktraces were found"). Ours: ``sentry_issues_list`` (limit 25),
``sentry_issues_get`` and ``sentry_issue_events_get`` (``event_id='latest'``). (b) and (c) are measured
for each of the first ``--issues`` issues of the list; the median ratio is the figure. Each of our
answers is also checked for the facts an agent needs. Target: each ratio <= 0.6.

    .venv/bin/python bench/result_size.py [--issues 10]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from common import (
    OFFICIAL_VERSION,
    StdioServer,
    demo_sentry,
    median,
    official_available,
    official_command,
    ours_command,
    text_of,
    write_result,
)

ORG = "acme"
ISSUE_FACTS = ("id", "shortId", "title", "culprit", "level", "status", "count", "userCount", "firstSeen", "lastSeen")


def _ours(server: StdioServer, tool: str, arguments: dict[str, Any]) -> tuple[str, Any]:
    result = server.call(tool, arguments)
    assert not result.get("isError"), text_of(result)
    text = text_of(result)
    return text, json.loads(text)


def _missing_issue_facts(issue: dict[str, Any], extra: tuple[str, ...] = ()) -> list[str]:
    return [fact for fact in (*ISSUE_FACTS, *extra) if fact not in issue]


def _missing_event_facts(event: dict[str, Any]) -> list[str]:
    missing = [f for f in ("eventID", "title", "dateCreated", "release", "environment", "tags") if not event.get(f)]
    stack = (event.get("exception") or [{}])[-1] if event.get("exception") else event.get("thread") or {}
    if not any(event.get(k) for k in ("exception", "thread", "message", "evidence")):
        missing.append("exception, message or evidence")
    if stack and not stack.get("frames"):
        missing.append("frames")
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10)
    args = parser.parse_args()
    if not official_available():
        raise SystemExit(
            "the official server is not installed: npm install --prefix bench/.cache/official "
            f"@sentry/mcp-server@{OFFICIAL_VERSION} (or compare with the documented figures in bench/README.md)"
        )
    rows: dict[str, Any] = {"b_issue": [], "c_latest_event": []}
    missing: dict[str, Any] = {}
    with (
        demo_sentry() as sentry,
        StdioServer(*ours_command(sentry)) as ours,
        StdioServer(*ours_command(sentry, "--list-format", "columns")) as columns,
        StdioServer(*official_command(sentry)) as official,
    ):
        ours.initialize()
        columns.initialize()
        official.initialize()
        list_text, page = _ours(
            ours, "sentry_issues_list", {"organization_slug": ORG, "project_slug": "web", "limit": 25}
        )
        official_list = text_of(
            official.call(
                "search_issues",
                {"organizationSlug": ORG, "projectSlugOrId": "web", "limit": 25, "query": "is:unresolved"},
            )
        )
        assert len(page["data"]) == 25
        rows["a_list_25"] = {
            "ours": len(list_text),
            "official": len(official_list),
            "ratio": round(len(list_text) / len(official_list), 3),
        }
        table_text, table = _ours(
            columns, "sentry_issues_list", {"organization_slug": ORG, "project_slug": "web", "limit": 25}
        )
        rows["a_list_25_columns"] = {
            "ours": len(table_text),
            "official": len(official_list),
            "ratio": round(len(table_text) / len(official_list), 3),
        }
        missing["a_list_25_columns"] = _missing_issue_facts(dict.fromkeys(table["columns"]))
        missing["a_list_25"] = {i["shortId"]: _missing_issue_facts(i) for i in page["data"] if _missing_issue_facts(i)}
        for issue in page["data"][: args.issues]:
            short_id = issue["shortId"]
            issue_text, one = _ours(ours, "sentry_issues_get", {"organization_slug": ORG, "issue_id": short_id})
            event_text, event = _ours(
                ours, "sentry_issue_events_get", {"organization_slug": ORG, "issue_id": short_id, "event_id": "latest"}
            )
            theirs = text_of(
                official.call(
                    "get_sentry_resource", {"resourceType": "issue", "resourceId": short_id, "organizationSlug": ORG}
                )
            )
            rows["b_issue"].append({"issue": short_id, "ours": len(issue_text), "official": len(theirs)})
            rows["c_latest_event"].append({"issue": short_id, "ours": len(event_text), "official": len(theirs)})
            gaps = _missing_issue_facts(one, ("permalink",)) + [f"event:{f}" for f in _missing_event_facts(event)]
            if gaps:
                missing[short_id] = gaps
    summary: dict[str, Any] = {"a_list_25": rows["a_list_25"], "a_list_25_columns": rows["a_list_25_columns"]}
    for key in ("b_issue", "c_latest_event"):
        ratios = [row["ours"] / row["official"] for row in rows[key]]
        summary[key] = {
            "ours_median": median([row["ours"] for row in rows[key]]),
            "official_median": median([row["official"] for row in rows[key]]),
            "ratio_median": round(median(ratios), 3),
            "ratio_max": round(max(ratios), 3),
        }
    verdict = {key: summary[key].get("ratio", summary[key].get("ratio_median", 9)) <= 0.6 for key in summary}
    write_result(
        "result_size",
        {"summary": summary, "per_issue": rows, "facts_missing": missing, "verdict": verdict},
    )
    for key, label in (("a_list_25", "(a) 25 issues"), ("a_list_25_columns", "(a) same, --list-format columns")):
        a = summary[key]
        print(f"{label}: ours {a['ours']} chars, official {a['official']}, ratio {a['ratio']}")
    for key, label in (("b_issue", "(b) one issue"), ("c_latest_event", "(c) latest event")):
        row = summary[key]
        print(
            f"{label}: ours {row['ours_median']} chars, official {row['official_median']} (medians), "
            f"ratio {row['ratio_median']} (max {row['ratio_max']})"
        )
    print("facts missing from ours:", missing or "none")
    print(verdict)


if __name__ == "__main__":
    main()
