"""Fuzzing every tool through the real MCP server (a CI-sized sample of bench/fuzz.py).

Inputs come from each tool's JSON input schema plus hostile mutations; each call must end with data or
a clear ``isError`` result, contact only the configured host, and reach only its own routes.
"""

from __future__ import annotations

import itertools

from fuzz import CANARY, PATH_TRICKS, Stats, fuzzer, run
from sentry_agent_mcp.catalog import CATALOG
from sentry_demo import DEMO_TOKEN, DemoSentryServer

CALLS = 400


def test_fuzzed_calls_all_end_in_data_or_a_clear_error() -> None:
    stats, logged_errors, _ = run(CALLS, seed_value=None, derandomize=True)
    assert stats.calls >= CALLS
    assert not logged_errors, logged_errors[:5]
    assert len(stats.hosts) == 1, stats.hosts
    # Over-long errors (echoed input) are asserted by the xfail test below until the echo is fixed.
    # Not vacuous: a good share of calls reached Sentry and came back with data, others were refused.
    assert stats.upstream_requests > 40 and stats.outcomes["data"] > 20, stats.outcomes
    assert stats.outcomes["error:invalid_params"] > 100, stats.outcomes


def test_path_tricks_in_every_path_param_stay_in_their_segment() -> None:
    """Each path param of each pair gets each trick (``..``, ``%2F``, ``a/b``, a URL...): answers are clear,
    and Sentry sees only the pair's own route, never a dot segment, never another host."""
    stats = Stats()
    with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY]) as demo, fuzzer(demo, stats) as (fz, tools):
        listed = {tool.name for tool in tools}
        for pair in CATALOG.values():
            if pair.tool_name not in listed:
                continue
            for route, trick in itertools.product(pair.routes, PATH_TRICKS):
                for name in route.path_params:
                    args = {p: "acme" if p == "organization_slug" else "web" for p in route.path_params}
                    others = [p for p in pair.required_fields() if p not in args]
                    args.update({p: ["title"] if p == "field" else "x" for p in others})
                    args[name] = trick
                    fz.check(pair.tool_name, args)
                    fz.check("sentry_execute", {"entity": pair.entity, "action": pair.action, "params": args})
    assert stats.calls > 500 and stats.upstream_requests > 100, (stats.calls, stats.upstream_requests)


def test_unknown_names_are_not_echoed_at_any_length() -> None:
    stats = Stats()
    with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY]) as demo, fuzzer(demo, stats) as (fz, _):
        fz.check("sentry_execute", {"entity": "issues", "action": "A" * 20_000})
        fz.check("sentry_execute", {"entity": "é" * 20_000, "action": "get"})
        fz.check("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A", "k" * 20_000: 1})
        fz.check("sentry_execute", {"entity": "issues", "action": "get", "k" * 20_000: 1})
    assert not stats.oversized, stats.oversized
