"""Issue 13's discoverability and leaner answers, through an MCP client on the demo backend: every tool has a
title, ``sentry_describe`` is listed in every tool mode and explains ``fields``/``detail``, the search syntax
is on the ``query`` params, and a list without ``limit`` returns the default page with a cursor to the rest."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
from mcp import Client

from sentry_agent_mcp.catalog import CATALOG, Kind
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.mcp_tools import DESCRIBE_TOOL, GENERIC_TOOLS
from sentry_agent_mcp.tool_spec import DEFAULT_LIMIT, tool_title

from conftest import PYTHON

pytestmark = pytest.mark.anyio
ORG = {"organization_slug": "acme"}


def _server(**settings: Any) -> SentryMCPServer:
    return SentryMCPServer(Settings(backend="demo", **settings))


@pytest.mark.parametrize("mode", ["all", "execute", "issues,releases"])
async def test_every_mode_lists_sentry_describe_and_every_tool_has_a_title(mode: str) -> None:
    async with Client(_server(tools=mode, allow_writes=True)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        described = await client.call_tool(DESCRIBE_TOOL, {})
    assert set(GENERIC_TOOLS) <= set(tools)
    assert all(tool.title for tool in tools.values()), [name for name, tool in tools.items() if not tool.title]
    text = tools[DESCRIBE_TOOL].description or ""
    assert "detail='full'" in text and "fields=" in text and str(DEFAULT_LIMIT) in text
    entities = {pair["entity"] for pair in described.structured_content["pairs"]}  # type: ignore[index]
    assert entities == ({"issues", "releases"} if mode == "issues,releases" else {e for e, _ in CATALOG})


async def test_titles_are_derived_unless_a_pair_names_its_own() -> None:
    async with Client(_server(allow_writes=True)) as client:
        titles = {tool.name: tool.title for tool in (await client.list_tools()).tools}
    assert titles["sentry_issues_list"] == "List issues" and titles["sentry_project_detail_get"] == "Get project detail"
    assert titles["sentry_issues_update"] == "Update issue"
    for pair in CATALOG.values():
        if pair.tool_name in titles:
            assert titles[pair.tool_name] == pair.title
    named = [p for p in CATALOG.values() if p.title != tool_title(p.entity, p.action)]
    assert {p.key for p in named} >= {("users", "me"), ("discover", "query")}, "a pair may name its own title"
    assert len({titles[name] for name in titles}) == len(titles), "no two tools share a title"


async def test_query_params_of_search_pairs_spell_out_sentrys_search_syntax() -> None:
    async with Client(_server()) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    issues = tools["sentry_issues_list"].input_schema["properties"]["query"]["description"]
    for term in ("is:unresolved", "level:error", "release:", "has:", "assigned:me", "firstSeen:-24h"):
        assert term in issues, term
    for name in ("sentry_discover_query", "sentry_issue_events_list"):
        events = tools[name].input_schema["properties"]["query"]["description"]
        assert "level:error" in events and "has:" in events and "release:" in events, name


async def test_a_list_without_limit_returns_the_default_page_and_pages_on_to_every_row() -> None:
    lists = [p for p in CATALOG.values() if p.kind is Kind.LIST]
    without_limit = [p.tool_name for p in lists if "limit" not in p.params.model_fields]
    assert not without_limit, "a list capped at the default page must let the agent ask for more"
    async with Client(_server(max_result_chars=1_000_000)) as client:  # no budget cut: the whole list in one call
        seen: list[str] = []
        cursor = None
        for _ in range(20):
            args = {**ORG, "query": "", **({"cursor": cursor} if cursor else {})}
            page = (await client.call_tool("sentry_issues_list", args)).structured_content
            assert page is not None and len(page["data"]) <= DEFAULT_LIMIT
            seen += [row["shortId"] for row in page["data"]]
            if not page["meta"]["has_more"]:
                break
            cursor = page["meta"]["next_cursor"]
        everything = (
            await client.call_tool("sentry_issues_list", {**ORG, "query": "", "limit": 500})
        ).structured_content
    assert everything is not None and len(everything["data"]) > DEFAULT_LIMIT
    assert seen == [row["shortId"] for row in everything["data"]], "the default pages add up to the whole list"


async def test_a_list_sentry_answers_in_one_page_is_cut_by_limit_and_pages_on() -> None:
    """Org tags come in one page from Sentry (no per_page): ``limit`` and ``cursor`` still work, applied here."""
    async with Client(_server()) as client:
        whole = (await client.call_tool("sentry_tags_list", {**ORG, "limit": 500})).structured_content
        first = (await client.call_tool("sentry_tags_list", {**ORG, "limit": 3})).structured_content
        assert whole is not None and first is not None and len(whole["data"]) > 3
        rest = (
            await client.call_tool("sentry_tags_list", {**ORG, "limit": 500, "cursor": first["meta"]["next_cursor"]})
        ).structured_content
    assert rest is not None and first["meta"]["has_more"] and not rest["meta"]["has_more"]
    assert first["data"] + rest["data"] == whole["data"]


def test_the_walkthrough_reads_the_lean_rows_and_ends_done() -> None:
    """``make demo`` prints what the agent sees: it must keep working with the rows of README "Results"."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "AIRBYTE_"))}
    done = subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", "demo"], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 0 and done.stdout.rstrip().endswith("Done."), done.stdout[-2000:] + done.stderr[-2000:]
