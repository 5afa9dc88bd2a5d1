"""In-process cost of one 25-issue page with and without the ``collapse`` items the compact list sends.

Two pieces, each timed alternately for the plain and the lean request so that noise hits both alike: the demo
Sentry's answer (its handler plus JSON encoding, ``ApiResponse.encoded``) and our decoding of that answer
(``redaction.loads``, what the direct backend does with every body). The lean items are the catalog's own
(``catalog/lean.py``), so this measures what ``sentry_issues_list`` asks for today.

    .venv/bin/python bench/lean_page.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from common import median, write_result
from sentry_agent_mcp.catalog import CATALOG
from sentry_agent_mcp.catalog.lean import lean_pair
from sentry_agent_mcp.redaction import loads
from sentry_demo import create_app
from sentry_demo.http import ApiRequest
from sentry_demo.issue_handlers import list_org_issues

PATH = "/api/0/organizations/acme/issues/"


def _request(store: Any, query: list[tuple[str, str]]) -> ApiRequest:
    project = store.data.project("web").id
    return ApiRequest("GET", PATH, [*query, ("limit", "25"), ("project", str(project))], {}, b"", {"org": "acme"})


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    store = create_app().store
    lean_items = list(lean_pair(CATALOG[("issues", "list")], full=False, fields=None).routes[0].lean_query)
    requests = {"plain": _request(store, []), "lean": _request(store, lean_items)}
    bodies = {name: list_org_issues(store, request).encoded() for name, request in requests.items()}
    answer: dict[str, list[float]] = {name: [] for name in requests}
    decode: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(args.rounds):
        for name, request in requests.items():
            answer[name].append(_timed(lambda r=request: list_org_issues(store, r).encoded()))  # type: ignore[misc]
            decode[name].append(_timed(lambda b=bodies[name]: loads(b)))  # type: ignore[misc]
    summary: dict[str, Any] = {
        name: {
            "bytes": len(bodies[name]),
            "demo_answer_ms": round(median(answer[name]) * 1000, 3),
            "decode_ms": round(median(decode[name]) * 1000, 3),
        }
        for name in requests
    }
    for name, row in summary.items():
        print(f"{name:>6}: {row['bytes']:6d} bytes,", end=" ")
        print(f"demo answer {row['demo_answer_ms']:.3f} ms, decode {row['decode_ms']:.3f} ms")
    plain, lean = summary["plain"], summary["lean"]
    summary["lean_over_plain"] = {key: round(lean[key] / plain[key], 3) for key in plain if plain[key]}
    print(f"lean/plain: {summary['lean_over_plain']}")
    summary["lean_items"] = [f"{k}={v}" for k, v in lean_items]
    write_result("lean_page", {"rounds": args.rounds, "summary": summary})


if __name__ == "__main__":
    main()
