"""Triage tasks: fixed call sequences for ours and for the official server on the same demo Sentry, each answer
checked for every fact the task's answer needs (ground truth read from the demo Sentry itself). Reports, per
task and server, the calls made, the characters the model reads, and the facts missing.

Tasks (each a question a user asks first):
1. "What is the top unresolved issue in project web, and where does it crash?" (the innermost in-app frame)
2. "Which release introduced issue WEB-1?" (its first release)
3. "Who has issue WEB-3K, and how many users does it hit?"
4. "Resolve issue WEB-2 and say why." (the status after, the note posted; the issue is reopened afterwards)

The official server's sequences use its own tools as its descriptions direct (``search_issues``,
``get_sentry_resource``, ``execute_sentry_tool`` for the tools it keeps behind it, ``update_issue`` with
``reason``); ours the pair tools. Both servers run with writes on.

    .venv/bin/python bench/triage.py
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2

from common import (
    OFFICIAL_VERSION,
    DemoSentry,
    StdioServer,
    demo_sentry,
    official_available,
    official_command,
    ours_command,
    text_of,
    write_result,
)
from sentry_demo import DEMO_TOKEN

ORG = "acme"
RELEASE_ISSUE, ASSIGNED_ISSUE, RESOLVED_ISSUE = "WEB-1", "WEB-3K", "WEB-2"
NOTE = "Fixed by the retry in checkout (bench/triage.py)."

Call = tuple[str, dict[str, Any]]
Step = Callable[[list[Any]], Call]
"""The next call, from the parsed answers so far (ours are JSON; the official's are Markdown text)."""


@dataclass(frozen=True)
class Task:
    name: str
    question: str
    ours: list[Step]
    official: list[Step]
    facts: Callable[[httpx2.Client], list[str]]
    """The strings an answer must hold, read from the demo Sentry."""


def _sentry(sentry: DemoSentry) -> httpx2.Client:
    return httpx2.Client(base_url=f"{sentry.url}/api/0", headers={"Authorization": f"Bearer {DEMO_TOKEN}"})


def _top_issue(http: httpx2.Client) -> dict[str, Any]:
    project = http.get(f"/projects/{ORG}/web/").json()
    query = {"project": project["id"], "query": "is:unresolved", "sort": "freq", "limit": "1"}
    issue: dict[str, Any] = http.get(f"/organizations/{ORG}/issues/", params=query).json()[0]
    return issue


def _top_issue_facts(http: httpx2.Client) -> list[str]:
    issue = _top_issue(http)
    event = http.get(f"/organizations/{ORG}/issues/{issue['shortId']}/events/latest/").json()
    frames = [
        frame
        for entry in event["entries"]
        if entry["type"] == "exception"
        for value in entry["data"]["values"]
        for frame in (value.get("stacktrace") or {}).get("frames") or []
        if frame.get("inApp")
    ]
    crash = frames[-1]
    return [issue["shortId"], issue["title"], crash["filename"].lstrip("./"), str(crash["lineNo"]), crash["function"]]


def _release_facts(http: httpx2.Client) -> list[str]:
    return [http.get(f"/organizations/{ORG}/issues/{RELEASE_ISSUE}/").json()["firstRelease"]["version"]]


def _assignee_facts(http: httpx2.Client) -> list[str]:
    issue = http.get(f"/organizations/{ORG}/issues/{ASSIGNED_ISSUE}/").json()
    who = issue.get("assignedTo") or {}
    return [str(issue["userCount"]), *([who["name"]] if who.get("name") else [])]


def _resolve_facts(http: httpx2.Client) -> list[str]:
    return ["resolved"]


def _first_short_id(answers: list[Any]) -> str:
    first = answers[0]
    if isinstance(first, dict):
        return str(first["data"][0]["shortId"])
    return str(first.split("## 1. [", 1)[1].split("]", 1)[0])  # the official's Markdown: "## 1. [WEB-25](...)"


def _our_issue(issue_id: str) -> Step:
    return lambda _: ("sentry_issues_get", {"organization_slug": ORG, "issue_id": issue_id})


def _official_issue(issue_id: str | None = None) -> Step:
    """The official server's issue read; without an id, the first issue the previous answer lists."""
    return lambda answers: (
        "get_sentry_resource",
        {"resourceType": "issue", "resourceId": issue_id or _first_short_id(answers), "organizationSlug": ORG},
    )


TASKS = [
    Task(
        "top_issue_and_crash",
        "What is the top unresolved issue in project web, and where does it crash?",
        ours=[
            lambda _: (
                "sentry_issues_list",
                {"organization_slug": ORG, "project_slug": "web", "sort": "freq", "limit": 1},
            ),
            lambda a: (
                "sentry_issue_events_get",
                {"organization_slug": ORG, "issue_id": _first_short_id(a), "event_id": "latest"},
            ),
        ],
        official=[
            lambda _: (
                "search_issues",
                {
                    "organizationSlug": ORG,
                    "projectSlugOrId": "web",
                    "query": "is:unresolved",
                    "sort": "freq",
                    "limit": 1,
                },
            ),
            _official_issue(),
        ],
        facts=_top_issue_facts,
    ),
    Task(
        "release_that_introduced",
        f"Which release introduced issue {RELEASE_ISSUE}?",
        ours=[_our_issue(RELEASE_ISSUE)],
        official=[
            _official_issue(RELEASE_ISSUE),
            lambda _: (
                "execute_sentry_tool",
                {
                    "name": "get_issue_tag_values",
                    "arguments": {"organizationSlug": ORG, "issueId": RELEASE_ISSUE, "tagKey": "release"},
                },
            ),
        ],
        facts=_release_facts,
    ),
    Task(
        "assignee_and_users",
        f"Who has issue {ASSIGNED_ISSUE}, and how many users does it hit?",
        ours=[_our_issue(ASSIGNED_ISSUE)],
        official=[_official_issue(ASSIGNED_ISSUE)],
        facts=_assignee_facts,
    ),
    Task(
        "resolve_with_note",
        f"Resolve issue {RESOLVED_ISSUE} and say why.",
        ours=[
            lambda _: (
                "sentry_issues_update",
                {"organization_slug": ORG, "issue_id": RESOLVED_ISSUE, "status": "resolved", "note": NOTE},
            )
        ],
        official=[
            lambda _: (
                "update_issue",
                {"organizationSlug": ORG, "issueId": RESOLVED_ISSUE, "status": "resolved", "reason": NOTE},
            )
        ],
        facts=_resolve_facts,
    ),
]


def _run(server: StdioServer, steps: list[Step]) -> tuple[int, int, str]:
    """Calls made, characters read, and all the text, for one task on one server."""
    answers: list[Any] = []
    texts: list[str] = []
    for step in steps:
        name, arguments = step(answers)
        result = server.call(name, arguments)
        text = text_of(result)
        assert not result.get("isError"), f"{name}: {text[:300]}"
        texts.append(text)
        try:
            answers.append(json.loads(text))
        except ValueError:
            answers.append(text)
    joined = "\n".join(texts)
    return len(steps), sum(len(t) for t in texts), joined


def _reopen(http: httpx2.Client) -> None:
    http.put(f"/organizations/{ORG}/issues/{RESOLVED_ISSUE}/", json={"status": "unresolved"}).raise_for_status()


def main() -> None:
    if not official_available():
        raise SystemExit(
            "the official server is not installed: npm install --prefix bench/.cache/official "
            f"@sentry/mcp-server@{OFFICIAL_VERSION} (or compare with the documented figures in bench/README.md)"
        )
    rows: list[dict[str, Any]] = []
    with (
        demo_sentry() as sentry,
        _sentry(sentry) as http,
        StdioServer(*ours_command(sentry, "--allow-writes")) as ours,
        StdioServer(*official_command(sentry)) as official,
    ):
        ours.initialize()
        official.initialize()
        for task in TASKS:
            facts = task.facts(http)
            row: dict[str, Any] = {"task": task.name, "question": task.question, "facts": facts}
            for label, server, steps in (("ours", ours, task.ours), ("official", official, task.official)):
                calls, chars, text = _run(server, steps)
                row[label] = {"calls": calls, "chars": chars, "missing": [f for f in facts if f not in text]}
                if task.name == "resolve_with_note":
                    notes = http.get(f"/organizations/{ORG}/issues/{RESOLVED_ISSUE}/notes/").json()
                    row[label]["note_posted"] = any(NOTE in json.dumps(n) for n in notes)
                    _reopen(http)
            row["chars_ratio"] = round(row["ours"]["chars"] / row["official"]["chars"], 3)
            rows.append(row)
    totals = {
        label: {"calls": sum(r[label]["calls"] for r in rows), "chars": sum(r[label]["chars"] for r in rows)}
        for label in ("ours", "official")
    }
    verdict = {
        "every_fact_in_ours": all(not r["ours"]["missing"] for r in rows),
        "ours_fewer_or_equal_calls": totals["ours"]["calls"] <= totals["official"]["calls"],
        "ours_fewer_chars": totals["ours"]["chars"] < totals["official"]["chars"],
    }
    write_result("triage", {"tasks": rows, "totals": totals, "verdict": verdict})
    print(f"{'task':26} {'ours calls/chars':>18} {'official calls/chars':>22} {'ratio':>6}  missing (ours; official)")
    for r in rows:
        o, t = r["ours"], r["official"]
        print(
            f"{r['task']:26} {o['calls']:>7} / {o['chars']:>7} {t['calls']:>9} / {t['chars']:>8} {r['chars_ratio']:>6}"
            f"  {o['missing'] or '-'}; {t['missing'] or '-'}"
            + (f" (note posted: {o['note_posted']}; {t['note_posted']})" if "note_posted" in o else "")
        )
    ratio = round(totals["ours"]["chars"] / totals["official"]["chars"], 3)
    print(
        f"{'total':26} {totals['ours']['calls']:>7} / {totals['ours']['chars']:>7} "
        f"{totals['official']['calls']:>9} / {totals['official']['chars']:>8} {ratio:>6}"
    )
    print(verdict)


if __name__ == "__main__":
    main()
