"""The size budget and multi-page limits, against the demo Sentry over real HTTP: trimmed results say so
and page on without gaps, a limit over 100 fetches several pages and reports progress to a client that
asked, and no view option ever reaches Sentry or Airbyte."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest
from mcp import Client

from sentry_agent_mcp.catalog import Served, callable_pairs
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import InvalidParamsError
from sentry_agent_mcp.executor import Executor
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.mcp_tools import GENERIC_TOOLS
from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN
from fake_airbyte import FakeAirbyte

pytestmark = pytest.mark.anyio
ORG = {"organization_slug": "acme"}


def _settings(sentry: DemoSentryServer, **extra: Any) -> Settings:
    return Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=sentry.url, **extra)


@pytest.fixture
async def make_executor(demo_sentry: DemoSentryServer) -> AsyncIterator[Any]:
    made: list[Executor] = []

    def make(**extra: Any) -> Executor:
        settings = _settings(demo_sentry, **extra)
        made.append(Executor.for_settings(settings))
        return made[-1]

    yield make
    for executor in made:
        await executor.aclose()


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _ground_truth(sentry: DemoSentryServer, path: str, key: str = "id", **params: str) -> list[str]:
    """Every ``key`` (id) Sentry has at ``path``, read with the largest page size and no budget."""
    ids: list[str] = []
    cursor = None
    with httpx2.Client(base_url=sentry.url, headers={"Authorization": f"Bearer {CANARY_TOKEN}"}) as http:
        while True:
            query = {"per_page": "100", **params, **({"cursor": cursor} if cursor else {})}
            response = http.get(path, params=query)
            ids += [str(item[key]) for item in response.json()]
            links = response.headers.get("link", "")
            if 'rel="next"; results="true"' not in links:
                return ids
            cursor = links.split('rel="next"; results="true"; cursor="')[1].split('"')[0]


async def _page_all(executor: Executor, entity: str, action: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    pages = []
    cursor = None
    for _ in range(60):
        page = await executor.execute(entity, action, {**args, **({"cursor": cursor} if cursor else {})})
        pages.append(page)
        if not page["meta"]["has_more"]:
            return pages
        cursor = page["meta"]["next_cursor"]
    raise AssertionError("paging did not end")


async def test_over_budget_pages_are_trimmed_with_a_note_and_page_on_without_gaps(
    make_executor: Any, demo_sentry: DemoSentryServer
) -> None:
    executor = make_executor(max_result_chars=5000)
    start = len(demo_sentry.requests)
    pages = await _page_all(executor, "issues", "list", {**ORG, "project_slug": "web", "query": "", "limit": 100})
    sent = [r for r in demo_sentry.requests[start:] if r.path == "/api/0/organizations/acme/issues/"]
    assert sent and all(1 <= int(r.param("limit") or 0) <= 100 for r in sent)
    seen = [issue["shortId"] for page in pages for issue in page["data"]]
    assert len(seen) == len(set(seen)), "an issue came twice"
    truth = _ground_truth(demo_sentry, "/api/0/organizations/acme/issues/", "shortId", query="", project="4501")
    assert set(seen) == set(truth)
    assert len(pages) > 5 and all(_size(page) <= 5000 for page in pages)
    first = pages[0]["meta"]
    assert first["truncated"] is True and "of the 100 asked for" in first["note"] and "next_cursor" in first["note"]
    assert all("::" not in (p["meta"]["next_cursor"] or "") for p in pages), "a list with limit keeps Sentry's cursors"


async def test_a_single_object_over_budget_is_cut_and_says_so(make_executor: Any) -> None:
    executor = make_executor(max_result_chars=8000)
    event = await executor.execute(
        "issue_events", "get", {**ORG, "issue_id": "WEB-1", "event_id": "latest", "detail": "full"}
    )
    assert event["eventID"] and "SENTRY_MCP_MAX_RESULT_CHARS" in event["_truncated"]["note"]
    assert event["_truncated"]["lists"] and _size(event) < 8000 + 400, "lists are halved until it fits"
    compact = await executor.execute("issue_events", "get", {**ORG, "issue_id": "WEB-1", "event_id": "latest"})
    assert "_truncated" not in compact, "the compact view fits"


async def test_a_limit_over_100_fetches_several_pages_and_continues_exactly(
    make_executor: Any, demo_sentry: DemoSentryServer
) -> None:
    executor = make_executor(max_result_chars=1_000_000)
    args = {**ORG, "query": "", "sort": "new"}
    start = len(demo_sentry.requests)
    first = await executor.execute("issues", "list", {**args, "limit": 150})
    sent = [r.param("limit") for r in demo_sentry.requests[start:] if r.path == "/api/0/organizations/acme/issues/"]
    assert sent == ["100", "50"], "Sentry's 1-100 bound holds per request"
    rest = await executor.execute("issues", "list", {**args, "limit": 100, "cursor": first["meta"]["next_cursor"]})
    ids = [i["shortId"] for i in first["data"]] + [i["shortId"] for i in rest["data"]]
    assert len(first["data"]) == 150 and first["meta"]["has_more"] is True
    assert len(ids) == len(set(ids)) == len(_ground_truth(demo_sentry, "/api/0/organizations/acme/issues/", query=""))
    assert rest["meta"] == {"has_more": False, "next_cursor": None}


async def test_limit_is_bounded(make_executor: Any) -> None:
    executor = make_executor()
    for bad in (0, 501):
        with pytest.raises(InvalidParamsError) as info:
            await executor.execute("issues", "list", {**ORG, "limit": bad})
        assert info.value.errors[0]["field"] == "limit"


async def test_progress_goes_to_an_mcp_client_that_asked(demo_sentry: DemoSentryServer) -> None:
    updates: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total, message))

    args = {**ORG, "query": "", "limit": 250}
    async with Client(SentryMCPServer(_settings(demo_sentry, max_result_chars=1_000_000))) as client:
        result = await client.call_tool("sentry_issues_list", args, progress_callback=on_progress)
        quiet = await client.call_tool("sentry_issues_list", {**ORG, "limit": 5}, progress_callback=on_progress)
        unasked = await client.call_tool("sentry_issues_list", args)
    assert not result.is_error and not quiet.is_error and not unasked.is_error
    total = len(result.structured_content["data"])  # type: ignore[index]
    assert total == len(unasked.structured_content["data"]) > 100  # type: ignore[index]
    assert [(p, t) for p, t, _ in updates] == [(100, 250), (total, 250)], "one update per page, none for one page"
    assert updates[0][2] == "100 of up to 250 issues"


@pytest.fixture
def hosted(demo_sentry: DemoSentryServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAirbyte]:
    with FakeAirbyte(sentry_url=demo_sentry.url, sentry_token=CANARY_TOKEN) as fake:
        for name, value in fake.env().items():
            monkeypatch.setenv(name, value)
        yield fake


async def test_view_options_never_reach_airbyte(hosted: FakeAirbyte) -> None:
    settings = Settings()
    executor = Executor.for_settings(settings)
    try:
        issue = await executor.execute("issues", "get", {**ORG, "issue_id": "WEB-1", "fields": ["shortId"]})
        page = await executor.execute("issues", "list", {**ORG, "project_slug": "web", "detail": "full"})
    finally:
        await executor.aclose()
    assert issue == {"shortId": "WEB-1"} and "stats" in page["data"][0]
    bodies = [r.json for r in hosted.requests if r.path.endswith("/execute")]
    assert bodies and all(not {"fields", "detail"} & set(body["params"]) for body in bodies)


BYTES_PER_TOOL = 760
"""``tools/list``'s budget per tool listed: 707 bytes on average for the full surface when it was set (45 tools),
plus ~40 since issue 13 for each tool's title, ``sentry_describe`` in every mode and the search syntax."""
BYTES_PER_WRITE_TOOL = 1_500
"""Writes are listed only when enabled, and some carry nested models Sentry validates (alert triggers and
actions, 1.2-2.4 KB each): 1,365 bytes on average when set (11 writes, issue 13)."""


async def test_tools_list_stays_small() -> None:
    """Bytes of ``tools/list`` as the model reads them on every turn (a size, not a timing)."""
    sizes = {}
    for mode in ({"allow_writes": True}, {}, {"tools": "execute"}):
        async with Client(SentryMCPServer(Settings(backend="demo", **mode))) as client:
            tools = (await client.list_tools()).tools
        payload = [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools]
        sizes[json.dumps(mode)] = (len(tools), _size(payload))
    every_tool = len(callable_pairs(Served.DIRECT, allow_writes=True)) + len(GENERIC_TOOLS)
    assert sizes['{"allow_writes": true}'][0] == every_tool
    # per tool, so that a new pair is not over budget by arithmetic
    reads, read_bytes = sizes["{}"]
    assert read_bytes <= BYTES_PER_TOOL * reads, f"{read_bytes} bytes for {reads} tools"
    everything, all_bytes = sizes['{"allow_writes": true}']
    writes, write_bytes = everything - reads, all_bytes - read_bytes
    assert writes > 0 and write_bytes <= BYTES_PER_WRITE_TOOL * writes, f"{write_bytes} bytes for {writes} writes"
    assert sizes['{"tools": "execute"}'][1] <= 3_000
