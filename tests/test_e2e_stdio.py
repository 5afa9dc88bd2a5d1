"""End to end over real stdio: the server as a subprocess, the demo Sentry as a real HTTP server.

This is the path Claude Desktop takes: spawn the command, speak JSON-RPC over the pipes, and the
server calls Sentry over HTTP with the configured token.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.views.issues import ISSUE_ROW_FACTS
from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN, PYTHON, server_env

pytestmark = pytest.mark.anyio
INITIALIZE = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}


def _params(demo: DemoSentryServer, **extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=PYTHON, args=["-m", "sentry_agent_mcp", "serve"], env=server_env(demo.url, **extra)
    )


async def test_every_seed_tool_over_stdio(demo_sentry: DemoSentryServer) -> None:
    async with Client(_params(demo_sentry)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        start = len(demo_sentry.requests)

        async def call(name: str, args: dict[str, Any]) -> Any:
            result = await client.call_tool(name, args)
            assert not result.is_error, (name, result.content)
            return result.structured_content

        projects = await call("sentry_projects_list", {})
        assert {"web", "api"} <= {p["slug"] for p in projects["data"]}
        project = await call("sentry_projects_get", {"organization_slug": "acme", "project_slug": "web"})
        detail = await call("sentry_project_detail_get", {"organization_slug": "acme", "project_slug": "web"})
        assert project["slug"] == detail["slug"] == "web"
        issues = await call("sentry_issues_list", {"organization_slug": "acme", "project_slug": "web", "limit": 5})
        short_id = issues["data"][0]["shortId"]
        issue = await call("sentry_issues_get", {"organization_slug": "acme", "issue_id": short_id})
        assert issue["shortId"] == short_id and issue["title"] == issues["data"][0]["title"]
        events = await call("sentry_events_list", {"organization_slug": "acme", "project_slug": "web"})
        event_id = events["data"][0]["eventID"]
        event = await call(
            "sentry_events_get", {"organization_slug": "acme", "project_slug": "web", "event_id": event_id}
        )
        assert event["eventID"] == event_id and event["exception"][0]["type"]
        releases = await call("sentry_releases_list", {"organization_slug": "acme", "query": "frontend@1.2.3"})
        version = next(r["version"] for r in releases["data"] if "build/45 beta" in r["version"])
        release = await call("sentry_releases_get", {"organization_slug": "acme", "version": version})
        assert release["version"] == "frontend@1.2.3+build/45 beta"

    assert "sentry_execute" in names
    received = demo_sentry.requests[start:]
    paths = [r.path for r in received]
    assert "/api/0/projects/" in paths
    assert "/api/0/organizations/acme/releases/frontend%401.2.3%2Bbuild%2F45%20beta/" in paths
    assert f"/api/0/organizations/acme/issues/{short_id}/" in paths
    assert all(r.headers.get("authorization") == f"Bearer {CANARY_TOKEN}" for r in received)
    issue_request = next(r for r in received if r.path == "/api/0/organizations/acme/issues/")
    assert ("limit", "5") in issue_request.query and ("project", project["id"]) in issue_request.query


async def test_paging_with_next_cursor_misses_and_repeats_nothing(demo_sentry: DemoSentryServer) -> None:
    args = {"organization_slug": "acme", "project_slug": "web", "query": "", "limit": 40}
    seen: list[str] = []
    pages = 0
    async with Client(_params(demo_sentry)) as client:
        cursor = None
        while True:
            result = await client.call_tool("sentry_issues_list", {**args, **({"cursor": cursor} if cursor else {})})
            assert not result.is_error
            page = result.structured_content
            assert page is not None
            seen.extend(issue["shortId"] for issue in page["data"])
            pages += 1
            if not page["meta"]["has_more"]:
                assert page["meta"]["next_cursor"] is None
                break
            cursor = page["meta"]["next_cursor"]
            assert pages < 20, "pagination does not end"
        project = await client.call_tool("sentry_projects_get", {"organization_slug": "acme", "project_slug": "web"})
    assert len(seen) == len(set(seen)), "an issue came twice"
    assert pages >= 3
    expected = _all_issue_ids(demo_sentry.url, project.structured_content["id"])  # type: ignore[index]
    assert set(seen) == expected, "an issue is missing"


def _all_issue_ids(url: str, project_id: str) -> set[str]:
    """Every short id: ground truth from the demo Sentry's own issue search with the largest page size."""
    import httpx2

    ids: set[str] = set()
    cursor = None
    with httpx2.Client(base_url=url, headers={"Authorization": f"Bearer {CANARY_TOKEN}"}) as http:
        while True:
            params = {"query": "", "limit": "100", **({"cursor": cursor} if cursor else {})}
            response = http.get("/api/0/organizations/acme/issues/", params={**params, "project": project_id})
            response.raise_for_status()
            ids.update(issue["shortId"] for issue in response.json())
            assert all(issue["project"]["id"] == project_id for issue in response.json())
            links = response.headers["link"]
            if 'rel="next"; results="true"' not in links:
                return ids
            cursor = links.split('rel="next"; results="true"; cursor="')[1].split('"')[0]


async def test_errors_from_sentry_reach_the_agent_without_the_token(demo_sentry: DemoSentryServer) -> None:
    bad = StdioServerParameters(
        command=PYTHON, args=["-m", "sentry_agent_mcp", "serve"], env=server_env(demo_sentry.url, token="sntryu_wrong")
    )
    async with Client(bad) as client:
        result = await client.call_tool("sentry_projects_list", {})
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert "HTTP 401" in text and "Invalid token" in text and "sntryu_wrong" not in text


_SESSION = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INITIALIZE},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "sentry_issues_get", "arguments": {}}},
    {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "sentry_issues_get", "arguments": {"organization_slug": "acme", "issue_id": "WEB-1A"}},
    },
]


def _script(lines: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_a_raw_session_over_pipes_is_answered_and_ends_cleanly_when_stdin_closes(
    demo_sentry: DemoSentryServer,
) -> None:
    """The pipes a client spawns us with: a whole session, then a clean exit when stdin closes."""
    process = subprocess.Popen(
        [PYTHON, "-m", "sentry_agent_mcp", "serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=server_env(demo_sentry.url),
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(_script(_SESSION))
        process.stdin.flush()
        by_id: dict[int, Any] = {}
        while 3 not in by_id:
            message = json.loads(process.stdout.readline())
            by_id[message.get("id", 0)] = message
        process.stdin.close()
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    assert by_id[1]["result"]["serverInfo"]["name"] == "sentry-agent-mcp"
    assert by_id[2]["result"]["isError"] and "organization_slug" in by_id[2]["result"]["content"][0]["text"]
    assert by_id[3]["result"]["structuredContent"]["shortId"] == "WEB-1A"
    assert process.stdout.read() == b""  # nothing but JSON-RPC lines on the wire


def test_stdin_from_a_regular_file_is_served_by_the_sdk_transport(tmp_path: Path) -> None:
    """A file cannot be watched by the event loop; the SDK's threaded transport reads it instead."""
    path = tmp_path / "session.jsonl"
    path.write_bytes(_script(_SESSION[:1]))
    with path.open("rb") as stdin:
        done = subprocess.run(
            [PYTHON, "-m", "sentry_agent_mcp", "serve", "--demo"], stdin=stdin, capture_output=True, timeout=60
        )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    (reply,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert reply["id"] == 1 and reply["result"]["serverInfo"]["name"] == "sentry-agent-mcp"


def test_while_serving_fd_0_reads_nothing_and_sys_stdin_only_screened_lines_and_both_come_back_after() -> None:
    code = (
        "import os, sys\n"
        "from sentry_agent_mcp.stdio import guarded_stdin\n"
        "before, wire = sys.stdin, os.fstat(0)\n"
        "with guarded_stdin():\n"
        "    assert os.read(0, 10) == b''\n"
        "    os.write(1, sys.stdin.buffer.readline() + sys.stdin.buffer.readline())\n"
        "assert sys.stdin is before and os.path.samestat(os.fstat(0), wire)\n"
        "os.write(1, b'after')\n"
    )
    ping = b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n'
    done = subprocess.run([PYTHON, "-c", code], input=ping + b"42\n", capture_output=True, timeout=60, check=True)
    assert done.stdout == ping + b"after"  # 42 is no message and names no request: skipped
    assert b"skipped a line" in done.stderr


async def test_column_wise_lists_carry_the_same_rows_in_fewer_characters(demo_sentry: DemoSentryServer) -> None:
    args = {"organization_slug": "acme", "project_slug": "web", "limit": 25}
    reference = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=demo_sentry.url)
    async with Client(SentryMCPServer(reference)) as plain:  # the rows as objects; in-process is enough here
        objects = await plain.call_tool("sentry_issues_list", args)
    async with Client(_params(demo_sentry, SENTRY_MCP_LIST_FORMAT="columns")) as client:
        assert "column-wise" in (client.instructions or "")
        table = await client.call_tool("sentry_issues_list", args)
        cursor = table.structured_content["meta"]["next_cursor"]  # type: ignore[index]
        page_two = await client.call_tool("sentry_issues_list", {**args, "cursor": cursor})
        one = await client.call_tool("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A"})
    rows, columns = objects.structured_content["data"], table.structured_content["columns"]  # type: ignore[index]
    assert set(ISSUE_ROW_FACTS) <= set(columns)
    rebuilt = [
        {k: v for k, v in zip(columns, row, strict=True) if v is not None} for row in table.structured_content["data"]
    ]  # type: ignore[index]
    assert rebuilt == rows and len(rows) == 25
    assert json.loads(table.content[0].text) == table.structured_content  # type: ignore[union-attr]
    assert len(table.content[0].text) < 0.8 * len(objects.content[0].text)  # type: ignore[union-attr]
    second = page_two.structured_content
    assert second["columns"] and not {r[1] for r in second["data"]} & {r["shortId"] for r in rows}  # type: ignore[index]
    assert one.structured_content["shortId"] == "WEB-1A"  # a get is an object either way  # type: ignore[index]


def test_output_to_a_device_such_as_dev_null_does_not_break_the_server() -> None:
    """stdout may be a device, not a pipe (``> /dev/null`` in a script): the server still runs and exits 0."""
    done = subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", "serve", "--demo"],
        input=_script(_SESSION[:1]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
