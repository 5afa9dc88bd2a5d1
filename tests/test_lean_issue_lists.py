"""Leaner issue lists: the compact row asks Sentry to leave out what it never shows (``collapse=stats`` and the
other items of ``STREAM_COLLAPSE``); ``detail='full'`` and ``fields`` that read a collapsed key do not. Through an
MCP client against the demo Sentry over real HTTP, asserting on the requests the demo received; and the demo's
collapsed answers against Sentry's OpenAPI spec, less what ``collapse`` is documented to remove."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from jsonschema import Draft4Validator
from mcp import Client

from sentry_agent_mcp.catalog import CATALOG
from sentry_agent_mcp.catalog.issues import STREAM_COLLAPSE
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.views.issues import ISSUE_ROW
from sentry_demo import DemoSentryServer
from sentry_demo.http import RecordedRequest
from sentry_demo.issue_records import SEEN_STATS
from test_coverage import Agent
from test_demo_openapi import _schemas, fix_known_spec_gaps, to_json_schema

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio
LIST = {"organization_slug": "acme", "project_slug": "web", "query": "", "limit": 5}
ALL_ITEMS = [item.value for item in STREAM_COLLAPSE]
REMOVED = {key for item in STREAM_COLLAPSE for key in item.removes}
ISSUES_TEMPLATE = "GET /api/0/organizations/{organization_id_or_slug}/issues/"


@pytest.fixture
async def agent(demo_sentry: DemoSentryServer) -> AsyncIterator[Agent]:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=demo_sentry.url)
    async with Client(SentryMCPServer(settings)) as client:
        yield Agent(client, demo_sentry)


def collapsed(request: RecordedRequest) -> list[str]:
    return [value for name, value in request.query if name == "collapse"]


def test_the_issue_list_declares_what_its_row_never_shows() -> None:
    """Only the compact row's own keys stay: every collapsed key is one the view never reads."""
    route = CATALOG[("issues", "list")].routes[0]
    assert route.compact_query == STREAM_COLLAPSE and not route.lean_query  # declared, never sent as declared
    row = ISSUE_ROW.apply({key: "x" for key in REMOVED} | {"id": "1", "title": "t"})
    assert not REMOVED & set(row)


async def test_compact_rows_ask_for_no_stats_and_read_the_same(agent: Agent) -> None:
    compact, lean = await agent.call("sentry_issues_list", LIST)
    full, whole = await agent.call("sentry_issues_list", {**LIST, "detail": "full"})
    assert collapsed(lean) == ALL_ITEMS and lean.path == whole.path == "/api/0/organizations/acme/issues/"
    assert collapsed(whole) == [] and [p for p in lean.query if p[0] != "collapse"] == whole.query
    assert all("stats" in row and "lifetime" in row and "isUnhandled" in row for row in full["data"])
    assert compact["data"] == [ISSUE_ROW.apply(row) for row in full["data"]]  # the same rows, whichever answer
    assert compact["meta"] == full["meta"] and len(compact["data"]) == LIST["limit"]


async def test_fields_under_a_collapsed_key_keep_it(agent: Agent) -> None:
    stats, sent = await agent.call("sentry_issues_list", {**LIST, "fields": ["shortId", "stats"]})
    assert "stats" not in collapsed(sent) and all(row["stats"]["24h"] for row in stats["data"])
    assert collapsed(sent) == [item for item in ALL_ITEMS if item != "stats"]  # nothing the fields read
    lifetime, sent = await agent.call("sentry_issues_list", {**LIST, "fields": ["lifetime.count", "isUnhandled"]})
    assert collapsed(sent) == ["filtered"] and all({"lifetime", "isUnhandled"} <= set(r) for r in lifetime["data"])
    plain, sent = await agent.call("sentry_issues_list", {**LIST, "fields": ["shortId", "title"]})
    assert collapsed(sent) == ALL_ITEMS and all(set(row) == {"shortId", "title"} for row in plain["data"])


@pytest.mark.parametrize("collapse", [[item] for item in ALL_ITEMS] + [ALL_ITEMS], ids=str)
async def test_demo_collapses_as_sentry_does(client: httpx2.AsyncClient, collapse: list[str]) -> None:
    """Each collapsed answer is the plain one less the keys Sentry leaves out, and conforms to the spec once
    those keys are no longer required (the spec's ``collapse``: "Fields to remove from the response")."""
    url = "/api/0/organizations/acme/issues/?query=&limit=100&statsPeriod=14d"
    plain = (await client.get(url)).json()
    answer = await client.get(url + "".join(f"&collapse={value}" for value in collapse))
    assert answer.status_code == 200
    rows = answer.json()
    gone = {key for item in STREAM_COLLAPSE if item.value in collapse for key in item.removes}
    assert [{k: v for k, v in row.items() if k not in gone} for row in plain] == rows
    assert rows and all(not gone & set(row) for row in rows)
    schema: dict[str, Any] = to_json_schema(fix_known_spec_gaps(_schemas()[ISSUES_TEMPLATE]))
    schema["items"]["required"] = [key for key in schema["items"]["required"] if key not in gone]
    errors = list(Draft4Validator(schema).iter_errors(rows))
    assert not errors, errors[0].message


async def test_demo_collapse_reads_repeated_values_only(client: httpx2.AsyncClient) -> None:
    """``base`` keeps the seen stats of the base group; values are read one per ``collapse`` (Sentry's
    ``getlist``), so ``stats,lifetime`` and unknown values collapse nothing."""
    url = "/api/0/organizations/acme/issues/?limit=5"
    plain = (await client.get(url)).json()
    assert (await client.get(f"{url}&collapse=nonsense")).json() == plain
    assert (await client.get(f"{url}&collapse=stats,lifetime")).json() == plain
    base = (await client.get(f"{url}&collapse=base&collapse=stats")).json()
    assert [set(SEEN_STATS) <= set(row) and "title" not in row and "stats" not in row for row in base] == [True] * 5
