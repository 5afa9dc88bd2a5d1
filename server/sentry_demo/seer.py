"""Seer (autofix) runs: `GET /organizations/{org}/issues/{issue_id}/autofix/` answers `{"autofix": {...}}`
in the documented `steps` shape: a run started in this app (`autofix_start.started_runs`, where the
POST of the same route puts it) as still processing, else the run `data/seer.json` seeds for the issue
(one finished with a root cause, a solution and a pull request; one still processing), else
`{"autofix": null}` for an issue Seer never looked at.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from .autofix_start import started_runs
from .dataset import REFERENCE_TIME, dataset
from .handlers import get_issue, ok
from .http import ApiRequest, ApiResponse
from .models import Issue, stable_uuid
from .store import Store
from .tables import load

JSON = dict[str, Any]


def _stamp(minutes_ago: float) -> str:
    """Seer's timestamps: ISO-8601 with microseconds and no zone."""
    return (REFERENCE_TIME - timedelta(minutes=minutes_ago)).replace(tzinfo=None).isoformat(timespec="microseconds")


def _step(run: JSON, index: int, row: JSON) -> JSON:
    status = row.get("status", "COMPLETED")
    step: JSON = {
        "id": stable_uuid("seer-step", run["run_id"], index),
        "index": index,
        "key": row["key"],
        "title": row["title"],
        "type": row["type"],
        "status": status,
        "progress": [
            {"message": text, "timestamp": _stamp(run["minutes_ago"] + 3 - n * 0.5), "type": "INFO", "data": None}
            for n, text in enumerate(row.get("progress", ["Done."]))
        ],
        "insights": [],
        "output_stream": None,
        "queued_user_messages": [],
        "completedMessage": None,
        "active_comment_thread": None,
        "agent_comment_thread": None,
    }
    repo = run["repo"]
    if row["type"] == "root_cause_analysis":
        step["causes"] = [
            {
                "id": 0,
                "description": row["cause"],
                "relevant_repos": [repo],
                "reproduction_urls": [],
                "root_cause_reproduction": [
                    {
                        "title": item["title"],
                        "code_snippet_and_analysis": item["analysis"],
                        "is_most_important_event": item["important"],
                        "relevant_code_file": {"file_path": item["file"], "repo_name": repo},
                        "timeline_item_type": "internal_code",
                    }
                    for item in row["timeline"]
                ],
            }
        ]
        step["selection"] = {"cause_id": 0, "instruction": None}
        step["termination_reason"] = None
    elif row["type"] == "solution":
        step["description"] = row["description"]
        step["solution"] = [
            {
                "title": item["title"],
                "code_snippet_and_analysis": item["analysis"],
                "is_active": True,
                "is_most_important_event": n == 0,
                "relevant_code_file": None,
                "timeline_item_type": "internal_code",
            }
            for n, item in enumerate(row["solution"])
        ]
    elif row["type"] == "changes":
        step["changes"] = [
            {
                "repo_name": repo,
                "title": change["title"],
                "description": change["description"],
                "branch_name": f"seer/fix-{run['run_id']}",
                "pull_request": {"pr_number": int(change["pr_url"].rsplit("/", 1)[-1]), "pr_url": change["pr_url"]},
            }
            for change in row["changes"]
        ]
    return step


def _run(issue: Issue, run: JSON) -> JSON:
    data = dataset()
    owner, name = run["repo"].split("/")
    finished = run["status"] == "COMPLETED"
    return {
        "run_id": run["run_id"],
        "request": {
            "organization_id": int(data.organization.id),
            "project_id": int(data.project(issue.project_slug).id),
            "issue": {"id": int(issue.id), "title": issue.title, "short_id": issue.short_id},
            "repos": [{"provider": "github", "owner": owner, "name": name, "branch_name": "main"}],
        },
        "updated_at": _stamp(run["minutes_ago"]),
        "last_triggered_at": _stamp(run["minutes_ago"] + 6),
        "completed_at": _stamp(run["minutes_ago"]) if finished else None,
        "status": run["status"],
        "codebases": {},
        "steps": [_step(run, n, row) for n, row in enumerate(run["steps"])],
        "coding_agents": {},
        "repositories": [
            {
                "provider": "integrations:github",
                "name": run["repo"],
                "url": f"https://github.com/{run['repo']}",
                "default_branch": "main",
                "is_readable": True,
                "is_writeable": True,
            }
        ],
    }


@functools.cache
def seeded_runs() -> dict[str, JSON]:
    """Issue id -> the `autofix` object of the runs `data/seer.json` seeds."""
    runs: dict[str, JSON] = {}
    for row in load("seer")["runs"]:
        issue = dataset().issue_by_short_id(row["issue"])
        runs[issue.id] = _run(issue, row)
    return runs


def _started(issue: Issue, started: JSON) -> JSON:
    """A run this app started: its first step is under way."""
    first_step = {
        "key": "root_cause_analysis_processing",
        "title": "Analyzing the Issue",
        "type": "default",
        "status": "PROCESSING",
        "progress": ["Figuring out the root cause..."],
    }
    row = {"run_id": started["run_id"], "status": "PROCESSING", "minutes_ago": 0, "steps": [first_step]}
    return _run(issue, row | {"repo": f"acme/{issue.project_slug}"})


def get_autofix(store: Store, request: ApiRequest) -> ApiResponse:
    issue = get_issue(store, request)
    started = started_runs(store).get(issue.id)
    run = _started(issue, started) if started is not None else seeded_runs().get(issue.id)
    return ok({"autofix": run})
