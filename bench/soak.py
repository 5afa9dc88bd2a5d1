"""Soak: the server over streamable HTTP, many concurrent clients, a Sentry that fails ~10% of the time.

Starts ``python -m sentry_demo --fault-rate 0.1`` (429s with and without Retry-After,
500, 502 HTML, 503, slow answers, dropped connections, truncated JSON) and ``sentry-agent-mcp serve
--transport streamable-http`` (bearer token on) as subprocesses, then runs concurrent ``mcp.Client``
sessions that each make a share of the calls. Every call asks for one specific object (an issue by
numeric or short id, a project, a release, also through ``sentry_execute``) and its answer must be that
object or a clear ``isError`` result: a lost call (exception, hang) or an answer about another object
fails the run, as does any traceback or ERROR line in the server's log. The server's RSS is read from
``/proc/<pid>/status`` after warm-up and at the end.

    .venv/bin/python bench/soak.py                           # 32 clients, 10,000 calls
    .venv/bin/python bench/soak.py --clients 64 --calls 20000
    .venv/bin/python bench/soak.py --workers 2             # stateless, 2 worker processes (README "Deploy for a team")
    .venv/bin/python bench/soak.py --workers 2 --per-user  # and each client one demo user (bench/soak_users.py)

tests/test_soak.py runs 4 clients x 50 calls; tests/test_soak_per_user.py 6 clients x 15 calls per-user.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import anyio
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.types import CallToolResult

from common import median, ms, percentile
from sentry_demo import dataset
from sentry_demo.server import free_port, wait_for_port
from soak_users import (
    TOKEN_CHECK_UNAVAILABLE,
    UnavailableCounter,
    Visibility,
    per_user_headers,
    user_of_client,
    user_tokens,
)

CANARY = "sntryu_canary0123456789abcdef0123456789abcdef0123456789abcdef0123"
HTTP_TOKEN = "soak-http-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0"
PYTHON = sys.executable
ERROR_TYPES = {"upstream_error", "rate_limited", "timeout", "connection_error", "bad_response"}
_PROBLEM = re.compile(r"Traceback|^ERROR|Exception in|unhandled", re.MULTILINE)


@dataclass
class Report:
    clients: int
    calls: int = 0
    matched: int = 0
    refused: int = 0
    """Per-user mode: objects of another user's teams, refused with Sentry's 404 as they should be."""
    cross_user: int = 0
    """Per-user mode: answers holding a project or issue their caller cannot see (also in ``problems``)."""
    latencies: list[float] = field(default_factory=list)
    clear_errors: collections.Counter[str] = field(default_factory=collections.Counter)
    problems: list[str] = field(default_factory=list)
    """Lost, mismatched or unclear answers, and problem lines of the server log."""
    rss_start_kib: int = 0
    rss_end_kib: int = 0
    rss_peak_kib: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    demo_summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and self.matched + self.refused + sum(self.clear_errors.values()) == self.calls


def rss_kib(pid: int) -> int:
    """RSS of ``pid`` and its children (a ``--workers`` supervisor and its workers); Linux."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return (int(match.group(1)) if match else 0) + sum(rss_kib(int(child)) for child in children)


def _wait_for(predicate: Any, process: subprocess.Popen[bytes], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not start within {timeout} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def demo_sentry(fault_rate: float, seed: int, log: Path, tokens: list[str] | None = None) -> Iterator[str]:
    """The demo Sentry subprocess with chaos faults, accepting ``tokens`` (default: the canary); yields its URL."""
    accepted = [argument for token in tokens or [CANARY] for argument in ("--token", token)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(PYTHON, "-m", "sentry_demo", "--port", "0", *accepted),
                *("--rate-limit", "100000", "--fault-rate", str(fault_rate), "--fault-seed", str(seed)),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            found = _wait_for(lambda: re.search(rb"listening on (\S+)", log.read_bytes()), process, "demo Sentry")
            yield found.group(1).decode()
        finally:
            _stop(process)


@contextmanager
def mcp_server(sentry_url: str, log: Path, workers: int = 0, per_user: bool = False) -> Iterator[tuple[int, int]]:
    """``sentry-agent-mcp serve --transport streamable-http`` against ``sentry_url``; yields (port, pid).

    ``workers``: 0 for the default stateful process, N for ``--stateless --workers N``. ``per_user``: the
    server holds no Sentry token and no shared bearer (``--http-auth per-user``): each client sends its own.
    """
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SENTRY_HOSTNAME": sentry_url,
        "PYTHONUNBUFFERED": "1",
    }
    if not per_user:
        env |= {"SENTRY_AUTH_TOKEN": CANARY, "SENTRY_MCP_HTTP_TOKEN": HTTP_TOKEN}
    command = [PYTHON, "-m", "sentry_agent_mcp", "serve", "--transport", "streamable-http", "--port", str(port)]
    if workers:
        command += ["--stateless", "--workers", str(workers)]
    if per_user:
        command += ["--http-auth", "per-user"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process)
            yield port, process.pid
        finally:
            _stop(process)


class Request(NamedTuple):
    """One call that asks for one object, how to recognise that object, and the project it belongs to."""

    tool: str
    args: dict[str, Any]
    key: str
    expected: str
    project: str | None
    """None for org-wide objects (releases): the demo shows those to every user, so per-user mode skips them."""


def _requests(per_user: bool = False) -> list[Request]:
    data = dataset()
    calls: list[Request] = []
    for issue in data.issues:
        org, project = {"organization_slug": "acme"}, issue.project_slug
        calls.append(Request("sentry_issues_get", {**org, "issue_id": issue.id}, "id", issue.id, project))
        calls.append(Request("sentry_issues_get", {**org, "issue_id": issue.short_id}, "id", issue.id, project))
        execute = {"entity": "issues", "action": "get", "params": {**org, "issue_id": issue.short_id}}
        calls.append(Request("sentry_execute", execute, "shortId", issue.short_id, project))
    for project in data.projects:
        args = {"organization_slug": "acme", "project_slug": project.slug}
        calls.append(Request("sentry_projects_get", args, "slug", project.slug, project.slug))
    for release in data.releases:
        args = {"organization_slug": "acme", "version": release.version}
        calls.append(Request("sentry_releases_get", args, "version", release.version, None))
    return [call for call in calls if call.project is not None] if per_user else calls


def client_headers(worker: int, per_user: bool = False) -> dict[str, str]:
    """What client ``worker`` sends with every request: the shared bearer token, or in per-user mode its
    demo user's own ``Sentry-Bearer`` token (``soak_users.user_of_client``)."""
    return per_user_headers(worker) if per_user else {"Authorization": f"Bearer {HTTP_TOKEN}"}


async def _open(stack: AsyncExitStack, port: int, http: Any, unavailable: UnavailableCounter) -> Client:
    """The client's session; a per-user token check Sentry could not answer (503) is retried, as its
    ``Retry-After`` asks (sooner: 1 s), up to 4 times."""
    for _ in range(4):
        before = unavailable.count
        try:
            return await stack.enter_async_context(Client(streamable_http_client(_url(port), http_client=http)))
        except Exception:
            if unavailable.count == before:
                raise
            await anyio.sleep(1)
    return await stack.enter_async_context(Client(streamable_http_client(_url(port), http_client=http)))


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}/mcp"


async def _client(port: int, worker: int, count: int, report: Report, per_user: bool = False) -> None:
    requests = _requests(per_user)
    visibility = Visibility.of(user_of_client(worker)) if per_user else None
    unavailable = UnavailableCounter()
    http = create_mcp_http_client(headers=client_headers(worker, per_user))
    http.event_hooks["response"].append(unavailable)
    async with http, AsyncExitStack() as stack:
        client = await _open(stack, port, http, unavailable)
        for n in range(count):
            request = requests[(worker * 7919 + n * 31) % len(requests)]
            started, before = time.monotonic(), unavailable.count
            try:
                with anyio.fail_after(60):
                    result = await client.call_tool(request.tool, request.args)
            except Exception as exc:  # a lost call (the run fails), unless the server said 503 "retry later"
                if unavailable.count > before:
                    report.clear_errors[TOKEN_CHECK_UNAVAILABLE] += 1
                else:
                    report.problems.append(f"lost: {request.tool} {request.args}: {type(exc).__name__}: {exc}")
                continue
            finally:
                report.calls += 1
                report.slowest = max(report.slowest, time.monotonic() - started)
                report.latencies.append(time.monotonic() - started)
            _judge(result, request, report, visibility)


def _judge(result: CallToolResult, request: Request, report: Report, visibility: Visibility | None) -> None:
    """Count one answer. ``visibility`` (per-user mode): what the caller may see."""
    content = result.structured_content or {}
    asked = f"{request.tool} {request.args}"
    hidden = visibility is not None and not visibility.sees(request.project)
    leaked = visibility.hidden_in(content) if visibility is not None else []
    if leaked:
        report.cross_user += 1
        report.problems.append(f"cross-user: {asked} for member {visibility and visibility.user.member_id}: {leaked}")
        return
    if result.is_error:
        error = content.get("error")
        if not (isinstance(error, dict) and error.get("type") in ERROR_TYPES and error.get("message")):
            report.problems.append(f"unclear error for {asked}: {content}")
        elif visibility is not None and error.get("status") == 404:
            if hidden:
                report.refused += 1
            else:
                report.problems.append(f"refused its own user: {asked}: {error.get('message')}")
        else:
            report.clear_errors[str(error["type"])] += 1
    elif hidden:
        report.cross_user += 1
        report.problems.append(f"cross-user: {asked} answered though hidden from its caller")
    elif str(content.get(request.key)) == str(request.expected):
        report.matched += 1
    else:
        report.problems.append(f"mismatch: {asked} answered {request.key}={content.get(request.key)!r}")


async def _drive(port: int, pid: int, clients: int, calls: int, report: Report, per_user: bool = False) -> None:
    share = [calls // clients + (1 if n < calls % clients else 0) for n in range(clients)]
    # Warm-up (imports, region and organization lookups), then the RSS baseline.
    await _client(port, 0, 5, Report(clients), per_user)
    report.rss_start_kib = report.rss_peak_kib = rss_kib(pid)

    async def sample() -> None:
        while True:
            report.rss_peak_kib = max(report.rss_peak_kib, rss_kib(pid))
            await anyio.sleep(1)

    started = time.monotonic()
    async with anyio.create_task_group() as group:
        group.start_soon(sample)
        async with anyio.create_task_group() as workers:
            for worker, count in enumerate(share):
                workers.start_soon(_client, port, worker, count, report, per_user)
        group.cancel_scope.cancel()
    report.seconds = time.monotonic() - started
    report.rss_end_kib = rss_kib(pid)


def run(
    clients: int,
    calls: int,
    fault_rate: float = 0.1,
    seed: int = 1,
    workdir: Path | None = None,
    workers: int = 0,
    per_user: bool = False,
) -> Report:
    """The whole soak; logs go to ``workdir`` (a temporary folder by default); ``workers`` and ``per_user``
    as ``mcp_server``'s."""
    report = Report(clients)
    with tempfile.TemporaryDirectory() as scratch:
        folder = workdir or Path(scratch)
        server_log = folder / "server.log"
        with (
            demo_sentry(fault_rate, seed, folder / "demo-sentry.log", user_tokens() if per_user else None) as url,
            mcp_server(url, server_log, workers, per_user) as (port, pid),
        ):
            anyio.run(_drive, port, pid, clients, calls, report, per_user)
        log = server_log.read_text(errors="replace")
        report.problems += [f"server log: {line}" for line in log.splitlines() if _PROBLEM.search(line)][:50]
        if any(token in log for token in (CANARY, HTTP_TOKEN, *user_tokens())):
            report.problems.append("a token appears in the server log")
        summary = re.search(r"demo Sentry served .*", (folder / "demo-sentry.log").read_text(errors="replace"))
        report.demo_summary = summary.group(0) if summary else ""
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="serve --stateless --workers N (default: stateful)")
    parser.add_argument("--per-user", action="store_true", help="serve --http-auth per-user; clients are demo users")
    args = parser.parse_args(argv)
    report = run(args.clients, args.calls, args.fault_rate, args.seed, workers=args.workers, per_user=args.per_user)
    print(
        f"{report.calls} calls from {report.clients} clients in {report.seconds:.1f} s "
        f"({report.calls / max(report.seconds, 1e-9):.0f}/s), slowest {report.slowest:.2f} s"
    )
    print(f"matched answers: {report.matched}; clear errors: {dict(report.clear_errors)}")
    if args.per_user:
        print(f"refused (another team's object, HTTP 404): {report.refused}; cross-user answers: {report.cross_user}")
    if report.latencies:
        print(f"latency p50 {ms(median(report.latencies)):.0f} ms, p99 {ms(percentile(report.latencies, 99)):.0f} ms")
    print(report.demo_summary)
    print(
        f"server RSS: start {report.rss_start_kib / 1024:.1f} MiB, end {report.rss_end_kib / 1024:.1f} MiB, "
        f"peak {report.rss_peak_kib / 1024:.1f} MiB"
    )
    print(f"problems (lost, mismatched, unclear, server log): {len(report.problems)}")
    for problem in report.problems[:20]:
        print(f"  {problem}", file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
