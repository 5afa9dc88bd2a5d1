"""Reliability against a misbehaving Sentry: the fault matrix, deadlines, rate limits and cancellation.

Sentry is the demo Sentry over real HTTP with injected faults; everything on our side runs for real.
What is asserted is what an agent notices: data or a clear error, how long it took, and how many
requests Sentry received (the demo's request log).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client, MCPError
from mcp.types import TextContent
from pydantic import SecretStr

from faults import CANARY, CASES, run_matrix
from sentry_agent_mcp.backends import DirectBackend
from sentry_agent_mcp.backends.ratelimit import HostLimiter, RateLimits, retry_after_seconds
from sentry_agent_mcp.backends.retry import Deadline, RetryPolicy
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DEMO_TOKEN, DemoSentryServer

from conftest import server_env
from e2e import free_port, http_server

pytestmark = pytest.mark.anyio
ISSUE_ARGS = {"organization_slug": "acme", "issue_id": "WEB-1A"}


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSentryServer]:
    with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY]) as server:
        yield server


def _server(url: str, timeout: float = 5.0, **settings: object) -> SentryMCPServer:
    return SentryMCPServer(Settings(backend="direct", auth_token=CANARY, hostname=url, timeout=timeout, **settings))


def _text(result: object) -> str:
    return " ".join(b.text for b in getattr(result, "content", []) if isinstance(b, TextContent))


async def test_fault_matrix(demo: DemoSentryServer) -> None:
    """Every fault x (read, idempotent PUT, note POST): outcome, attempts, time, notes left behind."""
    results = await run_matrix(demo, rounds=1)
    assert len(results) == len(CASES) * 3
    failures = [f"{r.case} / {r.op}: {'; '.join(r.problems)}" for r in results if r.problems]
    assert not failures, "\n".join(failures)


async def test_a_429_that_keeps_coming_ends_within_the_deadline(demo: DemoSentryServer) -> None:
    demo.app.clear_faults()
    demo.add_fault(status=429, headers={"Retry-After": "1"}, times=None, path_contains="/issues/WEB-1A/")
    try:
        async with Client(_server(demo.url, timeout=2.5)) as client:
            start = len(demo.requests)
            started = time.monotonic()
            result = await client.call_tool("sentry_issues_get", ISSUE_ARGS)
            elapsed = time.monotonic() - started
    finally:
        demo.app.clear_faults()
    attempts = [r for r in demo.requests[start:] if r.path.endswith("/issues/WEB-1A/")]
    assert result.is_error and "HTTP 429" in _text(result) and "Retry after about 1 s" in _text(result)
    assert len(attempts) in (2, 3), "it waited out Retry-After while the 2.5 s deadline allowed"
    assert 1.0 < elapsed < 2.5 + 0.25, "then answered instead of sleeping past the deadline"


async def test_unreachable_sentry_is_a_clear_error_within_a_second_and_a_half() -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens here: connection refused
    async with Client(_server(url, allow_writes=True)) as client:
        for tool, args in [
            ("sentry_issues_get", ISSUE_ARGS),
            ("sentry_issue_notes_create", {**ISSUE_ARGS, "text": "hello"}),
        ]:
            started = time.monotonic()
            result = await client.call_tool(tool, args)
            assert time.monotonic() - started < 1.5
            text = _text(result)
            # Never sent, so even the non-idempotent POST may be tried again: 3 attempts each.
            assert result.is_error and "Could not reach Sentry" in text and "3 attempts" in text, text


async def test_cancelled_call_abandons_the_upstream_request(demo: DemoSentryServer) -> None:
    """The client gives up after 0.5 s; the request to Sentry is dropped then, not 20 s later."""
    demo.app.clear_faults()
    demo.add_fault(status=None, delay=20.0, path_contains="/issues/WEB-1A/")
    try:
        async with Client(_server(demo.url, timeout=30)) as client:
            await client.call_tool("sentry_organizations_get", {"organization_slug": "acme"})
            start = len(demo.requests)
            started = time.monotonic()
            with pytest.raises(MCPError):
                await client.call_tool("sentry_issues_get", ISSUE_ARGS, read_timeout_seconds=0.5)
            upstream = [r for r in demo.requests[start:] if r.path.endswith("/issues/WEB-1A/")]
            assert len(upstream) == 1
            with anyio.fail_after(3):
                while not upstream[0].abandoned:
                    await anyio.sleep(0.02)
            assert time.monotonic() - started < 2.0
            # The server is still healthy for the next call.
            demo.app.clear_faults()
            assert not (await client.call_tool("sentry_issues_get", ISSUE_ARGS)).is_error
    finally:
        demo.app.clear_faults()


@pytest.mark.parametrize("mode", ["legacy", "auto"])
@pytest.mark.parametrize("streaming", ["false", "true"])
async def test_cancellation_over_streamable_http_reaches_sentry_too(tmp_path: Path, streaming: str, mode: str) -> None:
    """JSON answers (the default) and event streams; 2025-era sessions (cancel notification) and 2026 (disconnect)."""
    with DemoSentryServer(tokens=[CANARY]) as sentry:
        env = server_env(sentry.url, token=CANARY, SENTRY_MCP_HTTP_STREAMING=streaming)
        with http_server("streamable-http", env, tmp_path / "server.log") as port:
            async with Client(f"http://127.0.0.1:{port}/mcp", mode=mode) as client:  # type: ignore[arg-type]
                await client.call_tool("sentry_organizations_get", {"organization_slug": "acme"})
                sentry.add_fault(status=None, delay=20.0, path_contains="/issues/WEB-1A/")
                start = len(sentry.requests)
                with pytest.raises(MCPError):
                    await client.call_tool("sentry_issues_get", ISSUE_ARGS, read_timeout_seconds=0.5)
                with anyio.fail_after(3):
                    while not any(r.abandoned for r in sentry.requests[start:]):
                        await anyio.sleep(0.02)
                sentry.app.clear_faults()
                assert not (await client.call_tool("sentry_issues_get", ISSUE_ARGS)).is_error


async def test_parallel_callers_slow_down_before_sentrys_limit() -> None:
    """Sentry allows 5 requests a second: 15 calls from 3 parallel callers all succeed without a single 429,
    because the budget in X-Sentry-Rate-Limit-Remaining is spent before Sentry has to refuse anything."""
    with DemoSentryServer(tokens=[CANARY], rate_limit=5) as sentry:
        async with Client(_server(sentry.url, timeout=10)) as client:
            await client.call_tool("sentry_organizations_get", {"organization_slug": "acme"})
            await anyio.sleep(1.05)  # a fresh window
            start = len(sentry.requests)
            errors: list[str] = []

            async def worker() -> None:
                for _ in range(5):
                    result = await client.call_tool("sentry_issues_get", ISSUE_ARGS)
                    if result.is_error:
                        errors.append(_text(result))

            started = time.monotonic()
            async with anyio.create_task_group() as group:
                for _ in range(3):
                    group.start_soon(worker)
            elapsed = time.monotonic() - started
        statuses = [r.status for r in sentry.requests[start:]]
    assert not errors
    assert statuses.count(200) == 15
    assert statuses.count(429) == 0, statuses
    assert 1.0 < elapsed < 6, "15 calls at 5/s span three fixed one-second windows"


async def test_the_host_cap_and_sentrys_concurrent_limit_bound_requests_in_flight() -> None:
    in_flight = peak = 0

    async def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.05)
        in_flight -= 1
        headers = {"X-Sentry-Rate-Limit-ConcurrentLimit": "2", "X-Sentry-Rate-Limit-ConcurrentRemaining": "1"}
        if request.url.path.endswith("/regions/"):
            return httpx2.Response(404, json={"detail": "The requested resource does not exist"})
        return httpx2.Response(200, json={"id": "1"}, headers=headers)

    backend = DirectBackend(
        base_url="https://sentry.example.com",
        token=SecretStr(CANARY),
        transport=httpx2.MockTransport(handler),
        limits=RateLimits(max_concurrent=4),
    )
    from sentry_agent_mcp.executor import Executor

    executor = Executor(Settings(backend="direct", auth_token=CANARY), backend)
    await executor.execute("issues", "get", ISSUE_ARGS)  # learns ConcurrentLimit: 2
    peak = 0
    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(executor.execute, "issues", "get", ISSUE_ARGS)
    assert peak == 2, "Sentry announced a concurrent limit of 2 for this endpoint"
    peak = 0
    async with anyio.create_task_group() as group:
        for n in range(10):
            group.start_soon(
                executor.execute, "projects", "get", {"organization_slug": "acme", "project_slug": f"p{n}"}
            )
    assert peak == 4, "other endpoints share the host-wide cap of 4"
    await executor.aclose()


def test_retry_policy_backs_off_exponentially_with_jitter_and_stays_short() -> None:
    policy = RetryPolicy()
    for retry, ceiling in [(1, 0.25), (2, 0.5), (3, 1.0), (6, 2.0)]:
        delays = [policy.backoff(retry) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100, "jittered"
    worst = sum(policy.backoff(n) for n in range(1, policy.max_attempts))
    assert worst <= 0.75, "a persistently failing Sentry costs under a second of backoff"


def test_retry_after_as_seconds_http_date_or_reset_header() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds({"retry-after": "7"}, now) == 7
    assert retry_after_seconds({"retry-after": "Tue, 14 Nov 2023 22:13:40 GMT"}, now) == pytest.approx(20)
    assert retry_after_seconds({"x-sentry-rate-limit-reset": str(now + 3)}, now) == 3
    assert retry_after_seconds({"retry-after": "soon"}, now) is None
    assert retry_after_seconds({}, now) is None


async def test_an_exhausted_budget_waits_for_the_reset_only_when_the_deadline_allows() -> None:
    limiter = HostLimiter()
    now = time.time()
    limiter.observe("GET /x/", {"x-sentry-rate-limit-remaining": "0", "x-sentry-rate-limit-reset": str(now + 0.4)}, now)
    started = time.monotonic()
    async with limiter.slot("GET /x/", Deadline(5)):
        pass
    assert 0.3 < time.monotonic() - started < 1.0
    limiter.observe("GET /x/", {"x-sentry-rate-limit-remaining": "0", "x-sentry-rate-limit-reset": str(now + 60)}, now)
    started = time.monotonic()
    async with limiter.slot("GET /x/", Deadline(5)):  # 60 s would cross the deadline: go, let Sentry decide
        pass
    assert time.monotonic() - started < 0.1


async def test_garbled_rate_limit_headers_are_ignored_not_fatal() -> None:
    limiter = HostLimiter()
    now = time.time()
    for value in ("nan", "inf", "-inf", "soon", "", "1e999", "-5"):
        headers = {f"x-sentry-rate-limit-{name}": value for name in ("limit", "remaining", "reset", "concurrentlimit")}
        limiter.observe("GET /x/", headers, now)
        assert retry_after_seconds({"retry-after": value}, now) in (None, 0.0)
    started = time.monotonic()
    async with limiter.slot("GET /x/", Deadline(1)):
        pass
    assert time.monotonic() - started < 0.5, "a reset in the past costs at most the 0.1 s margin"
