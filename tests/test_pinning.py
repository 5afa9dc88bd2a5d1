"""Pinned endpoints (README "Pinning a session to an organization or project"), through real HTTP.

One server process (streamable HTTP, bearer token on, against the demo Sentry) serves every test here
but the stateless one; clients are the SDK's own, or raw POSTs where the HTTP answer itself is the point.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.types import CallToolResult

from sentry_agent_mcp.catalog import CATALOG, Kind
from sentry_agent_mcp.pinning import ABOVE_PROJECT_FIELDS, Pin, project_fields, refusal
from sentry_agent_mcp.tool_spec import tool_name
from sentry_demo import DemoSentryServer

from conftest import server_env
from e2e import INITIALIZE, MCP_HEADERS, http_server

pytestmark = pytest.mark.anyio
HTTP_TOKEN = "mcp-http-token-pinning-7c1e5a9b3d2f4e6a8b0c"
BEARER = {"Authorization": f"Bearer {HTTP_TOKEN}"}
PROJECT_FIELD = {"fields": ["project.slug"]}


@pytest.fixture(scope="module")
def port(demo_sentry: DemoSentryServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    with http_server("streamable-http", env, tmp_path_factory.mktemp("pinning") / "server.log") as port:
        yield port


@asynccontextmanager
async def client_on(port: int, path: str) -> AsyncIterator[Client]:
    http = create_mcp_http_client(headers=BEARER)
    async with http, Client(streamable_http_client(f"http://127.0.0.1:{port}{path}", http_client=http)) as client:
        yield client


def error_type(result: CallToolResult) -> str:
    assert result.is_error, result.content
    return str((result.structured_content or {})["error"]["type"])


def data(result: CallToolResult) -> list[dict[str, Any]]:
    assert not result.is_error, result.content
    return list((result.structured_content or {})["data"])


async def test_left_out_organization_and_project_come_from_the_pin(port: int) -> None:
    async with client_on(port, "/mcp/acme/web") as client:
        project = await client.call_tool("sentry_project_detail_get", {})
        assert (project.structured_content or {})["slug"] == "web"
        events = data(await client.call_tool("sentry_events_list", {"limit": 3}))
        assert events
        via_execute = await client.call_tool("sentry_execute", {"entity": "project_detail", "action": "get"})
        assert (via_execute.structured_content or {})["slug"] == "web"
    async with client_on(port, "/mcp/acme") as client:  # the organization only: a project is named freely
        api = await client.call_tool("sentry_project_detail_get", {"project_slug": "api"})
        assert (api.structured_content or {})["slug"] == "api"


async def test_another_organization_or_project_is_refused(port: int, demo_sentry: DemoSentryServer) -> None:
    async with client_on(port, "/mcp/acme/web") as client:
        elsewhere = f"{demo_sentry.url}/organizations/globex/issues/123/"  # a Sentry URL names its organization
        for name, arguments in (
            ("sentry_issues_get", {"issue_id": elsewhere}),
            ("sentry_resources_get", {"url": elsewhere}),
        ):
            assert error_type(await client.call_tool(name, arguments)) == "pinned_scope", name
        other_org = await client.call_tool("sentry_issues_get", {"organization_slug": "globex", "issue_id": "WEB-1A"})
        assert error_type(other_org) == "pinned_scope"
        text = other_org.content[0].text  # type: ignore[union-attr]
        assert "globex" in text and "pinned to organization 'acme', project 'web'" in text and "Hint:" in text
        for project in ("api", "4501"):  # another project, or an id where the pin is a slug
            refused = await client.call_tool("sentry_events_list", {"project_slug": project})
            assert error_type(refused) == "pinned_scope"
        via_execute = await client.call_tool(
            "sentry_execute", {"entity": "issues", "action": "list", "params": {"project_slug": "api"}}
        )
        assert error_type(via_execute) == "pinned_scope"
        same = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A"})
        assert not same.is_error  # naming the pinned values is fine


async def test_an_organization_wide_list_on_a_project_pin_returns_only_that_project(port: int) -> None:
    async with client_on(port, "/mcp/acme/web") as client:
        issues = data(await client.call_tool("sentry_issues_list", {"query": "", "limit": 100, **PROJECT_FIELD}))
        assert issues and {issue["project"]["slug"] for issue in issues} == {"web"}
        # lists and writes that reach the whole organization and take no project are refused, named or not
        for name in ("sentry_teams_list", "sentry_projects_list", "sentry_organizations_list"):
            assert error_type(await client.call_tool(name, {})) == "pinned_scope"
        via_execute = await client.call_tool("sentry_execute", {"entity": "members", "action": "list"})
        assert error_type(via_execute) == "pinned_scope"
    async with client_on(port, "/mcp/acme") as client:  # unpinned project: the whole organization
        issues = data(await client.call_tool("sentry_issues_list", {"query": "", "limit": 100, **PROJECT_FIELD}))
        assert len({issue["project"]["slug"] for issue in issues}) > 1


def test_every_list_a_project_pin_serves_is_narrowed_to_the_project() -> None:
    """From the catalog: each list the pin lets through takes the project, or names an object of its own."""
    pin = Pin("acme", "web")
    for pair in CATALOG.values():
        if pair.kind is Kind.GET or refusal(pair, pin) is not None:
            continue
        takes_project = bool(project_fields(pair))  # a project_slug, a project filter or a list of projects
        names_an_object = all(set(route.path_params) - ABOVE_PROJECT_FIELDS for route in pair.routes)
        assert takes_project or names_an_object, f"{pair.entity}/{pair.action}"


def _schemas(tools: list[Any]) -> dict[str, dict[str, Any]]:
    return {tool.name: tool.input_schema for tool in tools}


async def test_tools_list_shows_pinned_fields_as_optional(port: int) -> None:
    async with client_on(port, "/mcp") as client:
        unpinned = _schemas((await client.list_tools()).tools)
    async with client_on(port, "/mcp/acme/web") as client:
        pinned = _schemas((await client.list_tools()).tools)
    events = tool_name("events", "list")
    assert {"organization_slug", "project_slug"} <= set(unpinned[events]["required"])
    assert not {"organization_slug", "project_slug"} & set(pinned[events].get("required", []))
    for field, value in (("organization_slug", "acme"), ("project_slug", "web")):
        description = pinned[events]["properties"][field]["description"]
        assert f"Pinned to '{value}'" in description and "Defaults to" not in description
    refused = {tool_name(p.entity, p.action) for p in CATALOG.values() if refusal(p, Pin("acme", "web"))}
    assert refused and not refused & set(pinned) and set(pinned) == set(unpinned) - refused


def _post(port: int, path: str, headers: dict[str, str], body: dict[str, Any] = INITIALIZE) -> httpx2.Response:
    url = f"http://127.0.0.1:{port}{path}"
    return httpx2.post(url, content=json.dumps(body), headers={**MCP_HEADERS, **headers}, timeout=10)


def test_pinned_paths_keep_every_guard_and_refuse_malformed_slugs(port: int) -> None:
    for path in ("/mcp/acme", "/mcp/acme/web", "/mcp/%2E%2E", "/mcp/acme/%20"):
        refused = _post(port, path, {})
        assert refused.status_code == 401 and "SENTRY_MCP_HTTP_TOKEN" in refused.text
        assert _post(port, path, {**BEARER, "Host": "evil.example.com"}).status_code in (400, 421)
    for path in ("/mcp/-acme", "/mcp/%2E%2E", "/mcp/acme/we%20b", "/mcp/acme/" + "x" * 101):
        bad = _post(port, path, BEARER)
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_pin", path
    assert _post(port, "/mcp/acme/web", BEARER).status_code == 200
    assert _post(port, "/mcp/acme/web/more", BEARER).status_code == 404


def _call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


def test_each_request_is_judged_by_its_own_path(port: int) -> None:
    """A session opened on /mcp/acme/web and used on other paths is pinned as each request's path says."""
    opened = _post(port, "/mcp/acme/web", BEARER)
    session = {**BEARER, "mcp-session-id": opened.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
    _post(port, "/mcp/acme/web", session, {"jsonrpc": "2.0", "method": "notifications/initialized"})

    def project_of(path: str) -> Any:
        result = _post(port, path, session, _call("sentry_project_detail_get", {})).json()["result"]
        return result["structuredContent"].get("slug") or result["structuredContent"]["error"]["type"]

    assert project_of("/mcp/acme/web") == "web"
    assert project_of("/mcp/acme/api") == "api"
    assert project_of("/mcp") == "invalid_params"  # unpinned: project_slug is required again


def test_stateless_mode_pins_alike_and_the_pin_beats_the_configured_defaults(
    demo_sentry: DemoSentryServer, tmp_path: Path
) -> None:
    """SENTRY_ORG/SENTRY_PROJECT name another organization's project: the pin replaces both, and that
    project is no default for the pinned organization."""
    env = server_env(demo_sentry.url, SENTRY_MCP_HTTP_STATELESS="true", SENTRY_ORG="globex", SENTRY_PROJECT="api")
    with http_server("streamable-http", env, tmp_path / "server.log") as port:

        def call(path: str, name: str, arguments: dict[str, Any]) -> Any:
            return _post(port, path, {}, _call(name, arguments)).json()["result"]["structuredContent"]

        listed = _post(port, "/mcp/acme", {}, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}).json()["result"]
        events = {t["name"]: t for t in listed["tools"]}[tool_name("events", "list")]["inputSchema"]
        assert events["required"] == ["project_slug"]  # SENTRY_PROJECT belongs to globex: no default here
        assert "Pinned to 'acme'" in events["properties"]["organization_slug"]["description"]
        assert call("/mcp/acme/web", "sentry_project_detail_get", {})["slug"] == "web"
        assert call("/mcp/acme", "sentry_project_detail_get", {})["error"]["type"] == "invalid_params"
        refused = call("/mcp/acme/web", "sentry_project_detail_get", {"project_slug": "api"})
        assert refused["error"]["type"] == "pinned_scope"
