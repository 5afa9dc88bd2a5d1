"""One deadline per call and bounded upstream answers, against a hostile Sentry (and Airbyte) on 127.0.0.1.

The upstream is a raw HTTP/1.1 server in a thread that loops, stalls, repeats cursors, sends pages that
come back short, streams bodies of tens of megabytes or an issue whose title is a megabyte. Our side runs
for real (Executor, DirectBackend, the aiohttp transport, the MCP server). What is asserted is what an
agent or an operator notices: how long the call took, what it returned (``meta.stopped``), how many
requests reached the upstream and how many bytes it had to send.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from mcp import Client
from mcp.types import TextContent
from pydantic import SecretStr

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


@dataclass
class Reply:
    body: Any = None
    """JSON-able; ignored when ``stream_bytes`` is set."""
    status: int = 200
    next_cursor: str | None = None
    """A ``Link`` header whose ``next`` says ``results="true"`` with this cursor."""
    delay: float = 0.0
    stream_bytes: int = 0
    """Send this many bytes of body in 64 KiB chunks (chunked, or with ``declared`` as Content-Length)."""
    declared: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Upstream:
    """A raw HTTP server on 127.0.0.1 answering each request with ``answer(path, query)``."""

    answer: Callable[[str, dict[str, str]], Reply]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    body_bytes_sent: int = 0
    hung_up: bool = False
    url: str = ""

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Upstream:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def count(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        self._ready.set()
        self._loop.run_forever()

    async def _stop(self) -> None:
        self._server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            length = next(
                (int(h.split(":")[1]) for h in head.split("\r\n") if h.lower().startswith("content-length")), 0
            )
            await reader.readexactly(length)
            target = urlsplit(head.split(" ")[1])
            query = {k: v[0] for k, v in parse_qs(target.query).items()}
            self.requests.append((target.path, query))
            reply = self.answer(target.path, query)
            await asyncio.sleep(reply.delay)
            await self._reply(writer, reply)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.hung_up = True
        except asyncio.CancelledError:
            pass  # shutting down with a reply still delayed
        finally:
            writer.close()

    async def _reply(self, writer: asyncio.StreamWriter, reply: Reply) -> None:
        headers = [f"HTTP/1.1 {reply.status} X", "Content-Type: application/json", "Connection: close"]
        headers += [f"{name}: {value}" for name, value in reply.headers.items()]
        if reply.next_cursor is not None:
            headers.append(
                f'Link: <{self.url}/x/?cursor={reply.next_cursor}>; rel="next"; results="true"; '
                f'cursor="{reply.next_cursor}"'
            )
        if not reply.stream_bytes:
            body = json.dumps(reply.body).encode()
            writer.write(("\r\n".join([*headers, f"Content-Length: {len(body)}"]) + "\r\n\r\n").encode() + body)
            await writer.drain()
            return
        framing = f"Content-Length: {reply.stream_bytes}" if reply.declared else "Transfer-Encoding: chunked"
        writer.write(("\r\n".join([*headers, framing]) + "\r\n\r\n").encode())
        chunk = b"[" + b"7," * (32 * 1024 - 1) + b"7"
        while self.body_bytes_sent < reply.stream_bytes:
            writer.write(chunk if reply.declared else f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.body_bytes_sent += len(chunk)
            await writer.drain()


def _issues(start: int, count: int, title: str | None = None) -> list[dict[str, Any]]:
    return [{"id": str(n), "shortId": f"WEB-{n}", "title": title or f"issue {n}"} for n in range(start, start + count)]


def _offset(query: dict[str, str]) -> int:
    """Where the page a request asks for starts (Sentry's cursors are ``value:offset:is_prev``)."""
    return int(query.get("cursor", "0:0:0").split(":")[1])


def _sentry(answer: Callable[[str, dict[str, str]], Reply]) -> Callable[[str, dict[str, str]], Reply]:
    """A self-hosted Sentry (no regions) whose issue list is ``answer``."""

    def route(path: str, query: dict[str, str]) -> Reply:
        if path == ISSUES:
            return answer(path, query)
        return Reply({"detail": "The requested resource does not exist"}, status=404)

    return route


@pytest.fixture
async def executor_for() -> AsyncIterator[Callable[..., Executor]]:
    made: list[Executor] = []

    def make(upstream: Upstream, timeout: float, **backend: Any) -> Executor:
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
    def answer(path: str, query: dict[str, str]) -> Reply:
        if "cursor" not in query:
            return Reply(_issues(0, 100), next_cursor="0:100:0")
        return Reply([], next_cursor=f"0:{_offset(query) + 100}:0")  # a new cursor each time

    with Upstream(_sentry(answer)) as upstream:
        result, elapsed = await _timed(executor_for(upstream, timeout=3), {"limit": 300})
        assert upstream.count(ISSUES) == 2, "the first empty page ends it (it used to loop 12,752 times)"
    meta = result["meta"]
    assert len(result["data"]) == 100 and elapsed < 1.0
    assert meta["stopped"] == "empty_page" and "empty page" in meta["note"]
    assert meta["has_more"] is True and meta["next_cursor"], "Sentry's own cursor, should the agent want it"


async def test_a_cursor_sent_again_ends_the_list(executor_for: Callable[..., Executor]) -> None:
    with Upstream(_sentry(lambda path, query: Reply(_issues(0, 100), next_cursor="0:100:0"))) as upstream:
        result, _ = await _timed(executor_for(upstream, timeout=3), {"limit": 500})
        assert upstream.count(ISSUES) == 2
    assert result["meta"]["stopped"] == "repeated_cursor" and len(result["data"]) == 200
    assert result["meta"]["has_more"] is False and result["meta"]["next_cursor"] is None, "resuming would loop"


async def test_short_pages_stop_after_the_pages_the_limit_can_need(executor_for: Callable[..., Executor]) -> None:
    def answer(path: str, query: dict[str, str]) -> Reply:
        start = _offset(query)
        return Reply(_issues(start, 10), next_cursor=f"0:{start + 10}:0")

    with Upstream(_sentry(answer)) as upstream:
        result, _ = await _timed(executor_for(upstream, timeout=3), {"limit": 300})
        assert upstream.count(ISSUES) == 4, "ceil(300 / 100) + 1 pages"
    meta = result["meta"]
    assert meta["stopped"] == "page_cap" and len(result["data"]) == 40
    assert meta["has_more"] is True and meta["next_cursor"] == "0:40:0", "the agent can page on"


async def test_slow_pages_share_the_calls_one_deadline(executor_for: Callable[..., Executor]) -> None:
    def answer(path: str, query: dict[str, str]) -> Reply:
        start = _offset(query)
        return Reply(_issues(start, 100), next_cursor=f"0:{start + 100}:0", delay=0.4)

    with Upstream(_sentry(answer)) as upstream:
        result, elapsed = await _timed(executor_for(upstream, timeout=1.0), {"limit": 500})
        assert upstream.count(ISSUES) == 3, "the third page was asked for, then abandoned at the deadline"
    assert 0.9 < elapsed < 1.0 + SLACK, "five 0.4 s pages used to take 2 s under a 1 s timeout"
    meta = result["meta"]
    assert meta["stopped"] == "deadline" and "SENTRY_MCP_TIMEOUT" in meta["note"]
    assert [row["id"] for row in result["data"]] == [str(n) for n in range(200)]
    assert meta["has_more"] is True and meta["next_cursor"] == "0:200:0", "resumes with the page that timed out"


async def test_a_rate_limit_wait_past_the_deadline_returns_the_pages_so_far(
    executor_for: Callable[..., Executor],
) -> None:
    def answer(path: str, query: dict[str, str]) -> Reply:
        if "cursor" not in query:
            return Reply(_issues(0, 100), next_cursor="0:100:0")
        return Reply({"detail": "Slow down"}, status=429, headers={"Retry-After": "30"})

    with Upstream(_sentry(answer)) as upstream:
        result, elapsed = await _timed(executor_for(upstream, timeout=2), {"limit": 300})
        assert upstream.count(ISSUES) == 2, "a 30 s wait does not fit a 2 s deadline: not waited, not retried"
    assert elapsed < 1 and len(result["data"]) == 100
    assert result["meta"]["stopped"] == "rate_limited" and result["meta"]["next_cursor"] == "0:100:0"


async def test_a_call_with_nothing_by_its_deadline_is_a_timeout_error(executor_for: Callable[..., Executor]) -> None:
    with Upstream(_sentry(lambda path, query: Reply(_issues(0, 100), next_cursor="0:100:0", delay=3))) as upstream:
        executor = executor_for(upstream, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeoutError, match=r"0\.5 s deadline"):
            await executor.execute("issues", "list", {"organization_slug": "acme", "limit": 300})
    assert time.monotonic() - started < 0.5 + SLACK


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "content-length"])
async def test_a_huge_body_stops_at_the_cap(executor_for: Callable[..., Executor], declared: bool) -> None:
    seen = "Content-Length 41,943,040" if declared else "stopped reading after 1,"
    with Upstream(_sentry(lambda path, query: Reply(stream_bytes=40 * MIB, declared=declared))) as upstream:
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
    def answer(path: str, query: dict[str, str]) -> Reply:
        if path.endswith("/token"):
            return Reply({"access_token": "abt-test", "expires_in": 900}, delay=0.3)
        if path.endswith("/execute"):
            return Reply(stream_bytes=40 * MIB)
        return Reply({"detail": "no"}, status=404)

    settings = Settings(airbyte_client_id="id", airbyte_client_secret="secret", airbyte_connector_id="c1", timeout=2)
    with Upstream(answer) as upstream:
        api = AirbyteAPI(api_url=upstream.url, client_id="id", client_secret=SecretStr("secret"), max_body_bytes=MIB)
        executor = Executor(settings, HostedBackend(api, connector_id="c1"))
        with pytest.raises(UpstreamProtocolError, match=r"The Airbyte API's answer to POST \S+ is larger than"):
            await executor.execute("projects", "list", {})
        assert upstream.body_bytes_sent < 16 * MIB

        slow = AirbyteAPI(api_url=upstream.url, client_id="id", client_secret=SecretStr("secret"))
        tight = Executor(settings.model_copy(update={"timeout": 0.5}), HostedBackend(slow, connector_id="c1"))
        upstream.answer = lambda path, query: Reply({"access_token": "abt-test", "expires_in": 900}, delay=0.3)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeoutError, match=r"0\.5 s deadline"):
            await tight.execute("projects", "list", {})  # token 0.3 s, then execute 0.3 s: each alone would fit
        assert time.monotonic() - started < 0.5 + SLACK
        await api.aclose()
        await slow.aclose()


async def test_a_one_megabyte_title_is_cut_and_the_result_stays_under_budget() -> None:
    title = "T" * 1_000_000

    def answer(path: str, query: dict[str, str]) -> Reply:
        if path == ISSUES:
            return Reply(_issues(0, 3, title))
        if path == "/api/0/organizations/acme/issues/WEB-1/":
            return Reply(_issues(1, 1, title)[0])
        if path == "/api/0/organizations/acme/issues/WEB-2/":  # no one string is huge, together they are
            return Reply({"id": "2", **{f"field{n}": "F" * 4_500 for n in range(10)}})
        return Reply({"detail": "The requested resource does not exist"}, status=404)

    with Upstream(answer) as upstream:
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
