"""One deadline per call and bounded upstream answers, against a hostile Sentry (and Airbyte) on 127.0.0.1.

The upstream is the red-team bench's raw HTTP/1.1 server in a thread (``bench/hostile_upstream.py``): it
loops, stalls, repeats cursors, sends pages that come back short, streams bodies of tens of megabytes or an
issue whose title is a megabyte. Our side runs
for real (Executor, DirectBackend, its httpx2 client, the MCP server). What is asserted is what an
agent or an operator notices: how long the call took, what it returned (``meta.stopped``), how many
requests reached the upstream and how many bytes it had to send.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent
from pydantic import SecretStr

from hostile_upstream import Answer, HostileUpstream, Reply, Seen
from sentry_agent_mcp.backends import AirbyteAPI, DirectBackend, HostedBackend
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import UpstreamProtocolError, UpstreamTimeoutError
from sentry_agent_mcp.executor import Executor
from sentry_agent_mcp.mcp_server import SentryMCPServer

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio
ISSUES = "/api/0/organizations/acme/issues/"
MIB = 1024 * 1024
SLACK = 0.35
"""Seconds a call may end after its deadline (event loop, thread hops, a loaded CI machine)."""


def _issues(start: int, count: int, title: str | None = None) -> list[dict[str, Any]]:
    return [{"id": str(n), "shortId": f"WEB-{n}", "title": title or f"issue {n}"} for n in range(start, start + count)]


def _offset(seen: Seen) -> int:
    """Where the page a request asks for starts (Sentry's cursors are ``value:offset:is_prev``)."""
    return int(seen.query.get("cursor", "0:0:0").split(":")[1])


def _sentry(answer: Answer) -> Answer:
    """A self-hosted Sentry (no regions) whose issue list is ``answer``."""

    def route(seen: Seen) -> Reply:
        if seen.path == ISSUES:
            return answer(seen)
        return Reply({"detail": "The requested resource does not exist"}, status=404)

    return route


@pytest.fixture
async def executor_for() -> AsyncIterator[Callable[..., Executor]]:
    made: list[Executor] = []

    def make(upstream: HostileUpstream, timeout: float, **backend: Any) -> Executor:
        settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=upstream.url, timeout=timeout)
        direct = DirectBackend(base_url=upstream.url, token=SecretStr(CANARY_TOKEN), timeout=timeout, **backend)
        made.append(Executor(settings, direct))
        return made[-1]

    yield make
    for executor in made:
        await executor.aclose()


async def _timed(executor: Executor, args: dict[str, Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = await executor.execute("issues", "list", {"organization_slug": "acme", **args})
    return result, time.monotonic() - started


async def test_empty_pages_that_still_claim_more_end_the_list(executor_for: Callable[..., Executor]) -> None:
    def answer(seen: Seen) -> Reply:
        if "cursor" not in seen.query:
            return Reply(_issues(0, 100), next_cursor="0:100:0")
        return Reply([], next_cursor=f"0:{_offset(seen) + 100}:0")  # a new cursor each time

    with HostileUpstream(_sentry(answer)) as upstream:
        result, elapsed = await _timed(executor_for(upstream, timeout=3), {"limit": 300})
        assert upstream.count(ISSUES) == 2, "the first empty page ends it (it used to loop 12,752 times)"
    meta = result["meta"]
    assert len(result["data"]) == 100 and elapsed < 1.0
    assert meta["stopped"] == "empty_page" and "empty page" in meta["note"]
    assert meta["has_more"] is True and meta["next_cursor"], "Sentry's own cursor, should the agent want it"


async def test_a_cursor_sent_again_ends_the_list(executor_for: Callable[..., Executor]) -> None:
    with HostileUpstream(_sentry(lambda _: Reply(_issues(0, 100), next_cursor="0:100:0"))) as upstream:
        result, _ = await _timed(executor_for(upstream, timeout=3), {"limit": 500})
        assert upstream.count(ISSUES) == 2
    assert result["meta"]["stopped"] == "repeated_cursor" and len(result["data"]) == 200
    assert result["meta"]["has_more"] is False and result["meta"]["next_cursor"] is None, "resuming would loop"


async def test_short_pages_stop_after_the_pages_the_limit_can_need(executor_for: Callable[..., Executor]) -> None:
    def answer(seen: Seen) -> Reply:
        start = _offset(seen)
        return Reply(_issues(start, 10), next_cursor=f"0:{start + 10}:0")

    with HostileUpstream(_sentry(answer)) as upstream:
        result, _ = await _timed(executor_for(upstream, timeout=3), {"limit": 300})
        assert upstream.count(ISSUES) == 4, "ceil(300 / 100) + 1 pages"
    meta = result["meta"]
    assert meta["stopped"] == "page_cap" and len(result["data"]) == 40
    assert meta["has_more"] is True and meta["next_cursor"] == "0:40:0", "the agent can page on"


async def test_slow_pages_share_the_calls_one_deadline(executor_for: Callable[..., Executor]) -> None:
    def answer(seen: Seen) -> Reply:
        start = _offset(seen)
        return Reply(_issues(start, 100), next_cursor=f"0:{start + 100}:0", delay=0.4)

    with HostileUpstream(_sentry(answer)) as upstream:
        result, elapsed = await _timed(executor_for(upstream, timeout=1.0), {"limit": 500})
        assert upstream.count(ISSUES) == 3, "the third page was asked for, then abandoned at the deadline"
    assert 0.9 < elapsed < 1.0 + SLACK, "five 0.4 s pages used to take 2 s under a 1 s timeout"
    meta = result["meta"]
    assert meta["stopped"] == "deadline" and "SENTRY_MCP_TIMEOUT" in meta["note"]
    assert [row["shortId"] for row in result["data"]] == [f"WEB-{n}" for n in range(200)]
    assert meta["has_more"] is True and meta["next_cursor"] == "0:200:0", "resumes with the page that timed out"


async def test_a_rate_limit_wait_past_the_deadline_returns_the_pages_so_far(
    executor_for: Callable[..., Executor],
) -> None:
    def answer(seen: Seen) -> Reply:
        if "cursor" not in seen.query:
            return Reply(_issues(0, 100), next_cursor="0:100:0")
        return Reply({"detail": "Slow down"}, status=429, headers={"Retry-After": "30"})

    with HostileUpstream(_sentry(answer)) as upstream:
        result, elapsed = await _timed(executor_for(upstream, timeout=2), {"limit": 300})
        assert upstream.count(ISSUES) == 2, "a 30 s wait does not fit a 2 s deadline: not waited, not retried"
    assert elapsed < 1 and len(result["data"]) == 100
    assert result["meta"]["stopped"] == "rate_limited" and result["meta"]["next_cursor"] == "0:100:0"


async def test_a_call_with_nothing_by_its_deadline_is_a_timeout_error(executor_for: Callable[..., Executor]) -> None:
    with HostileUpstream(_sentry(lambda _: Reply(_issues(0, 100), next_cursor="0:100:0", delay=3))) as upstream:
        executor = executor_for(upstream, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeoutError, match=r"0\.5 s deadline"):
            await executor.execute("issues", "list", {"organization_slug": "acme", "limit": 300})
    assert time.monotonic() - started < 0.5 + SLACK


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "content-length"])
async def test_a_huge_body_stops_at_the_cap(executor_for: Callable[..., Executor], declared: bool) -> None:
    seen = "Content-Length 41,943,040" if declared else "stopped reading after 1,"
    with HostileUpstream(_sentry(lambda _: Reply(stream_bytes=40 * MIB, declared=declared))) as upstream:
        executor = executor_for(upstream, timeout=5, max_body_bytes=MIB)
        started = time.monotonic()
        with pytest.raises(UpstreamProtocolError, match=f"larger than the 1,048,576 bytes .*{seen}") as info:
            await executor.execute("issues", "list", {"organization_slug": "acme"})
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.1)  # let the upstream notice the hang-up
        sent = upstream.body_bytes_sent
        assert upstream.count(ISSUES) == 1, "not retried: the same answer would come again"
    assert "limit" in (info.value.hint or "") and elapsed < 2
    assert sent < 16 * MIB, f"the client hung up instead of reading all 40 MiB ({sent:,} bytes sent)"


async def test_the_airbyte_api_caps_bodies_and_shares_the_deadline() -> None:
    def answer(seen: Seen) -> Reply:
        if seen.path.endswith("/token"):
            return Reply({"access_token": "abt-test", "expires_in": 900}, delay=0.3)
        if seen.path.endswith("/execute"):
            return Reply(stream_bytes=40 * MIB)
        return Reply({"detail": "no"}, status=404)

    settings = Settings(airbyte_client_id="id", airbyte_client_secret="secret", airbyte_connector_id="c1", timeout=2)
    with HostileUpstream(answer) as upstream:
        api = AirbyteAPI(api_url=upstream.url, client_id="id", client_secret=SecretStr("secret"), max_body_bytes=MIB)
        executor = Executor(settings, HostedBackend(api, connector_id="c1"))
        with pytest.raises(UpstreamProtocolError, match=r"The Airbyte API's answer to POST \S+ is larger than"):
            await executor.execute("projects", "list", {})
        assert upstream.body_bytes_sent < 16 * MIB

        slow = AirbyteAPI(api_url=upstream.url, client_id="id", client_secret=SecretStr("secret"))
        tight = Executor(settings.model_copy(update={"timeout": 0.5}), HostedBackend(slow, connector_id="c1"))
        upstream.answer = lambda _: Reply({"access_token": "abt-test", "expires_in": 900}, delay=0.3)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeoutError, match=r"0\.5 s deadline"):
            await tight.execute("projects", "list", {})  # token 0.3 s, then execute 0.3 s: each alone would fit
        assert time.monotonic() - started < 0.5 + SLACK
        await api.aclose()
        await slow.aclose()


async def test_a_one_megabyte_title_is_cut_and_the_result_stays_under_budget() -> None:
    title = "T" * 1_000_000

    def answer(seen: Seen) -> Reply:
        if seen.path == ISSUES:
            return Reply(_issues(0, 3, title))
        if seen.path == "/api/0/organizations/acme/issues/WEB-1/":
            return Reply(_issues(1, 1, title)[0])
        if seen.path == "/api/0/organizations/acme/issues/WEB-2/":  # no one string is huge, together they are
            return Reply({"id": "2", **{f"field{n}": "F" * 4_500 for n in range(10)}})
        return Reply({"detail": "The requested resource does not exist"}, status=404)

    with HostileUpstream(answer) as upstream:
        settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=upstream.url, timeout=5)
        async with Client(SentryMCPServer(settings)) as client:
            got = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1"})
            listed = await client.call_tool("sentry_issues_list", {"organization_slug": "acme"})
            full = await client.call_tool(
                "sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-2", "detail": "full"}
            )
    texts = [" ".join(b.text for b in r.content if isinstance(b, TextContent)) for r in (got, listed, full)]
    assert not got.is_error and not listed.is_error and not full.is_error
    assert all(len(text) <= settings.max_result_chars for text in texts), [len(text) for text in texts]
    issue, page, wide = (json.loads(text) for text in texts)
    assert all(wide[f"field{n}"].endswith("...[cut: 4,500 characters in all]") for n in range(10))
    mark = "...[cut: 1,000,000 characters in all]"
    assert issue["title"].startswith("TTTT") and issue["title"].endswith(mark)
    assert issue["_truncated"]["strings"] == {"title": "cut from 1,000,000 characters"}
    assert [row["title"].endswith(mark) for row in page["data"]] == [True] * 3, "each row cut, none dropped"
