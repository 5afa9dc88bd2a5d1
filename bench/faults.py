"""Fault matrix: every fault the demo Sentry injects x (read, idempotent write, non-idempotent write).

The demo Sentry runs as a real HTTP server; the MCP server (in memory, direct backend, writes on) calls
it over sockets. For each cell the outcome an agent sees is asserted: data after recovery or a clear
error, within a bounded time, after the expected number of upstream attempts (counted in the demo's
request log), and for the note (a POST) how many notes really exist afterwards.

    .venv/bin/python bench/faults.py                # the whole matrix, 5 rounds
    .venv/bin/python bench/faults.py --rounds 1     # once

tests/test_faults.py runs one round of the same cases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from mcp import Client
from mcp.types import TextContent

from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DEMO_TOKEN, DemoSentryServer

_SERIAL = itertools.count(1)
"""Notes get distinct texts: Sentry (and the demo) refuse the same comment twice."""
CANARY = "sntryu_canary0123456789abcdef0123456789abcdef0123456789abcdef0123"
ISSUE = "WEB-1A"


@dataclass(frozen=True)
class Op:
    """One kind of call: what the agent calls and which upstream request the fault targets."""

    name: str
    tool: str
    args: dict[str, Any]
    method: str
    suffix: str


OPS = [
    Op("read", "sentry_issues_get", {"organization_slug": "acme", "issue_id": ISSUE}, "GET", f"/issues/{ISSUE}/"),
    Op(
        "put",
        "sentry_issues_update",
        {"organization_slug": "acme", "issue_id": ISSUE, "is_bookmarked": True},
        "PUT",
        f"/issues/{ISSUE}/",
    ),
    Op(
        "post",
        "sentry_issue_notes_create",
        {"organization_slug": "acme", "issue_id": ISSUE, "text": "fault matrix note"},
        "POST",
        f"/issues/{ISSUE}/notes/",
    ),
]


@dataclass(frozen=True)
class Expect:
    data: bool
    attempts: int
    words: tuple[str, ...] = ()
    """Each must appear in the error text (for data: ignored)."""
    notes: int | None = None
    """Notes the call leaves behind (POST only)."""
    min_seconds: float = 0.0
    max_seconds: float = 3.0


@dataclass(frozen=True)
class Case:
    name: str
    fault: dict[str, Any]
    expect: dict[str, Expect]
    deadline: float = 5.0


def _same(expect: Expect) -> dict[str, Expect]:
    return {op.name: expect for op in OPS}


_NOT_SENT_AGAIN = ("not sent again", "may or may not")
CASES = [
    Case(
        "429 Retry-After: 1, once",
        {"status": 429, "headers": {"Retry-After": "1"}},
        {op.name: Expect(True, 2, notes=1 if op.name == "post" else None, min_seconds=1.0) for op in OPS},
    ),
    Case(
        "429 no Retry-After, not JSON-labelled, once",
        {"status": 429, "content_type": "text/html"},
        {op.name: Expect(True, 2, notes=1 if op.name == "post" else None) for op in OPS},
    ),
    Case(
        "429 Retry-After: 60, always",
        {"status": 429, "headers": {"Retry-After": "60"}, "times": None},
        _same(Expect(False, 1, ("HTTP 429", "Retry after about 60 s"), notes=0, max_seconds=1.0)),
    ),
    Case(
        "429 from the limiter (reset header), always",
        {"status": 429, "headers": {"X-Sentry-Rate-Limit-Remaining": "0", "X-Sentry-Rate-Limit-Reset": "@+120"}},
        _same(Expect(False, 1, ("HTTP 429", "too frequently", "Retry after about"), notes=0, max_seconds=1.0)),
    ),
    Case(
        "500, once",
        {"status": 500},
        {
            "read": Expect(True, 2),
            "put": Expect(True, 2),
            "post": Expect(False, 1, ("HTTP 500", "Internal Error", *_NOT_SENT_AGAIN), notes=0),
        },
    ),
    Case(
        "502 HTML, always",
        {"status": 502, "times": None},
        {
            "read": Expect(False, 3, ("HTTP 502", "Bad Gateway", "3 attempts")),
            "put": Expect(False, 3, ("HTTP 502", "Bad Gateway", "3 attempts")),
            "post": Expect(False, 1, ("HTTP 502", "Bad Gateway", *_NOT_SENT_AGAIN), notes=0),
        },
    ),
    Case(
        "503, twice",
        {"status": 503, "times": 2},
        {
            "read": Expect(True, 3),
            "put": Expect(True, 3),
            "post": Expect(False, 1, ("HTTP 503", *_NOT_SENT_AGAIN), notes=0),
        },
    ),
    Case(
        "slow beyond the deadline",
        {"status": None, "delay": 30.0},
        _same(Expect(False, 1, ("did not answer", "2 s deadline"), notes=0, min_seconds=1.9, max_seconds=3.0)),
        deadline=2.0,
    ),
    Case(
        "connection dropped mid-answer, once",
        {"disconnect": True},
        {
            "read": Expect(True, 2),
            "put": Expect(True, 2),
            "post": Expect(False, 1, ("RemoteProtocolError", *_NOT_SENT_AGAIN), notes=1),
        },
    ),
    Case(
        "truncated JSON, once",
        {"status": None, "truncate": True},
        _same(Expect(False, 1, ("not with JSON",), notes=1)),
    ),
    Case(
        "HTML page with HTTP 200",
        {"status": 200, "body": b"<html><body>Please log in</body></html>", "content_type": "text/html"},
        _same(Expect(False, 1, ("not with JSON", "text/html", "Please log in"), notes=0)),
    ),
    Case(
        "JSON labelled text/plain",
        {"status": None, "content_type": "text/plain"},
        {op.name: Expect(True, 1, notes=1 if op.name == "post" else None) for op in OPS},
    ),
    Case(
        "204 no content",
        {"status": 204, "body": b""},
        {
            "read": Expect(False, 1, ("HTTP 204", "no content")),
            "put": Expect(True, 1),
            "post": Expect(True, 1, notes=0),
        },
    ),
    Case(
        "302 resource-moved",
        {"status": 302, "moved_slug": "web"},
        _same(Expect(False, 1, ("HTTP 302", "project_slug='web'"), notes=0)),
    ),
]


@dataclass
class Result:
    case: str
    op: str
    data: bool
    attempts: int
    seconds: float
    text: str
    notes: int | None
    problems: list[str] = field(default_factory=list)


def _fault_kwargs(fault: dict[str, Any]) -> dict[str, Any]:
    headers = dict(fault.get("headers", {}))
    if headers.get("X-Sentry-Rate-Limit-Reset", "").startswith("@+"):  # relative reset, fixed at injection time
        headers["X-Sentry-Rate-Limit-Reset"] = str(int(time.time()) + int(headers["X-Sentry-Rate-Limit-Reset"][2:]))
    if "X-Sentry-Rate-Limit-Remaining" in headers:
        body = b'{"detail":"You are attempting to use this endpoint too frequently. Limit is 10 requests in 1 seconds"}'
        fault = {**fault, "body": body, "content_type": "text/html"}  # Sentry's real 429: raw bytes
    return {**fault, "headers": headers}


async def _cell(demo: DemoSentryServer, case: Case, op: Op, client: Client) -> Result:
    store = demo.app.store
    issue = store.issue(ISSUE)
    assert issue is not None
    notes_before = len(store.notes_of(issue))
    start_log = len(demo.requests)
    args = {**op.args, "text": f"{op.args['text']} {next(_SERIAL)}"} if "text" in op.args else op.args
    started = time.monotonic()
    result = await client.call_tool(op.tool, args)
    seconds = time.monotonic() - started
    sent = [r for r in demo.requests[start_log:] if r.method == op.method and r.path.endswith(op.suffix)]
    text = " ".join(block.text for block in result.content if isinstance(block, TextContent))
    notes = len(store.notes_of(issue)) - notes_before if op.name == "post" else None
    outcome = Result(case.name, op.name, not result.is_error, len(sent), seconds, text, notes)
    _check(outcome, case.expect[op.name])
    return outcome


async def run_case(demo: DemoSentryServer, case: Case) -> list[Result]:
    """Run one fault against the three ops at once, each on a fresh MCP server (no learnt pause carries over).

    The ops cannot disturb each other: each fault only matches its op's method and path.
    """
    settings = Settings(
        backend="direct", auth_token=CANARY, hostname=demo.url, allow_writes=True, timeout=case.deadline
    )
    demo.app.clear_faults()
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(Client(SentryMCPServer(settings))) for _ in OPS]
        # Regions, the organization and a pooled connection, before the fault.
        await asyncio.gather(*(c.call_tool("sentry_organizations_get", {"organization_slug": "acme"}) for c in clients))
        for op in OPS:
            demo.add_fault(method=op.method, path_contains=op.suffix, **_fault_kwargs(case.fault))
        cells = (_cell(demo, case, op, client) for op, client in zip(OPS, clients, strict=True))
        results = await asyncio.gather(*cells)
    demo.app.clear_faults()
    return list(results)


def _check(result: Result, expect: Expect) -> None:
    problems = result.problems
    if result.data != expect.data:
        problems.append(f"expected {'data' if expect.data else 'an error'}, got: {result.text[:300]}")
    if result.attempts != expect.attempts:
        problems.append(f"expected {expect.attempts} upstream attempts, the demo saw {result.attempts}")
    if not expect.data:
        missing = [word for word in expect.words if word not in result.text]
        problems += [f"error text lacks {word!r}: {result.text[:300]}" for word in missing]
    if not expect.min_seconds <= result.seconds <= expect.max_seconds:
        problems.append(f"took {result.seconds:.2f} s, expected {expect.min_seconds}-{expect.max_seconds} s")
    if result.notes is not None and expect.notes is not None and result.notes != expect.notes:
        problems.append(f"left {result.notes} new notes, expected {expect.notes}")
    if CANARY in result.text:
        problems.append("the Sentry token appears in the answer")


async def run_matrix(demo: DemoSentryServer, rounds: int = 1) -> list[Result]:
    return [result for _ in range(rounds) for case in CASES for result in await run_case(demo, case)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY]) as demo:
        started = time.monotonic()
        results = asyncio.run(run_matrix(demo, args.rounds))
        total = time.monotonic() - started
    failed = [r for r in results if r.problems]
    print(f"{'fault':48} {'op':5} {'outcome':7} {'attempts':>8} {'max s':>6}")
    for case in CASES:
        for op in OPS:
            cell = [r for r in results if r.case == case.name and r.op == op.name]
            outcome = "data" if all(r.data for r in cell) else "error" if not any(r.data for r in cell) else "mixed"
            attempts = sorted({r.attempts for r in cell})
            print(f"{case.name:48} {op.name:5} {outcome:7} {attempts!s:>8} {max(r.seconds for r in cell):6.2f}")
    print(
        f"\n{len(results)} calls ({len(CASES)} faults x {len(OPS)} ops x {args.rounds} rounds) in {total:.1f} s; "
        f"{len(failed)} failed expectations"
    )
    for r in failed:
        print(f"FAIL {r.case} / {r.op}: {'; '.join(r.problems)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
