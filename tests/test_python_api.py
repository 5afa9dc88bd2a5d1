"""The Python API: the README's example as written, a real Pydantic AI agent, and the connector surface."""

from __future__ import annotations

import inspect
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, RetryPromptPart, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from sentry_agent_mcp import Settings
from sentry_agent_mcp.tool_spec import DEFAULT_LIMIT
from sentry_agent_mcp.tool_utils import OutputTooLargeError, describe_catalog, tool_utils
from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN
from fake_airbyte import CLIENT_ID, CLIENT_SECRET, CUSTOMER, FakeAirbyte

pytestmark = pytest.mark.anyio


async def test_spec_example_runs_as_written(demo_sentry: DemoSentryServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python API example, "..." filled in: the demo Sentry and a fake Airbyte stand in for the clouds."""
    with FakeAirbyte(sentry_url=demo_sentry.url, sentry_token=CANARY_TOKEN) as fake:
        monkeypatch.setenv("AIRBYTE_API_URL", fake.url)
        from sentry_agent_mcp import AirbyteAuthConfig, SentryAuthConfig, SentryConnector, SentryReplicationConfig

        connector = SentryConnector(auth_config=SentryAuthConfig(auth_token=CANARY_TOKEN), hostname=demo_sentry.url)
        page = await connector.execute("issues", "list", {"organization_slug": "acme", "project_slug": "web"})

        hosted = SentryConnector(
            auth_config=AirbyteAuthConfig(
                customer_name=CUSTOMER,
                organization_id="org-42",
                airbyte_client_id=CLIENT_ID,
                airbyte_client_secret=CLIENT_SECRET,
            )
        )
        agent = Agent(FunctionModel(_one_call_then_answer({"entity": "projects", "action": "list"})))

        @agent.tool_plain  # Pydantic AI
        @SentryConnector.tool_utils
        async def sentry_execute(entity: str, action: str, params: dict | None = None):  # type: ignore[no-untyped-def, type-arg]
            return await connector.execute(entity, action, params or {})

        hosted_page = await hosted.execute("issues", "list", {"organization_slug": "acme", "project_slug": "web"})
        run = await agent.run("Which projects are there?")
        await connector.close()
        await hosted.close()
    assert page["meta"]["has_more"] is True and len(page["data"]) == DEFAULT_LIMIT, "no limit: the default page"
    assert hosted_page["data"] and hosted_page["meta"]["next_cursor"]
    assert "web" in run.output
    assert SentryReplicationConfig(organization="acme", project="web").project == "web"


def _one_call_then_answer(args: dict[str, Any]) -> Any:
    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        returned = [p for m in messages for p in getattr(m, "parts", []) if isinstance(p, ToolReturnPart)]
        if not returned:
            return ModelResponse(parts=[ToolCallPart("sentry_execute", args)])
        data = returned[-1].content
        slugs = [row.get("slug") for row in data["data"]] if isinstance(data, dict) else []
        return ModelResponse(parts=[TextPart(f"projects: {', '.join(map(str, slugs))}")])

    return model


async def test_pydantic_ai_agent_sees_the_catalog_gets_data_and_retries_when_too_large() -> None:
    from sentry_agent_mcp import SentryConnector

    connector = SentryConnector(settings=Settings(backend="demo"))
    seen: dict[str, Any] = {"calls": []}

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen["description"] = info.function_tools[0].description
        parts = [p for m in messages for p in getattr(m, "parts", [])]
        # A ModelRetry reaches the model as a retry prompt (a RetryPromptPart, or in newer
        # Pydantic AI a ToolReturnPart whose outcome is "retried").
        retries = [p for p in parts if isinstance(p, RetryPromptPart) or getattr(p, "outcome", "") == "retried"]
        returned = [p for p in parts if isinstance(p, ToolReturnPart) and p not in retries]
        if returned:
            issues = returned[-1].content["data"]
            return ModelResponse(parts=[TextPart(" ".join(i["shortId"] for i in issues))])
        limit = 2 if retries else 100
        if retries:
            seen["retry"] = retries[-1].content
        seen["calls"].append(limit)
        params = {"organization_slug": "acme", "project_slug": "web", "limit": limit}
        call = {"entity": "issues", "action": "list", "params": params}
        return ModelResponse(parts=[ToolCallPart("sentry_execute", call)])

    agent = Agent(FunctionModel(model))

    @agent.tool_plain
    @SentryConnector.tool_utils(max_output_chars=15_000)
    async def sentry_execute(entity: str, action: str, params: dict[str, Any] | None = None) -> Any:
        """Run one Sentry call."""
        return await connector.execute(entity, action, params or {})

    run = await agent.run("What are the newest unresolved issues in web?")
    await connector.close()
    description = seen["description"]
    assert description.startswith("Run one Sentry call.")
    assert "issues:" in description and "- list(organization_slug*, project_slug?" in description
    assert "cursor=<meta.next_cursor>" in description and "\n\n" not in description
    assert seen["calls"] == [100, 2]
    assert "output too large" in str(seen["retry"]) and "'limit'" in str(seen["retry"])
    assert len(run.output.split()) == 2 and all(word.startswith("WEB-") for word in run.output.split())


async def test_output_guard_without_pydantic_ai_raises_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pydantic_ai", None)

    @tool_utils(max_output_chars=50)
    async def big() -> dict[str, str]:
        return {"data": "x" * 100}

    @tool_utils
    def small() -> dict[str, str]:
        """Small."""
        return {"data": "ok"}

    with pytest.raises(OutputTooLargeError, match="limit 50"):
        await big()
    assert small() == {"data": "ok"} and small.__doc__ and small.__doc__.startswith("Small.\nENTITIES")
    assert "context_store_search" not in describe_catalog(hosted=False)


async def test_connector_surface(
    demo_sentry: DemoSentryServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentry_agent_mcp import SentryAuthConfig, SentryConnector, SentryReplicationConfig

    monkeypatch.setenv("HOME", str(tmp_path))
    before = len(demo_sentry.requests)
    connector = SentryConnector(
        auth_config=SentryAuthConfig(auth_token=CANARY_TOKEN),
        hostname=demo_sentry.url,
        replication_config=SentryReplicationConfig(organization="acme", project="api"),
    )
    assert len(demo_sentry.requests) == before and os.listdir(tmp_path) == [], "construction has no side effects"
    assert CANARY_TOKEN not in repr(connector) and CANARY_TOKEN not in repr(SentryAuthConfig(auth_token=CANARY_TOKEN))
    page = await connector.issues.list(limit=3)
    assert [i["shortId"][:4] for i in page.data] == ["API-"] * 3 and page.meta.next_cursor
    signature = inspect.signature(connector.issues.list)
    assert list(signature.parameters)[:3] == ["organization_slug", "project_slug", "query"]
    entities = {e["entity_name"]: e for e in connector.list_entities()}
    issue_params = {p["name"]: p for p in entities["issues"]["parameters"]["list"]}
    assert issue_params["query"]["description"] and issue_params["query"]["in"] == "query"
    assert issue_params["organization_slug"]["required"] is False, "defaulted from the replication config"
    assert "update" not in entities["issues"]["available_actions"], "writes are off by default"
    schema = connector.entity_schema("releases")
    assert schema is not None and set(schema["actions"]) == {"list", "get"}
    assert connector.entity_schema("nope") is None
    healthy = await connector.check()
    assert healthy.status == "healthy"
    await connector.close()
    bad = SentryConnector(auth_config=SentryAuthConfig(auth_token="sntryu_wrong"), hostname=demo_sentry.url)
    result = await bad.check()
    await bad.close()
    assert result.status == "unhealthy" and "Invalid token" in (result.error or "")
    assert "sntryu_wrong" not in json.dumps(result.model_dump())
    with pytest.raises(TypeError, match="Unsupported auth_config type: dict"):
        SentryConnector(auth_config={"auth_token": "x"})  # type: ignore[arg-type]
