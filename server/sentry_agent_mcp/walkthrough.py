"""``sentry-agent-mcp demo``: what an agent sees, end to end, with no credentials.

Starts the server as a subprocess on stdio against the embedded demo Sentry, connects the MCP SDK's
client exactly as Claude Desktop would, and prints each step.
"""

from __future__ import annotations

import json
import sys
import textwrap
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextContent

ORG, PROJECT = "acme", "web"
SEER_ISSUE = "API-1"
"""A demo issue whose Seer run has finished (server/sentry_demo/data/seer.json)."""
_WIDTH = 100


def _say(title: str) -> None:
    print(f"\n== {title}")


def _show(result: CallToolResult, limit: int = 700) -> Any:
    text = "".join(block.text for block in result.content if isinstance(block, TextContent))
    label = "isError " if result.is_error else ""
    shown = text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters in all)"
    print(textwrap.indent(textwrap.fill(label + shown, _WIDTH, break_on_hyphens=False), "   "))
    return None if result.is_error else json.loads(text)


def _data(result: CallToolResult) -> Any:
    """A step's JSON answer, not printed: the caller shows the part that matters."""
    if result.is_error:
        _show(result)
        raise SystemExit("The demo Sentry refused a scripted step: see above.")
    return result.structured_content


async def run_walkthrough() -> int:
    """Run the scripted session; 0 when every step behaved as expected."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "sentry_agent_mcp", "serve", "--demo"])
    print("Starting `sentry-agent-mcp serve --demo` on stdio and connecting an MCP client...")
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        writes = [t.name for t in tools if not (t.annotations and t.annotations.read_only_hint)]
        _say(f"tools/list: {len(tools)} tools, {len(writes)} that may write ({', '.join(writes) or 'writes are off'})")
        print(textwrap.indent(textwrap.fill(", ".join(t.name for t in tools), _WIDTH), "   "))

        _say("sentry_projects_list {}")
        projects = _show(await client.call_tool("sentry_projects_list", {}))
        print("   -> projects:", ", ".join(p["slug"] for p in projects["data"]))

        args: dict[str, Any] = {"organization_slug": ORG, "project_slug": PROJECT, "limit": 5}
        _say(f"sentry_issues_list {json.dumps(args)}")
        page = _show(await client.call_tool("sentry_issues_list", args))
        for issue in page["data"]:
            counts = f"{issue['count']:>6} events {issue['userCount']:>5} users"
            print(f"   -> {issue['shortId']:<8} {counts}  {issue['title']}")
        print(f"   meta: {page['meta']}")

        cursor = page["meta"]["next_cursor"]
        _say(f"sentry_issues_list, next page (cursor={cursor!r})")
        page2 = _show(await client.call_tool("sentry_issues_list", {**args, "cursor": cursor}))
        print("   -> ", ", ".join(i["shortId"] for i in page2["data"]), f"| meta: {page2['meta']}")

        short_id = page["data"][0]["shortId"]
        pasted = f"https://{ORG}.sentry.io/issues/{short_id}/"  # README "Pasted Sentry URLs"
        _say(f"sentry_issues_get {{'issue_id': '{pasted}'}}  (a pasted URL: ids and organization come from it)")
        issue = _show(await client.call_tool("sentry_issues_get", {"issue_id": pasted}), limit=300)
        print(f"   -> {issue['shortId']} status={issue['status']} first seen {issue['firstSeen']}")

        latest = {"organization_slug": ORG, "issue_id": short_id, "event_id": "latest"}
        _say(f"sentry_issue_events_get {json.dumps(latest)}  (only its trace id shown here)")
        trace_id = _data(await client.call_tool("sentry_issue_events_get", latest))["trace_id"]
        print(f"   -> trace_id {trace_id}")

        _say(f"sentry_traces_get {{'trace_id': '{trace_id}'}}  (the span tree, failing and slowest spans first)")
        trace = _data(await client.call_tool("sentry_traces_get", {"organization_slug": ORG, "trace_id": trace_id}))
        print(f"   -> {trace['counts']['spans']} spans, {trace['duration_ms']} ms, projects {trace['projects']}")
        print(textwrap.indent("\n".join(trace["tree"][:6]), "      "))

        seer_args = {"organization_slug": ORG, "issue_id": SEER_ISSUE}
        _say(f"sentry_issue_autofix_get {json.dumps(seer_args)}  (Seer's root cause and proposed fix)")
        seer = _data(await client.call_tool("sentry_issue_autofix_get", seer_args))
        print(f"   -> {seer['status']}; root cause:")
        print(textwrap.indent(textwrap.fill(seer["root_cause"]["description"], _WIDTH - 6), "      "))
        print(f"   -> fix: {seer['solution']['description']}")

        _say("A mistake the agent can repair: sentry_issues_list with an unknown param")
        bad = await client.call_tool("sentry_issues_list", {"organization_slug": ORG, "project": PROJECT})
        _show(bad)

    repeated = {i["shortId"] for i in page["data"]} & {i["shortId"] for i in page2["data"]}
    ok = bool(bad.is_error) and not repeated
    print("\nDone." if ok else "\nSomething was off: see above.")
    return 0 if ok else 1
