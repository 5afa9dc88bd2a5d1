"""The soak in per-user stateless mode with 2 workers (bench/soak.py --per-user --workers 2), CI-sized: each
client is one demo user, and no answer may hold what its caller cannot see (bench/soak_users.py)."""

from __future__ import annotations

from pathlib import Path

from mcp.types import CallToolResult, TextContent

from sentry_demo import dataset
from soak import Report, Request, _judge, run
from soak_users import Visibility, user_of_client


def test_demo_users_through_two_stateless_workers_see_only_their_own_projects(tmp_path: Path) -> None:
    report = run(clients=6, calls=90, fault_rate=0.1, seed=5, workdir=tmp_path, workers=2, per_user=True)
    assert report.calls == 90
    assert not report.problems, report.problems[:10]
    assert report.ok and report.cross_user == 0
    assert report.refused > 0, "Bob and Dmitri asked for other teams' objects and were refused"
    assert report.matched > 0


def test_the_judge_counts_an_answer_about_a_hidden_project_as_cross_user() -> None:
    """The check is not vacuous: Bob (api, worker) answered with a web issue, by any request, is caught."""
    bob = Visibility.of(user_of_client(1))
    web_issue = next(issue for issue in dataset().issues if issue.project_slug == "web")
    api_issue = next(issue for issue in dataset().issues if issue.project_slug == "api")
    leaked = {"id": web_issue.id, "shortId": web_issue.short_id, "project": {"id": "4501", "slug": "web"}}
    answer = CallToolResult(content=[TextContent(type="text", text="{}")], structured_content=leaked)
    asked = Request("sentry_issues_get", {"issue_id": api_issue.id}, "id", api_issue.id, "api")
    report = Report(clients=1, calls=1)
    _judge(answer, asked, report, bob)
    assert report.cross_user == 1 and report.matched == 0 and "project web" in report.problems[0]
    own = CallToolResult(content=[], structured_content={"id": api_issue.id, "project": {"slug": "api"}})
    _judge(own, asked, report, bob)
    assert report.matched == 1 and report.cross_user == 1
