"""Traces, profiles, Seer, dashboards and attachments: the demo's answers conform to Sentry's OpenAPI spec, and
the views that shape them stay small and end quickly whatever an upstream sends (30k sibling spans, a deep tree,
parent ids in a circle, wrong types everywhere)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx2
import pytest

from sentry_agent_mcp.catalog.attachments import MAX_TEXT_BYTES, is_text_type, not_small_text
from sentry_agent_mcp.views import fit_object, size_of
from sentry_agent_mcp.views.dashboards import dashboard_summary
from sentry_agent_mcp.views.profiles import profile_summary
from sentry_agent_mcp.views.seer import autofix_summary
from sentry_agent_mcp.views.traces import MAX_CHARS, MAX_DEPTH, MAX_SHOWN, TRACE, trace_summary
from sentry_demo import dataset
from sentry_demo.attachment_data import attachments_of
from sentry_demo.trace_data import profiled_events, trace_id_of
from test_demo_openapi import ORG, PROJ, assert_conforms, fetch

QUICK = 10.0
"""Seconds any hostile shape may take to summarise. Generous, for a loaded CI machine (30k spans take
well under 1 s at load average 4 on 2 cores); what it catches is a walk that never ends or goes quadratic (hours)."""


def span(n: int, children: list[Any] | None = None) -> dict[str, Any]:
    return {"event_id": f"{n:016x}", "op": "db", "description": f"q{n}", "duration": n % 97, "children": children or []}


def timed(summary: Any, obj: Any) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    out = summary(obj)
    return out, time.perf_counter() - started


def assert_small(out: dict[str, Any]) -> None:
    assert len(out.get("tree", [])) <= MAX_SHOWN + MAX_DEPTH
    assert sum(len(line) for line in out.get("tree", [])) <= MAX_CHARS
    assert size_of(out) < 20_000


@pytest.mark.anyio
async def test_the_new_demo_routes_conform_to_the_spec(client: httpx2.AsyncClient) -> None:
    for short_id in ("WEB-1", "API-1", "WEB-2", "IOS-1"):
        issue = next(i for i in dataset().issues if i.short_id == short_id)
        trace_id = trace_id_of(dataset().events[issue.event_ids[-1]])
        spans = await fetch(client, f"/api/0/organizations/acme/trace/{trace_id}/")
        assert spans, short_id
        assert_conforms("GET", f"{ORG}/trace/{{trace_id}}/", spans)
        meta = await fetch(client, f"/api/0/organizations/acme/trace-meta/{trace_id}/")
        assert_conforms("GET", f"{ORG}/trace-meta/{{trace_id}}/", meta)
        autofix = await fetch(client, f"/api/0/organizations/acme/issues/{issue.id}/autofix/")
        assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/autofix/", autofix)
    assert await fetch(client, f"/api/0/organizations/acme/trace/{'0' * 32}/?statsPeriod=24h") == []
    dashboards = await fetch(client, "/api/0/organizations/acme/dashboards/")
    assert_conforms("GET", f"{ORG}/dashboards/", dashboards)
    for board in dashboards:
        detail = await fetch(client, f"/api/0/organizations/acme/dashboards/{board['id']}/")
        assert_conforms("GET", f"{ORG}/dashboards/{{dashboard_id}}/", detail)
    for event_id, profile_id in profiled_events().items():
        project = dataset().events[event_id].project_slug
        found = await fetch(client, f"/api/0/projects/acme/{project}/profiling/profiles/{profile_id}/")
        assert_conforms("GET", f"{PROJ}/profiling/profiles/{{profile_id}}/", found)
    events = {a.event for e in dataset().events.values() for a in attachments_of(e)}
    assert len(events) >= 2
    for event in events:
        base = f"/api/0/projects/acme/{event.project_slug}/events/{event.id}/attachments/"
        listed = await fetch(client, base)
        assert_conforms("GET", f"{PROJ}/events/{{event_id}}/attachments/", listed)
        for row in listed:
            one = await fetch(client, f"{base}{row['id']}/")
            assert_conforms("GET", f"{PROJ}/events/{{event_id}}/attachments/{{attachment_id}}/", one)
            download = await client.get(f"{base}{row['id']}/?download=")
            assert download.headers["content-type"] == row["mimetype"] and len(download.content) == row["size"]


def test_a_trace_of_30k_spans_is_summarised_quickly_and_small() -> None:
    """30,000 siblings: enough that anything quadratic would take minutes instead of a fraction of a second."""
    wide = [span(0, [span(n) for n in range(1, 30_001)])]
    out, took = timed(trace_summary, {"spans": wide})
    assert took < QUICK and out["counts"]["spans"] == 30_001
    assert_small(out)
    assert out["tree"][1] == "  db q96 96ms", "the slowest children come first (the earliest of equals)"
    assert out["spans_not_shown"] == 30_001 - len(out["tree"])


def test_a_deep_tree_is_cut_at_the_shown_depth() -> None:
    deep: dict[str, Any] = span(0)
    node = deep
    for n in range(1, 20_000):  # far past Python's recursion limit
        child = span(n)
        node["children"] = [child]
        node = child
    node["errors"] = [{"event_id": "e" * 32, "short_id": "API-9", "level": "error", "description": "deep"}]
    out, took = timed(trace_summary, {"spans": [deep]})
    assert took < QUICK and out["counts"]["spans"] == 20_000
    assert_small(out)
    assert max(len(line) - len(line.lstrip()) for line in out["tree"]) <= 2 * MAX_DEPTH
    assert out["issues"][0]["issue"] == "API-9", "an error below the shown depth still appears in the issues"


def test_parent_ids_in_a_circle_end() -> None:
    """Top-level spans are re-attached under their parent_span_id, unless that would close a cycle."""
    a = span(1) | {"parent_span_id": f"{2:016x}", "duration": 901}
    b = span(2) | {"parent_span_id": f"{1:016x}", "duration": 902}
    c = span(3) | {"parent_span_id": f"{3:016x}", "duration": 903}
    d = span(4) | {"parent_span_id": f"{1:016x}", "duration": 904}
    many = [span(n) | {"parent_span_id": f"{n + 1:016x}"} for n in range(10, 5_000)]
    out, took = timed(trace_summary, {"spans": [a, b, c, d, *many]})
    assert took < QUICK and out["counts"]["spans"] == 4 + len(many)
    assert_small(out)
    nested = [line.strip() for line in out["tree"] if line.startswith("  ")]
    assert "db q2 902ms" in nested or "db q1 901ms" in nested, "one of the pair went under the other"
    assert "db q4 904ms" in nested, "a root whose parent is known goes under it"
    assert "db q3 903ms [?]" not in nested and any(line.startswith("db q3 903ms") for line in out["tree"])


def test_garbage_in_a_trace_is_skipped() -> None:
    spans: list[Any] = [
        1,
        "x",
        None,
        {"children": "nope", "duration": True, "errors": [1, {"event_id": 5}]},
        {"event_type": "error", "event_id": "f" * 32, "short_id": "WEB-9", "description": "standalone"},
        {"children": [None, [], {"op": {"nested": 1}, "start_timestamp": "a", "end_timestamp": 2.0}]},
    ]
    out = TRACE.apply({"spans": spans, "meta": {"spansCount": "many", "spansCountMap": {"db": "x", "http": 3}}})
    assert any(i.get("issue") == "WEB-9" for i in out["issues"]) and out["counts"]["ops"] == {"http": 3}
    assert TRACE.apply({"spans": "nope", "meta": None})["note"]
    assert TRACE.apply({"spans": [], "meta_error": "HTTP 404"})["meta_error"] == "HTTP 404"


def test_a_huge_trace_in_full_still_fits_the_budget() -> None:
    raw = {"spans": [span(0, [span(n) for n in range(1, 5_000)])], "meta": {"spansCount": 5_000}}
    assert size_of(fit_object(json.loads(json.dumps(raw)), 20_000)) <= 20_000


def test_hostile_profiles_end_quickly() -> None:
    frames = [{"function": f"f{n}", "module": "m", "lineno": n, "in_app": n % 2 == 0} for n in range(100)]
    profile = {
        "samples": [
            {"stack_id": n % 7, "thread_id": "1", "elapsed_since_start_ns": n * 10_000_000} for n in range(200_000)
        ]
        + [{"stack_id": 99}, {"stack_id": True}, "x"],
        "stacks": [list(range(100)) * 100, [5, -1, 10**9, "a", True], "bad", [], [3], [0, 1], [2]],
        "frames": frames,
    }
    obj = {"event_id": "a" * 32, "transaction": {"active_thread_id": "1"}, "profile": profile}
    out, took = timed(profile_summary, obj)
    assert took < QUICK and out["samples"] == 200_000
    assert out["hot_frames"][0]["frame"] == "m:0 f0" and out["sample_interval_ms"] == 10.0
    assert len(out["hot_frames"]) <= 12 and size_of(out) < 5_000
    assert profile_summary({"profile": {"samples": "x", "stacks": None}})["samples"] == 0
    assert profile_summary({})["samples"] == 0


def test_seer_and_dashboards_tolerate_odd_shapes() -> None:
    assert autofix_summary({"autofix": None})["status"] == "NOT_STARTED"
    odd = {"autofix": {"status": 3, "steps": [1, {"type": "root_cause_analysis", "causes": "x"}, {"type": "solution"}]}}
    assert autofix_summary(odd)["steps"][0].endswith(": None")
    explorer = {"autofix": {"status": "completed", "blocks": [{"artifacts": [{"key": "root_cause", "data": None}]}]}}
    assert "root_cause" in autofix_summary(explorer)
    board = dashboard_summary({"widgets": [{"queries": "x"}, *[{"title": "w"}] * 80, 5], "createdBy": "me"})
    assert len(board["widgets"]) == 50 and board["widgets_not_shown"] == 32


def test_which_attachments_are_downloaded() -> None:
    assert is_text_type("text/plain; charset=utf-8") and is_text_type("application/vnd.api+json")
    assert not is_text_type("image/png") and not is_text_type(None) and not is_text_type(7)
    assert not_small_text({"mimetype": "text/plain", "size": 10}) is None
    assert "not a text file" in str(not_small_text({"mimetype": "application/octet-stream", "size": 10}))
    assert "over the" in str(not_small_text({"mimetype": "text/plain", "size": MAX_TEXT_BYTES + 1}))
    assert "unknown size" in str(not_small_text({"mimetype": "text/plain", "size": True}))
    assert not_small_text("garbage") is not None
