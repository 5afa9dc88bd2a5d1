"""The MCP surface in memory (the SDK's ``Client(server)``), both protocol eras, over the demo Sentry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client, MCPError
from mcp.types import CallToolResult, TextContent

from sentry_agent_mcp.catalog import CATALOG, Served
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.mcp_tools import GENERIC_TOOLS
from sentry_agent_mcp.views.issues import ISSUE_ROW_FACTS

from conftest import SEED_TOOLS, fresh_python

pytestmark = pytest.mark.anyio


def _server(**settings: Any) -> SentryMCPServer:
    return SentryMCPServer(Settings(backend="demo", **settings))


def _text(result: CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_tools_list_is_the_catalog_with_honest_annotations(mode: str) -> None:
    async with Client(_server(), mode=mode) as client:  # type: ignore[arg-type]
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    direct_pairs = {p.tool_name for p in CATALOG.values() if Served.DIRECT in p.served_by and p.read_only}
    assert set(tools) >= SEED_TOOLS
    assert set(tools) == direct_pairs | set(GENERIC_TOOLS)
    assert not any("context_store_search" in name for name in tools)
    for tool in tools.values():
        hints = tool.annotations
        assert hints is not None
        values = (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint, hints.open_world_hint)
        assert None not in values, tool.name
        assert hints.read_only_hint is True and hints.destructive_hint is False, tool.name
        assert tool.description and tool.input_schema["type"] == "object"
        assert tool.title and tool.title[0].isupper(), tool.name


async def test_a_list_call_returns_the_envelope_as_text_and_structured_content() -> None:
    async with Client(_server()) as client:
        result = await client.call_tool(
            "sentry_issues_list", {"organization_slug": "acme", "project_slug": "web", "limit": 3}
        )
    assert not result.is_error
    data = json.loads(_text(result))
    assert data == result.structured_content
    assert len(data["data"]) == 3
    assert data["meta"]["has_more"] is True and data["meta"]["next_cursor"]
    assert all(set(ISSUE_ROW_FACTS) <= set(issue) for issue in data["data"])


async def test_get_by_short_id_and_sentry_execute_give_the_same_object() -> None:
    async with Client(_server()) as client:
        page = await client.call_tool(
            "sentry_issues_list", {"organization_slug": "acme", "project_slug": "web", "limit": 1}
        )
        short_id = page.structured_content["data"][0]["shortId"]  # type: ignore[index]
        direct = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": short_id})
        generic = await client.call_tool(
            "sentry_execute",
            {"entity": "issues", "action": "get", "params": {"organization_slug": "acme", "issue_id": short_id}},
        )
    assert not direct.is_error and not generic.is_error
    assert direct.structured_content == generic.structured_content
    assert direct.structured_content["shortId"] == short_id  # type: ignore[index]


async def test_bad_params_are_an_error_result_naming_valid_params() -> None:
    async with Client(_server()) as client:
        result = await client.call_tool("sentry_issues_list", {"organization_slug": "acme", "project": "web"})
    assert result.is_error
    text = _text(result)
    assert "project: unknown parameter" in text
    assert "Valid params: organization_slug*, project_slug, query" in text
    assert result.structured_content["error"]["type"] == "invalid_params"  # type: ignore[index]


async def test_sentry_404_is_an_error_result_with_status_detail_and_hint() -> None:
    async with Client(_server()) as client:
        result = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": "NOPE-999"})
    assert result.is_error
    text = _text(result)
    assert "HTTP 404" in text and "does not exist" in text and "sentry_issues_list" in text


async def test_unknown_tool_is_a_protocol_error() -> None:
    async with Client(_server()) as client:
        with pytest.raises(MCPError) as info:
            await client.call_tool("sentry_issues_delete", {})
    assert info.value.error.code == -32602


async def test_sentry_execute_explains_unknown_pairs_and_hosted_only_pairs() -> None:
    async with Client(_server()) as client:
        unknown = await client.call_tool("sentry_execute", {"entity": "isues", "action": "list"})
        hosted = await client.call_tool(
            "sentry_execute", {"entity": "issues", "action": "context_store_search", "params": {"query": {}}}
        )
        not_object = await client.call_tool("sentry_execute", {"entity": "issues", "action": "list", "params": "web"})
    assert unknown.is_error and "Valid entities:" in _text(unknown) and "issues" in _text(unknown)
    assert hosted.is_error and "hosted" in _text(hosted)
    assert not_object.is_error and "must be an object" in _text(not_object)


async def test_execute_mode_lists_only_execute_and_describe() -> None:
    async with Client(_server(tools="execute")) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        catalog = await client.call_tool("sentry_describe", {})
        one = await client.call_tool("sentry_describe", {"entity": "releases", "action": "get"})
        with pytest.raises(MCPError):
            await client.call_tool("sentry_issues_list", {"organization_slug": "acme", "project_slug": "web"})
        via_execute = await client.call_tool("sentry_execute", {"entity": "projects", "action": "list", "params": {}})
    assert names == {"sentry_execute", "sentry_describe"}
    pairs = {(p["entity"], p["action"]) for p in catalog.structured_content["pairs"]}  # type: ignore[index]
    assert ("issues", "list") in pairs and ("issues", "context_store_search") not in pairs
    assert one.structured_content["params"]["required"] == ["organization_slug", "version"]  # type: ignore[index]
    assert not via_execute.is_error


async def test_entity_filter_and_scoping_defaults() -> None:
    async with Client(_server(tools="issues, events", org="acme", project="web")) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        result = await client.call_tool("sentry_issues_list", {"limit": 2})
    assert set(tools) == {
        "sentry_issues_list",
        "sentry_issues_get",
        "sentry_events_list",
        "sentry_events_get",
        *GENERIC_TOOLS,
    }
    assert "required" not in tools["sentry_issues_list"].input_schema
    assert "Defaults to 'web'" in tools["sentry_issues_list"].input_schema["properties"]["project_slug"]["description"]
    assert not result.is_error and len(result.structured_content["data"]) == 2  # type: ignore[index]


def test_the_call_path_is_imported_in_the_background_after_tools_list_not_at_startup() -> None:
    """Startup stays lean (no HTTP client before any tool is listed), yet the first call finds them loaded."""
    code = (
        "import sys, anyio\n"
        "from mcp import Client\n"
        "from sentry_agent_mcp.config import Settings\n"
        "from sentry_agent_mcp.mcp_server import SentryMCPServer\n"
        "CALL_PATH = ('sentry_agent_mcp.backends.http_client', 'sentry_agent_mcp.backends.direct',\n"
        "             'sentry_agent_mcp.executor',\n"
        "             'sentry_agent_mcp.catalog')\n"
        "async def main():\n"
        "    async with Client(SentryMCPServer(Settings(backend='demo'))) as client:\n"
        "        early = [m for m in CALL_PATH if m in sys.modules]\n"
        "        assert not early, early\n"
        "        await client.list_tools()\n"
        "        for _ in range(200):\n"
        "            if all(m in sys.modules for m in CALL_PATH):\n"
        "                return\n"
        "            await anyio.sleep(0.05)\n"
        "        raise SystemExit('not imported 10 s after tools/list')\n"
        "anyio.run(main)\n"
    )
    fresh_python(code)
