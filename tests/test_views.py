"""Compact results: what an agent gets by default keeps the facts it needs and drops Sentry's UI noise;
``detail: 'full'`` and ``fields`` reach the raw object. All on the demo Sentry's data."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from sentry_agent_mcp.backends import demo_backend
from sentry_agent_mcp.catalog import CATALOG, Kind, Served
from sentry_agent_mcp.catalog.schema import input_schema
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import InvalidParamsError
from sentry_agent_mcp.executor import Executor
from sentry_agent_mcp.views import as_columns, select_fields, tidy
from sentry_agent_mcp.views.base import tidy_time
from sentry_agent_mcp.views.issues import ISSUE_ROW_FACTS

pytestmark = pytest.mark.anyio
ORG = {"organization_slug": "acme"}
NOISE = ("avatar", "avatarUrl", "features", "_meta", "options", "access", "stats", "entries", "activity")
FRACTIONAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+")


@pytest.fixture
async def executor() -> Any:
    ex = Executor(Settings(backend="demo", allow_writes=True), demo_backend())
    yield ex
    await ex.aclose()


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _keys(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            found |= _keys(item)
    elif isinstance(value, list):
        for item in value:
            found |= _keys(item)
    return found


async def test_issue_rows_keep_triage_facts_and_drop_noise(executor: Executor) -> None:
    args = {**ORG, "project_slug": "web", "limit": 25}
    page = await executor.execute("issues", "list", args)
    raw = await executor.execute("issues", "list", {**args, "detail": "full"})
    assert len(page["data"]) == 25 and "truncated" not in page["meta"]
    n = len(raw["data"])
    assert raw["meta"]["truncated"] is True and n < 25, "25 raw issues are over the 20,000-character budget"
    assert [i["shortId"] for i in raw["data"]] == [i["shortId"] for i in page["data"]][:n]
    for row, issue in zip(page["data"], raw["data"], strict=False):
        assert set(ISSUE_ROW_FACTS) <= set(row) <= {*ISSUE_ROW_FACTS, "assignee"}
        assert row["count"] == int(issue["count"]) and row["userCount"] == issue["userCount"]
        assert ("assignee" in row) == bool(issue.get("assignedTo"))
    assigned = {i["shortId"]: i["assignedTo"] for i in raw["data"] if i.get("assignedTo")}
    labels = {row["shortId"]: row.get("assignee") for row in page["data"] if row["shortId"] in assigned}
    assert any(a["type"] == "team" for a in assigned.values()) and any(a["type"] == "user" for a in assigned.values())
    for short_id, who in assigned.items():
        assert labels[short_id] == (f"#{who['name']}" if who["type"] == "team" else who["name"])
    assert not _keys(page) & set(NOISE)
    assert not FRACTIONAL_TIME.search(_text(page)), "timestamps keep seconds, not microseconds"
    assert len(_text(page["data"][:n])) * 5 < len(_text(raw["data"])), "a compact issue is a fraction of Sentry's"


async def test_one_issue_keeps_permalink_assignee_and_releases(executor: Executor) -> None:
    issue = await executor.execute("issues", "get", {**ORG, "issue_id": "WEB-1"})
    assert issue["shortId"] == "WEB-1" and issue["permalink"].endswith("/issues/6104218901/")
    assert issue["assignedTo"] == {"type": "team", "id": "11", "name": "frontend"}
    assert issue["firstRelease"]["version"] and issue["lastRelease"]["version"] == "frontend@2.3.1"
    assert issue["metadata"] == {"filename": "./src/components/Cart/CartSummary.tsx", "function": "CartSummary"}
    assert issue["firstSeen"] == "2026-01-31T14:45:00Z"
    assert not _keys(issue) & set(NOISE) and "tags" not in issue


async def test_event_is_a_stack_trace_summary(executor: Executor) -> None:
    target = {**ORG, "issue_id": "WEB-1", "event_id": "latest"}
    event = await executor.execute("issue_events", "get", target)
    raw = await executor.execute("issue_events", "get", {**target, "detail": "full"})
    assert event["eventID"] == raw["eventID"] and "entries" not in event and "entries" in raw
    (exc,) = event["exception"]
    assert exc["type"] == "QuotaExceededError" and "exceeded the quota" in exc["value"]
    assert exc["frames"][-1] == "./src/components/Cart/CartSummary.tsx:214 CartSummary", "innermost in-app frame last"
    assert all(re.match(r"^\S+:\d+ \S+$", frame) for frame in exc["frames"])
    assert exc["frames_omitted"] == 2, "library frames are counted, not shown"
    assert "214:   localStorage.setItem('sku', JSON.stringify(state));" in exc["context"]
    assert 2 <= len(exc["context"]) <= 4
    assert 0 < len(event["breadcrumbs"]) <= 5 and event["breadcrumbs"][-1].endswith("ui.click: button#checkout-submit")
    assert event["request"] == {"method": "GET", "url": "https://app.acme.example/search"}
    assert event["tags"]["browser"] == "Mobile Safari 18.1" and event["environment"] == "production"
    assert event["release"] == "frontend@2.3.1" and event["level"] == "warning"
    assert len(_text(event)) * 5 < len(_text(raw))


async def test_event_lists_are_summaries_and_full_true_adds_stack_traces(executor: Executor) -> None:
    args = {**ORG, "issue_id": "WEB-1", "limit": 2}
    light = await executor.execute("issue_events", "list", args)
    full = await executor.execute("issue_events", "list", {**args, "full": True})
    assert all("exception" not in e and e["eventID"] and e["release"] for e in light["data"])
    assert all(e["exception"][0]["frames"] for e in full["data"])


async def test_detail_full_is_sentrys_raw_object(executor: Executor) -> None:
    target = {**ORG, "project_slug": "web"}
    raw = await executor.execute("projects", "get", {**target, "detail": "full"})
    direct = await executor.backend.execute(CATALOG["projects", "get"], CATALOG["projects", "get"].params(**target))
    assert raw == direct and "features" in raw and "options" in raw
    compact = await executor.execute("projects", "get", target)
    assert compact["slug"] == "web" and compact["latestRelease"] == {"version": "frontend@2.4.0"}
    assert "features" not in compact and "options" not in compact and "avatar" not in compact


async def test_fields_projects_dotted_paths_of_the_raw_object(executor: Executor) -> None:
    issue = await executor.execute(
        "issues", "get", {**ORG, "issue_id": "WEB-1", "fields": ["shortId", "metadata.type", "project.slug", "nope.x"]}
    )
    assert issue == {"shortId": "WEB-1", "metadata": {"type": "QuotaExceededError"}, "project": {"slug": "web"}}
    page = await executor.execute(
        "events", "list", {**ORG, "project_slug": "web", "limit": 3, "fields": "eventID,event.type,tags.key"}
    )
    assert len(page["data"]) == 3 and page["meta"]["has_more"] is True
    for row in page["data"]:
        assert set(row) == {"eventID", "event.type", "tags"}, "a key with a dot in it is found whole"
        assert row["tags"] and all(set(tag) == {"key"} for tag in row["tags"]), "lists apply the path to each item"


async def test_bad_view_options_name_the_field(executor: Executor) -> None:
    with pytest.raises(InvalidParamsError) as info:
        await executor.execute("issues", "get", {**ORG, "issue_id": "WEB-1", "detail": "everything"})
    assert info.value.errors[0]["field"] == "detail"
    with pytest.raises(InvalidParamsError, match="fields"):
        await executor.execute("issues", "get", {**ORG, "issue_id": "WEB-1", "fields": []})
    with pytest.raises(InvalidParamsError, match=r"Valid params: .*fields, detail"):
        await executor.execute("issues", "get", {**ORG, "issue_id": "WEB-1", "field": ["id"]})
    with pytest.raises(InvalidParamsError, match="detail: unknown parameter"):
        await executor.execute("issues", "update", {**ORG, "issue_id": "WEB-1", "status": "resolved", "detail": "full"})


async def test_every_read_gets_a_compact_result_without_noise(executor: Executor) -> None:
    """Pairs with a declared view and the generic one alike: no avatars, feature lists or option blobs."""
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("organizations", "get", ORG),
        ("users", "me", {}),
        ("teams", "get", {**ORG, "team_slug": "backend"}),
        ("members", "list", ORG),
        ("projects", "list", {}),
        ("releases", "get", {**ORG, "version": "frontend@2.4.0"}),
        ("release_commits", "list", {**ORG, "version": "frontend@2.4.0"}),
        ("monitors", "list", ORG),
        ("replays", "list", ORG),
        ("user_feedback", "list", {**ORG, "project_slug": "web"}),
        ("alert_rules", "list", ORG),
        ("detectors", "list", ORG),
    ]
    for entity, action, params in calls:
        result = await executor.execute(entity, action, params)
        assert result, (entity, action)
        assert not _keys(result) & {"avatar", "avatarUrl", "features", "access", "options", "_meta"}, (entity, action)
    members = await executor.execute("members", "list", ORG)
    assert all(m["user"]["id"] and m["email"] for m in members["data"] if not m.get("pending"))


def test_tool_schemas_leave_view_options_to_the_instructions_and_describe_spells_them_out() -> None:
    pair = CATALOG["issues", "get"]
    listed = input_schema(pair, view_options=False)
    described = input_schema(pair)
    assert "fields" not in listed["properties"] and "additionalProperties" not in listed
    assert described["properties"]["detail"]["enum"] == ["compact", "full"]
    assert described["properties"]["fields"]["type"] == "array"
    takes = {p.tool_name for p in CATALOG.values() if p.takes_view_options}
    assert "sentry_issues_update" not in takes and "sentry_issues_context_store_search" not in takes
    assert {p.tool_name for p in CATALOG.values() if Served.DIRECT in p.served_by and p.kind is not Kind.WRITE} <= takes


def test_select_fields_and_tidy_units() -> None:
    obj = {"a": {"b": 1, "c": 2}, "list": [{"x": 1, "y": 2}, {"x": 3}], "k.with.dots": 5, "n": None}
    assert select_fields(obj, ["a.b", "list.x", "k.with.dots", "missing"]) == {
        "a": {"b": 1},
        "list": [{"x": 1}, {"x": 3}],
        "k.with.dots": 5,
    }
    assert select_fields(obj, ["a.b", "a.c"]) == {"a": {"b": 1, "c": 2}}
    assert tidy({"n": None, "e": [], "d": {}, "s": "", "zero": 0, "no": False, "_meta": {"x": 1}}) == {
        "zero": 0,
        "no": False,
    }
    assert tidy_time("2026-02-15T08:07:00.408000Z") == "2026-02-15T08:07:00Z"
    assert tidy_time("2026-02-15T08:07:00.4+02:00") == "2026-02-15T08:07:00+02:00"
    assert tidy_time("frontend@2.4.0") == "frontend@2.4.0"


def test_column_wise_lists_take_every_key_in_first_seen_order_and_leave_other_results_alone() -> None:
    page = {"data": [{"id": "1", "title": "A"}, {"id": "2", "level": "error"}], "meta": {"has_more": False}}
    assert as_columns(page) == {
        "columns": ["id", "title", "level"],
        "data": [["1", "A", None], ["2", None, "error"]],
        "meta": {"has_more": False},
    }
    empty = {"data": [], "meta": {"has_more": False, "next_cursor": None}}
    assert as_columns(empty) == empty
    assert as_columns({"id": "1", "data": "not a list"}) == {"id": "1", "data": "not a list"}
    assert as_columns({"data": ["a", "b"]}) == {"data": ["a", "b"]}  # rows that are not objects stay as they are
