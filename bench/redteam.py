"""Red team: replays every row of issue 10's table, and the rows added for issues 12 and 13, against the real
product and prints what happens now.

Each row is driven through the seam the table names: a real stdio subprocess of ``python -m
sentry_agent_mcp serve``, HTTP servers started by ``mcp run ... -t streamable-http`` or ``serve``, the
CLI, the Python API; upstreams are hostile servers on 127.0.0.1 (a demo Sentry that echoes credentials,
a fake Airbyte, raw servers that loop, stall, flood or present an untrusted certificate). Nothing
leaves 127.0.0.1: configuration that would reach out is tried behind a dead proxy on this machine.

    .venv/bin/python bench/redteam.py               # every row; exit 1 when any fails
    .venv/bin/python bench/redteam.py --rows 3,4    # some rows

The rows themselves are in ``bench/redteam_rows.py`` (1-17) and ``bench/redteam_rows_remote.py`` (18-23);
the result goes to ``bench/results/redteam.json``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import redteam_rows as rows
import redteam_rows_remote as remote
from common import write_result
from redteam_lab import Lab, Outcome, demo_sentry, leaks


@dataclass(frozen=True)
class Row:
    number: int
    done: str
    """What was done, as the issue's table has it (with the seam, and any scaling)."""
    run: Callable[[Lab], Outcome]


ROWS = [
    Row(
        1,
        "Sentry answers errors that repeat the request's `Authorization`: JSON `detail`, field map, HTML 500, "
        "non-JSON 200 (stdio server at DEBUG, and the CLI)",
        rows.row_echoed_sentry_token,
    ),
    Row(
        2,
        "Airbyte's token endpoint echoes the request body, its execute endpoint the `Authorization` "
        "(stdio server at DEBUG, and the CLI)",
        rows.row_echoed_airbyte_secrets,
    ),
    Row(
        3,
        'A list answers empty pages that still say `results="true"` (a new cursor each time), `limit=300`, '
        "`SENTRY_MCP_TIMEOUT=3` (stdio)",
        rows.row_empty_pages_forever,
    ),
    Row(4, "Pages that take 2.5 s each, `limit=500`, `SENTRY_MCP_TIMEOUT=3` (stdio)", rows.row_slow_pages),
    Row(
        5,
        "`mcp run server/sentry_agent_mcp/app.py -t streamable-http` with `SENTRY_MCP_HTTP_TOKEN` set: "
        "calls without the token, a 3 MB body",
        rows.row_mcp_run_http,
    ),
    Row(
        6,
        "2,000 connections that never finish their request headers, against `serve --transport "
        "streamable-http` started with 1,024 descriptors; then a legitimate client",
        rows.row_unfinished_headers,
    ),
    Row(
        7,
        "10,000 `initialize`s against `serve --transport streamable-http` (4 clients), then a new client "
        "(scaled: sessions idle out after 30 s instead of the default 600 s)",
        rows.row_initialize_flood,
    ),
    Row(
        8,
        "`SENTRY_HOSTNAME=http://sentry。io` (ideographic full stop), `http://sentry.io.`, `http://SENTRY.IO:80/` "
        "(CLI `check`)",
        rows.row_plain_http_sentry_io,
    ),
    Row(9, "`AIRBYTE_API_URL=http://…`, with userinfo, `ftp://` (CLI `check`)", rows.row_airbyte_api_url),
    Row(
        10,
        "The Airbyte connector lookup returns the id `../../v2/admin/x?y=` (CLI `check`, hosted)",
        rows.row_connector_id_in_path,
    ),
    Row(
        11,
        "The organization's region URL is the configured host on another port, or another path (stdio)",
        rows.row_region_elsewhere,
    ),
    Row(
        12,
        "One stdio line over 64 MiB (65 MiB), a JSON-RPC batch, 1,000 levels of nesting, then a call",
        rows.row_stdio_input,
    ),
    Row(13, "An issue whose title is 1 MB; an upstream body of 400 MB, chunked (stdio)", rows.row_huge_title_and_body),
    Row(
        14,
        "A token with a non-ASCII character (CLI), with a trailing `\\r` (CLI `check`); "
        "`SentryAuthConfig(token=...)` (Python API)",
        rows.row_unsendable_token,
    ),
    Row(15, "`SENTRY_MCP_TOOLS=issues`, then `sentry_execute` on `members list` (stdio)", rows.row_tools_restriction),
    Row(
        16,
        "A certificate that fails verification (CLI `check` against a self-signed HTTPS server)",
        rows.row_untrusted_certificate,
    ),
    Row(
        17,
        "`mcp run` with nothing configured, then `tools/list` (stdio; `mcp dev` serves the same object "
        "through the Node inspector, not started here)",
        rows.row_unconfigured_mcp_run,
    ),
    Row(
        18,
        "Per-user (`serve --http-auth per-user`, DEBUG): Dmitri calls on and DELETEs Bob's streamable HTTP session, "
        "posts on Bob's SSE session; two `Authorization` headers; a tool name with a newline and a token",
        remote.row_session_cross_talk,
    ),
    Row(
        19,
        "Per-user: 1,000 made-up `Sentry-Bearer` tokens at once while Sentry answers checks after 5 s "
        "(the server's `CredentialStore`, Python API)",
        remote.row_token_flood,
    ),
    Row(
        20,
        "Pinning (`serve --stateless`, writes on): raw paths `/mcp/acme/..`, `%2e%2e`, `//`, `%0A`; on "
        "`/mcp/acme/web` another project, a numeric id, `ACME`, `sentry_execute`, URLs of another organization, "
        "and updating a metric alert of another project",
        remote.row_pin_escape,
    ),
    Row(
        21,
        "`sentry_resources_get` with URLs of a hostile host, lookalikes, userinfo, backslash, port, plain http, "
        "dot segments, IDNA (stdio)",
        remote.row_pasted_urls,
    ),
    Row(
        22,
        "Writes (stdio): `project_keys create` answered with its secret also in `name` and `dsn.public`; "
        "`issue_autofix start` answered 502",
        remote.row_hostile_writes,
    ),
    Row(23, "An issue answer nested 900 and 5,000 levels deep (CLI)", remote.row_deep_answers),
]


@dataclass(frozen=True)
class Result:
    row: Row
    outcome: Outcome
    seconds: float


def run(row: Row, lab: Lab) -> Result:
    """One row; an exception is a FAIL that says what broke."""
    started = time.monotonic()
    try:
        outcome = row.run(lab)
    except Exception as exc:
        traceback.print_exc()
        outcome = Outcome(f"the row crashed: {type(exc).__name__}: {str(exc)[:300]}", False)
    lab.sentry.app.clear_faults()
    result = Result(row, outcome, time.monotonic() - started)
    print(f"row {row.number:2}: {'PASS' if outcome.passed else 'FAIL'} ({result.seconds:.1f} s)", file=sys.stderr)
    return result


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(results: list[Result]) -> str:
    lines = ["| # | what was done | what happened now | result |", "|---|---|---|---|"]
    for r in results:
        verdict = "PASS" if r.outcome.passed else "**FAIL**"
        lines.append(f"| {r.row.number} | {cell(r.row.done)} | {cell(r.outcome.happened)} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", help="comma list of row numbers (default: all)")
    args = parser.parse_args(argv)
    wanted = {int(n) for n in args.rows.split(",")} if args.rows else {row.number for row in ROWS}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="redteam-") as scratch, demo_sentry() as sentry:
        lab = Lab(sentry, Path(scratch))
        results = [run(row, lab) for row in ROWS if row.number in wanted]
        logs = sorted(Path(scratch).glob("*.log"))
        leaky = [log.name for log in logs if leaks(log.read_text(errors="replace"))]
    total = time.monotonic() - started
    failed = [r.row.number for r in results if not r.outcome.passed]
    print(table(results))
    print(
        f"\n{len(results)} rows in {total:.0f} s: {len(results) - len(failed)} PASS, {len(failed)} FAIL"
        + (f" (rows {', '.join(map(str, failed))})" if failed else "")
    )
    print(
        f"Canary secrets in the {len(logs)} logs the servers wrote (stdio stderr, HTTP server output): "
        + (", ".join(leaky) if leaky else "none")
    )
    write_result(
        "redteam",
        {
            "seconds": round(total, 1),
            "logs_with_secrets": leaky,
            "rows": [
                {"row": r.row.number, "done": r.row.done, "happened": r.outcome.happened, "passed": r.outcome.passed}
                for r in results
            ],
        },
    )
    return 1 if failed or leaky else 0


if __name__ == "__main__":
    sys.exit(main())
