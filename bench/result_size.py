"""Result size: characters the model reads for (a) a list of 25 issues, (b) one issue, (c) an issue's
latest event with its stack trace, (d) a write's confirmation (resolve an issue), ours against the official
server's answer to the same question on the same data (both servers over stdio, pointed at the same demo
Sentry). (a) is also measured with ``SENTRY_MCP_LIST_FORMAT=columns`` (rows as arrays under one header) and
as each server's default answer (no ``limit``: ours 25 rows, the official's 10), per listed issue.

The official server answers (a) with ``search_issues`` (limit 25) and both (b) and (c) with
``get_issue_details`` (via ``get_sentry_resource``): the issue and its latest event with the stack trace,
its only tool that returns an event's stack trace on this data (``get_event_stacktrace`` reads thread
stacks only and answers "No thread stacktraces were found"). Ours: ``sentry_issues_list`` (limit 25),
``sentry_issues_get`` and ``sentry_issue_events_get`` (``event_id='latest'``). (b) and (c) are measured
for each of the first ``--issues`` issues of the list; the median ratio is the figure. Each of our
answers is also checked for the facts an agent needs (a list row: ``ISSUE_ROW_FACTS``). (d): ours
``sentry_issues_update`` (status resolved, with a note), the official ``update_issue`` (with ``reason``); the
issue is reopened afterwards. Targets (issue 13): per listed issue <= 0.6x, a get <= 0.5x, the event <= 0.6x,
a write confirmation under 300 characters.

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
from sentry_agent_mcp.views.issues import ISSUE_ROW_FACTS

ORG = "acme"
ISSUE_FACTS = ("id", "shortId", "title", "culprit", "level", "status", "count", "userCount", "firstSeen", "lastSeen")
"""What one issue (a get) holds."""
RESOLVED = "WEB-2"
TARGETS = {"a_list_25": 0.6, "a_list_25_columns": 0.6, "a_default_answer": 0.6, "b_issue": 0.5, "c_latest_event": 0.6}
WRITE_TARGET = 300


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
        StdioServer(*ours_command(sentry, "--allow-writes")) as ours,
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
            "ours_per_issue": round(len(list_text) / 25, 1),
            "official_per_issue": round(len(official_list) / 25, 1),
            "ratio": round(len(list_text) / len(official_list), 3),
        }
        default_text, default_page = _ours(
            ours, "sentry_issues_list", {"organization_slug": ORG, "project_slug": "web"}
        )
        official_default = text_of(
            official.call(
                "search_issues", {"organizationSlug": ORG, "projectSlugOrId": "web", "query": "is:unresolved"}
            )
        )
        theirs_listed = official_default.count("\n## ") - official_default.count("\n## Next Steps")
        ours_per, theirs_per = len(default_text) / len(default_page["data"]), len(official_default) / theirs_listed
        rows["a_default_answer"] = {
            "ours": len(default_text),
            "ours_issues": len(default_page["data"]),
            "official": len(official_default),
            "official_issues": theirs_listed,
            "ours_per_issue": round(ours_per, 1),
            "official_per_issue": round(theirs_per, 1),
            "ratio": round(ours_per / theirs_per, 3),
        }
        table_text, table = _ours(
            columns, "sentry_issues_list", {"organization_slug": ORG, "project_slug": "web", "limit": 25}
        )
        rows["a_list_25_columns"] = {
            "ours": len(table_text),
            "official": len(official_list),
            "ratio": round(len(table_text) / len(official_list), 3),
        }
        missing["a_list_25_columns"] = [f for f in ISSUE_ROW_FACTS if f not in table["columns"]]
        missing["a_list_25"] = {
            i["shortId"]: [f for f in ISSUE_ROW_FACTS if f not in i]
            for i in page["data"]
            if set(ISSUE_ROW_FACTS) - set(i)
        }
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
        write_text, _ = _ours(
            ours,
            "sentry_issues_update",
            {"organization_slug": ORG, "issue_id": RESOLVED, "status": "resolved", "note": "bench: result size"},
        )
        _ours(ours, "sentry_issues_update", {"organization_slug": ORG, "issue_id": RESOLVED, "status": "unresolved"})
        official_write = text_of(
            official.call(
                "update_issue",
                {"organizationSlug": ORG, "issueId": RESOLVED, "status": "resolved", "reason": "bench: result size"},
            )
        )
        _ours(ours, "sentry_issues_update", {"organization_slug": ORG, "issue_id": RESOLVED, "status": "unresolved"})
        rows["d_write"] = {"ours": len(write_text), "official": len(official_write), "ours_text": write_text}
        if "resolved" not in write_text:
            missing["d_write"] = ["resolved"]
    summary: dict[str, Any] = {
        key: {k: v for k, v in rows[key].items() if k != "ours_text"}
        for key in ("a_list_25", "a_list_25_columns", "a_default_answer", "d_write")
    }
    for key in ("b_issue", "c_latest_event"):
        ratios = [row["ours"] / row["official"] for row in rows[key]]
        summary[key] = {
            "ours_median": median([row["ours"] for row in rows[key]]),
            "official_median": median([row["official"] for row in rows[key]]),
            "ratio_median": round(median(ratios), 3),
            "ratio_max": round(max(ratios), 3),
        }
    verdict = {key: summary[key].get("ratio", summary[key].get("ratio_median", 9)) <= TARGETS[key] for key in TARGETS}
    verdict["d_write_under_300"] = summary["d_write"]["ours"] < WRITE_TARGET
    write_result(
        "result_size",
        {"summary": summary, "per_issue": rows, "facts_missing": missing, "verdict": verdict},
    )
    a = summary["a_list_25"]
    print(
        f"(a) 25 issues: ours {a['ours']} chars ({a['ours_per_issue']} per issue), official {a['official']} "
        f"({a['official_per_issue']}), ratio {a['ratio']}"
    )
    a = summary["a_list_25_columns"]
    print(f"(a) same, --list-format columns: ours {a['ours']} chars, official {a['official']}, ratio {a['ratio']}")
    a = summary["a_default_answer"]
    print(
        f"(a) default answers (no limit): ours {a['ours']} chars for {a['ours_issues']} issues "
        f"({a['ours_per_issue']} per issue), official {a['official']} for {a['official_issues']} "
        f"({a['official_per_issue']}), per-issue ratio {a['ratio']}"
    )
    for key, label in (("b_issue", "(b) one issue"), ("c_latest_event", "(c) latest event")):
        row = summary[key]
        print(
            f"{label}: ours {row['ours_median']} chars, official {row['official_median']} (medians), "
            f"ratio {row['ratio_median']} (max {row['ratio_max']})"
        )
    d = summary["d_write"]
    print(f"(d) resolve with a note: ours {d['ours']} chars, official {d['official']}: {rows['d_write']['ours_text']}")
    print("facts missing from ours:", missing or "none")
    print(verdict)


if __name__ == "__main__":
    main()
