"""Call overhead: a tool call over stdio minus a direct ``httpx2`` call to the same demo Sentry endpoint.

The demo Sentry runs as an HTTP server in its own process. Both clients keep their connection open, and
the calls alternate (one MCP call, one direct call) so that noise hits both alike. The MCP client is raw
JSON-RPC over the pipes, so what is measured is the server: parsing, validation, routing, the Sentry
call through the pooled client, the compact view, serialisation. The overhead is the paired difference
(each MCP call minus the direct call right after it): its median and p99. Also measured: the same
request with ``httpx2.AsyncClient`` (what an async server must use) and the SDK floor's trivial tool call.
Target: <= 2 ms median overhead.

    .venv/bin/python bench/overhead.py [--calls 1000]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import anyio
import httpx2

from common import (
    StdioServer,
    demo_sentry,
    floor_command,
    median,
    ms,
    ours_command,
    percentile,
    text_of,
    write_result,
)
from sentry_demo import DEMO_TOKEN

CASES: dict[str, tuple[str, dict[str, Any], str, dict[str, str]]] = {
    "issues_get": (
        "sentry_issues_get",
        {"organization_slug": "acme", "issue_id": "WEB-1"},
        "/api/0/organizations/acme/issues/WEB-1/",
        {},
    ),
    "issues_list_25": (
        "sentry_issues_list",
        {"organization_slug": "acme", "project_slug": "web", "limit": 25},
        "/api/0/organizations/acme/issues/",
        {"limit": "25", "project": "4501"},
    ),
}


def _stats(samples: list[float]) -> dict[str, float]:
    return {"median": ms(median(samples)), "p99": ms(percentile(samples, 99))}


async def _async_direct(url: str, path: str, query: dict[str, str], calls: int) -> list[float]:
    """The same request with ``httpx2.AsyncClient``, the client an async server has to use."""
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}", "Accept": "application/json"}
    samples = []
    async with httpx2.AsyncClient(base_url=url, headers=headers) as http:
        for _ in range(20):
            (await http.get(path, params=query)).json()
        for _ in range(calls):
            start = time.perf_counter()
            (await http.get(path, params=query)).json()
            samples.append(time.perf_counter() - start)
    return samples


def run_case(server: StdioServer, http: httpx2.Client, case: str, calls: int) -> dict[str, Any]:
    tool, arguments, path, query = CASES[case]
    for _ in range(20):  # warm-up: region and project-id lookups, connection pools, caches
        assert text_of(server.call(tool, arguments))
        http.get(path, params=query).raise_for_status()
    mcp_s: list[float] = []
    direct_s: list[float] = []
    for _ in range(calls):
        start = time.perf_counter()
        result = server.call(tool, arguments)
        mcp_s.append(time.perf_counter() - start)
        assert not result.get("isError"), text_of(result)
        start = time.perf_counter()
        http.get(path, params=query).json()
        direct_s.append(time.perf_counter() - start)
    async_s = anyio.run(_async_direct, str(http.base_url).rstrip("/"), path, query, calls)
    return {
        "calls": calls,
        "mcp_stdio_ms": _stats(mcp_s),
        "direct_httpx_ms": _stats(direct_s),
        "direct_httpx_async_ms": _stats(async_s),
        "overhead_ms": _stats([m - d for m, d in zip(mcp_s, direct_s, strict=True)]),
        "overhead_vs_async_httpx_ms": {"median": ms(median(mcp_s) - median(async_s))},
    }


def floor_call(calls: int) -> dict[str, float]:
    """The SDK's own cost of one stdio tool call: the floor server's trivial ``ping``."""
    with StdioServer(*floor_command()) as server:
        server.initialize()
        for _ in range(20):
            server.call("ping", {})
        samples = []
        for _ in range(calls):
            start = time.perf_counter()
            server.call("ping", {})
            samples.append(time.perf_counter() - start)
    return {"median": ms(median(samples)), "p99": ms(percentile(samples, 99))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with demo_sentry() as sentry, StdioServer(*ours_command(sentry)) as server:
        server.initialize()
        server.request("tools/list", {})
        headers = {"Authorization": f"Bearer {DEMO_TOKEN}", "Accept": "application/json"}
        with httpx2.Client(base_url=sentry.url, headers=headers) as http:
            for case in CASES:
                results[case] = run_case(server, http, case, args.calls)
    floor = floor_call(args.calls)
    headline = results["issues_get"]["overhead_ms"]["median"]
    write_result(
        "overhead",
        {
            "cases": results,
            "sdk_floor_trivial_call_ms": floor,
            "verdict": {"overhead_median_ms": headline, "target_2ms": headline <= 2.0},
        },
    )
    print(f"SDK floor, trivial stdio call: {floor['median']:.2f} ms (p99 {floor['p99']:.2f})")
    for case, row in results.items():
        print(
            f"{case:>15}: mcp {row['mcp_stdio_ms']['median']:6.2f} ms (p99 {row['mcp_stdio_ms']['p99']:6.2f}), "
            f"direct {row['direct_httpx_ms']['median']:6.2f} ms (p99 {row['direct_httpx_ms']['p99']:6.2f}), "
            f"overhead {row['overhead_ms']['median']:5.2f} ms (p99 {row['overhead_ms']['p99']:5.2f}); "
            f"async httpx {row['direct_httpx_async_ms']['median']:6.2f} ms"
        )


if __name__ == "__main__":
    main()
