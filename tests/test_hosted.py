"""The hosted backend against a fake Airbyte API run on 127.0.0.1 (which calls the demo Sentry)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.types import TextContent

from sentry_agent_mcp import AirbyteAuthConfig, SentryConnector, Settings
from sentry_agent_mcp.errors import ConfigurationError, InvalidParamsError, RateLimitedError, UpstreamError
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.mcp_tools import GENERIC_TOOLS
from sentry_agent_mcp.tool_spec import DEFAULT_LIMIT
from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN, PYTHON, SEED_TOOLS
from fake_airbyte import CLIENT_SECRET, CONNECTOR_ID, FakeAirbyte

pytestmark = pytest.mark.anyio
ORG = {"organization_slug": "acme"}


@pytest.fixture
def airbyte(demo_sentry: DemoSentryServer) -> Iterator[FakeAirbyte]:
    with FakeAirbyte(sentry_url=demo_sentry.url, sentry_token=CANARY_TOKEN) as fake:
        yield fake


@pytest.fixture
def hosted_env(airbyte: FakeAirbyte, monkeypatch: pytest.MonkeyPatch) -> FakeAirbyte:
    for name, value in airbyte.env().items():
        monkeypatch.setenv(name, value)
    return airbyte


async def test_one_token_one_lookup_and_the_org_header_on_every_call(hosted_env: FakeAirbyte) -> None:
    async with SentryConnector() as connector:
        assert hosted_env.requests == [], "constructing a connector does no network I/O"
        projects = await connector.execute("projects", "list", {})
        issue = await connector.execute("issues", "get", {**ORG, "issue_id": "WEB-1"})
        page = await connector.issues.list(organization_slug="acme", project_slug="web", stats_period="24h")
    assert {p["slug"] for p in projects["data"]} >= {"web", "api"}
    assert issue["shortId"] == "WEB-1"
    assert page.data and page.meta.has_more is True and page.meta.next_cursor
    assert hosted_env.tokens_issued == 1
    assert hosted_env.paths().count("/api/v1/integrations/connectors") == 1, "the connector id is looked up once"
    assert all(r.headers.get("x-organization-id") == "org-42" for r in hosted_env.requests)
    executes = [r.json for r in hosted_env.requests if r.path.endswith("/execute")]
    assert executes[-1] == {
        "entity": "issues",
        "action": "list",
        "params": {"organization_slug": "acme", "project_slug": "web", "statsPeriod": "24h"},
    }


async def test_a_401_refreshes_the_token_once_and_repeats_the_call(hosted_env: FakeAirbyte) -> None:
    async with SentryConnector() as connector:
        await connector.execute("projects", "get", {**ORG, "project_slug": "web"})
        hosted_env.revoke_tokens()
        project = await connector.execute("projects", "get", {**ORG, "project_slug": "api"})
    assert project["slug"] == "api"
    assert hosted_env.tokens_issued == 2


async def test_paging_follows_the_connectors_next_cursor_and_resumes_inside_trimmed_pages(
    hosted_env: FakeAirbyte,
) -> None:
    """The hosted connector takes no page size: its page of 100 is cut to the default limit, and ``next_cursor``
    (Sentry's cursor plus ``::N``) resumes inside it; the suffix never reaches Airbyte."""
    seen: list[str] = []
    inside = 0
    async with SentryConnector() as connector:
        cursor = None
        for _ in range(20):
            page = await connector.issues.list(
                organization_slug="acme", project_slug="web", query="", **({"cursor": cursor} if cursor else {})
            )
            seen += [issue["shortId"] for issue in page.data]
            assert len(page.data) <= DEFAULT_LIMIT
            inside += "::" in (page.meta.next_cursor or "")
            if not page.meta.has_more:
                break
            cursor = page.meta.next_cursor
    assert len(seen) == len(set(seen)) == 130
    assert inside >= 1, "a page of the connector's is returned in parts"
    sent = [r.json["params"].get("cursor", "") for r in hosted_env.requests if r.path.endswith("/execute")]
    assert not any("::" in c for c in sent), "our in-page suffix stays ours"


async def test_errors_are_mapped_and_clear(hosted_env: FakeAirbyte, monkeypatch: pytest.MonkeyPatch) -> None:
    async with SentryConnector() as connector:
        hosted_env.fail_next.append((429, {"detail": "Too many requests"}))
        with pytest.raises(RateLimitedError, match="HTTP 429"):
            await connector.execute("projects", "list", {})
        hosted_env.fail_next.append((500, {"detail": "boom"}))
        with pytest.raises(UpstreamError, match=r"HTTP 500.*boom"):
            await connector.execute("projects", "list", {})
        with pytest.raises(InvalidParamsError, match="does not take sort") as info:
            await connector.execute("issues", "list", {**ORG, "project_slug": "web", "sort": "freq"})
        assert "organization_slug, project_slug, query, stats_period, cursor" in str(info.value)
        with pytest.raises(InvalidParamsError, match="needs project_slug"):
            await connector.execute("issues", "list", ORG)
    monkeypatch.setenv("AIRBYTE_CONNECTOR_ID", "no-such-connector")
    async with SentryConnector() as connector:
        with pytest.raises(UpstreamError, match="HTTP 404") as not_found:
            await connector.execute("projects", "list", {})
        assert "AIRBYTE_CONNECTOR_ID" in (not_found.value.hint or "")
    monkeypatch.delenv("AIRBYTE_CONNECTOR_ID")
    monkeypatch.setenv("AIRBYTE_CUSTOMER_NAME", "twins")
    async with SentryConnector() as connector:
        with pytest.raises(ConfigurationError, match="2 Sentry connectors"):
            await connector.execute("projects", "list", {})
    monkeypatch.setenv("AIRBYTE_CLIENT_SECRET", "wrong")
    async with SentryConnector() as connector:
        with pytest.raises(UpstreamError, match="AIRBYTE_CLIENT_ID") as refused:
            await connector.execute("projects", "list", {})
    assert "wrong" not in str(refused.value) and CLIENT_SECRET not in str(refused.value)


async def test_context_store_search_validates_fields_then_returns_the_envelope(hosted_env: FakeAirbyte) -> None:
    async with SentryConnector() as connector:
        before = len(hosted_env.requests)
        with pytest.raises(InvalidParamsError, match=r"unknown issues field.*short_id"):
            await connector.execute(
                "issues", "context_store_search", {"query": {"filter": {"eq": {"short_id": "WEB-1"}}}}
            )
        assert len(hosted_env.requests) == before, "an invalid search never leaves the process"
        found = await connector.execute(
            "issues",
            "context_store_search",
            {"query": {"filter": {"eq": {"shortId": "WEB-1"}}}, "fields": ["id", "shortId", "title"]},
        )
    assert [row["shortId"] for row in found["data"]] == ["WEB-1"]
    assert found["meta"] == {"has_more": False, "next_cursor": None}


async def test_hosted_tool_list_is_the_hosted_connectors(hosted_env: FakeAirbyte) -> None:
    async with Client(SentryMCPServer(Settings(allow_writes=True))) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        names = set(tools)
        result = await client.call_tool("sentry_issues_get", {**ORG, "issue_id": "WEB-2"})
    search = {f"sentry_{e}_context_store_search" for e in ("projects", "issues", "events", "releases")}
    assert names == SEED_TOOLS | search | set(GENERIC_TOOLS)
    issues_list = tools["sentry_issues_list"].input_schema
    assert list(issues_list["properties"]) == ["organization_slug", "project_slug", "query", "cursor", "stats_period"]
    assert issues_list["required"] == ["organization_slug", "project_slug"], "the hosted connector needs a project"
    assert not result.is_error and result.structured_content["shortId"] == "WEB-2"  # type: ignore[index]


async def test_server_in_hosted_mode_over_real_stdio(airbyte: FakeAirbyte) -> None:
    env = {"PATH": "", **airbyte.env()}
    params = StdioServerParameters(command=PYTHON, args=["-m", "sentry_agent_mcp", "serve"], env=env)
    async with Client(params) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("sentry_releases_get", {**ORG, "version": "frontend@2.4.0"})
    assert "sentry_issues_context_store_search" in names and "sentry_discover_query" not in names
    text = "".join(b.text for b in result.content if isinstance(b, TextContent))
    assert not result.is_error, text
    assert result.structured_content["version"] == "frontend@2.4.0"  # type: ignore[index]
    assert any(r.path == f"/api/v1/integrations/connectors/{CONNECTOR_ID}/execute" for r in airbyte.requests)


async def test_create_posts_the_connector_and_binds_to_it(airbyte: FakeAirbyte) -> None:
    from sentry_agent_mcp import SentryAuthConfig, SentryReplicationConfig

    env: dict[str, Any] = airbyte.env()
    connector = await SentryConnector.create(
        airbyte_config=AirbyteAuthConfig(
            customer_name="new-customer",
            organization_id="org-42",
            airbyte_client_id=env["AIRBYTE_CLIENT_ID"],
            airbyte_client_secret=env["AIRBYTE_CLIENT_SECRET"],
        ),
        auth_config=SentryAuthConfig(auth_token=CANARY_TOKEN),
        replication_config=SentryReplicationConfig(organization="acme", project="web"),
        api_url=airbyte.url,
    )
    assert connector.connector_id == "9d0c-new-connector"
    assert airbyte.created == [
        {
            "name": "sentry - new-customer",
            "definition_id": "cdaf146a-9b75-49fd-9dd2-9d64a0bb4781",
            "customer_name": "new-customer",
            "credentials": {"auth_token": CANARY_TOKEN},
            "replication_config": {"organization": "acme", "project": "web"},
        }
    ]
    assert connector.settings.scoping_defaults == {"organization_slug": "acme", "project_slug": "web"}
    assert CLIENT_SECRET not in repr(connector) and CLIENT_SECRET not in repr(connector.settings)
    await connector.close()


def test_cli_check_and_call_in_hosted_mode(airbyte: FakeAirbyte) -> None:
    import subprocess

    env = {"PATH": "", "HOME": "/tmp", **airbyte.env()}
    check = subprocess.run([PYTHON, "-m", "sentry_agent_mcp", "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0 and f"connector {CONNECTOR_ID} is healthy" in check.stdout
    call = subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", "call", "issues", "list", "organization_slug=acme", "sort=freq"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert call.returncode == 1 and "does not take sort" in call.stderr
    assert CLIENT_SECRET not in check.stdout + check.stderr + call.stdout + call.stderr
