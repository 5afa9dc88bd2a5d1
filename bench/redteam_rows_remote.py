"""Red-team rows for the remote team server and reach (issues 12 and 13): per-user credentials, pinning,
pasted URLs, writes and hostile answers, each driven through the seam its row names.

Like ``redteam_rows.py``: every function returns an ``Outcome`` (what happened now, and whether every
check held). Per-user rows start their own demo Sentry, since they need several users' tokens.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx2

from hostile_upstream import HostileUpstream, Reply
from redteam_lab import MCP_HEADERS, PROTOCOL, PYTHON, Lab, McpHttp, Outcome, cli, direct, env, judged, leaks, yes
from sentry_demo import DEMO_TOKEN, DemoSentryServer
from sentry_demo.users import demo_users

SERVE_HTTP = [PYTHON, "-m", "sentry_agent_mcp", "serve", "--transport"]
LIST_PROJECTS = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "sentry_projects_list"}}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Sentry-Bearer {token}"}


@contextmanager
def _per_user(lab: Lab, transport: str) -> Iterator[tuple[DemoSentryServer, int]]:
    """A per-user server at DEBUG (``transport``) in front of a demo Sentry that knows the demo users."""
    with DemoSentryServer(tokens=[u.token for u in demo_users()]) as sentry:
        settings = env(SENTRY_HOSTNAME=sentry.url, SENTRY_MCP_HTTP_AUTH="per-user", SENTRY_MCP_LOG_LEVEL="DEBUG")
        with lab.http([*SERVE_HTTP, transport], settings) as port:
            yield sentry, port


def _pinned_call(client: httpx2.Client, url: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """One stateless tools/call posted to a pinned endpoint; its result ({} when not a 200)."""
    message = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    reply = client.post(url, content=json.dumps(message))
    result: dict[str, Any] = reply.json().get("result", {}) if reply.status_code == 200 else {}
    return result


def _error_type(result: dict[str, Any]) -> str | None:
    error = (result.get("structuredContent") or {}).get("error") if result.get("isError") else None
    return error.get("type") if isinstance(error, dict) else None


# -- 18: one caller's session used by another ---------------------------------------------------------


def row_session_cross_talk(lab: Lab) -> Outcome:
    _, bob, dmitri = demo_users()
    with _per_user(lab, "streamable-http") as (_, port):
        owner = McpHttp(port, _bearer(bob.token))
        owner.initialize()
        intruder = McpHttp(port, _bearer(dmitri.token))
        intruder.session = owner.session
        call = intruder.post(LIST_PROJECTS).status_code
        ended = intruder.client.delete("/mcp", headers={"mcp-session-id": str(owner.session)}).status_code
        still = owner.post(LIST_PROJECTS).status_code
        intruder.session = None
        intruder.initialize()  # Dmitri's own session
        odd = intruder.post({**LIST_PROJECTS, "params": {"name": f"x\naccess tool=forged {dmitri.token}"}})
        twice = httpx2.post(
            f"http://127.0.0.1:{port}/mcp",
            content=json.dumps(LIST_PROJECTS),
            headers=[
                *MCP_HEADERS.items(),
                ("authorization", "Sentry-Bearer " + "x" * 40),
                ("authorization", f"Sentry-Bearer {bob.token}"),
            ],
        ).status_code
        for client in (owner, intruder):
            client.close()
    with (
        _per_user(lab, "sse") as (_, port),
        httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
        http.stream("GET", "/sse", headers=_bearer(bob.token)) as stream,
    ):
        lines = stream.iter_lines()  # kept: a dropped iterator closes the stream, and with it the session
        endpoint = next(line for line in lines if line.startswith("data: "))[6:]
        headers = {"Content-Type": "application/json"}
        sse = http.post(endpoint, content=json.dumps(LIST_PROJECTS), headers={**headers, **_bearer(dmitri.token)})
        sse_own = http.post(endpoint, content=json.dumps(LIST_PROJECTS), headers={**headers, **_bearer(bob.token)})
    logs = sorted(lab.scratch.glob("*http-server.log"))[-2:]
    text = "".join(log.read_text(errors="replace") for log in logs)
    forged = any("tool=forged" in line for line in text.splitlines())
    injected = "<unknown>" if "tool=<unknown>" in text else "something else"
    return judged(
        f"Dmitri with Bob's streamable HTTP session id: call {call}, DELETE {ended}; Bob's next call {still}; "
        f"Dmitri's message on Bob's SSE session: {sse.status_code} (Bob's: {sse_own.status_code}); "
        f"two Authorization headers: {twice}; a tool "
        f"name with a newline and a token: {odd.status_code}, logged as {injected}, forged access line: "
        f"{yes(forged)}; tokens in the DEBUG logs: {yes(leaks(text) or bob.token in text or dmitri.token in text)}",
        {
            "session refused to another credential": call == ended == 404 and still == 200,
            "SSE session refused to another credential": (sse.status_code, sse_own.status_code) == (404, 202),
            "two Authorization headers refused": twice == 401,
            "no forged access line": not forged,
            "no token in the logs": not (leaks(text) or bob.token in text or dmitri.token in text),
        },
    )


# -- 19: a flood of made-up tokens while Sentry is slow -------------------------------------------------


def row_token_flood(lab: Lab, count: int = 1000) -> Outcome:
    """Python API seam (the server's own ``CredentialStore``) against a demo Sentry over HTTP: how many
    tokens are held in the secret set while the flood waits for check slots, and what a redaction costs."""
    from sentry_agent_mcp.config import Settings
    from sentry_agent_mcp.credentials import MAX_CONCURRENT_CHECKS, CredentialStore
    from sentry_agent_mcp.redaction import SECRETS

    lab.sentry.add_fault(delay=5, times=None, path_contains="/auth/")
    store = CredentialStore(Settings(http_auth="per-user", hostname=lab.sentry.url))
    before = len(SECRETS)
    measured: dict[str, float] = {}

    async def flood() -> None:
        async with anyio.create_task_group() as group:
            for n in range(count):
                group.start_soon(store.authenticate, f"madeup{n:040d}")
            await anyio.sleep(1.5)
            measured["held"] = len(SECRETS) - before
            started = time.perf_counter()
            SECRETS.redact("x" * 20_000)
            measured["redact_ms"] = (time.perf_counter() - started) * 1000
            group.cancel_scope.cancel()
        await store.aclose()

    started = time.monotonic()
    anyio.run(flood)
    seconds = time.monotonic() - started
    lab.sentry.app.clear_faults()
    held, after = int(measured["held"]), len(SECRETS) - before
    return judged(
        f"{count:,} made-up tokens, Sentry answering checks after 5 s: {held} held while waiting "
        f"(at most {MAX_CONCURRENT_CHECKS} checks run at once), a 20 KB redaction {measured['redact_ms']:.2f} ms, "
        f"{after} held after the flood; {seconds:.1f} s in all",
        {"held at most the check slots": held <= MAX_CONCURRENT_CHECKS, "none held after": after == 0},
    )


# -- 20: escaping a pin ---------------------------------------------------------------------------------


def _raw_post(port: int, path: str) -> int:
    """A POST to ``path`` exactly as written (no client normalizes ``..`` or ``//`` away)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        connection.request("POST", path, body=body, headers=MCP_HEADERS)
        return connection.getresponse().status
    finally:
        connection.close()


def row_pin_escape(lab: Lab) -> Outcome:
    sentry = lab.sentry
    settings = direct(sentry.url, SENTRY_MCP_ALLOW_WRITES="true", SENTRY_MCP_HTTP_STATELESS="true")
    settings["SENTRY_AUTH_TOKEN"] = DEMO_TOKEN
    paths = ["/mcp/acme/..", "/mcp/acme/%2e%2e", "/mcp//acme", "/mcp/acme//web", "/mcp/acme/web/x", "/mcp/ac%0Ame"]
    other = f"{sentry.url}/organizations/beta/issues/1/"
    escapes = [
        ("sentry_issues_list", {"project_slug": "api"}),
        ("sentry_events_list", {"project_slug": "4502"}),
        ("sentry_execute", {"entity": "issues", "action": "list", "params": {"project_slug": "api"}}),
        ("sentry_execute", {"entity": "organizations", "action": "list", "params": {}}),
        ("sentry_resources_get", {"url": other}),
        ("sentry_issues_get", {"issue_id": other}),
        ("sentry_issues_list", {"organization_slug": "ACME"}),
        ("sentry_alert_rules_update", {"alert_rule_id": "7202", "name": "renamed"}),
    ]
    with lab.http([*SERVE_HTTP, "streamable-http"], settings) as port:
        statuses = {path: _raw_post(port, path) for path in paths}
        before = len(sentry.requests)
        with httpx2.Client(timeout=30, headers={**MCP_HEADERS, "mcp-protocol-version": PROTOCOL}) as client:
            pinned = f"http://127.0.0.1:{port}/mcp/acme/web"
            refused = [_error_type(_pinned_call(client, pinned, name, arguments)) for name, arguments in escapes]
        written = [r.method for r in sentry.requests[before:] if r.method != "GET"]
    bad_paths = [path for path, status in statuses.items() if status == 200]
    return judged(
        f"raw paths {', '.join(f'{p} {s}' for p, s in statuses.items())}; on /mcp/acme/web {len(escapes)} calls "
        f"naming another project, organization (URL, case, numeric id), an unscoped pair or a rule of another "
        f"project: {refused.count('pinned_scope')} refused as pinned_scope; writes that reached Sentry: "
        f"{len(written)}",
        {
            "no path tricks served": not bad_paths,
            "every escape refused": refused == ["pinned_scope"] * len(escapes),
            "nothing written": not written,
        },
    )


# -- 21: pasted URLs that name other hosts -------------------------------------------------------------


def row_pasted_urls(lab: Lab) -> Outcome:
    with HostileUpstream(lambda seen: Reply({"id": "1"})) as evil:
        host = evil.url.removeprefix("http://")
        urls = [
            f"{evil.url}/organizations/acme/issues/1/",
            f"http://sentry.io.{host}/issues/1/",
            f"{evil.url}/sentry.io/organizations/acme/issues/1/",
            f"https://sentry.io@{host}/organizations/acme/issues/1/",
            f"https://{host}\\@sentry.io/organizations/acme/issues/1/",
            "https://acme.sentry.io:8443/issues/1/",
            "http://acme.sentry.io/issues/1/",
            "https://acme.sentry.io/issues/%2e%2e/",
            "https://acme.sentry.io/organizations/acme/releases/..%2F..%2Fprojects/",
            "https://xn--80ak6aa92e.com/organizations/acme/issues/1/",
        ]
        with lab.stdio(direct(lab.sentry.url)) as server:
            before = len(lab.sentry.requests)
            results = [server.call("sentry_resources_get", {"url": url}) for url in urls]
            reached = len([r for r in lab.sentry.requests[before:] if "/issues/" in r.path])
        refused = [r for r in results if r.get("isError")]
        evil_seen = len(evil.requests)
    return judged(
        f"{len(urls)} hostile URLs (another host, lookalike hosts, userinfo, backslash, port, plain http, "
        f"dot segments, IDNA) to sentry_resources_get: {len(refused)} refused; requests to the hostile host: "
        f"{evil_seen}; issue lookups on the configured Sentry: {reached} (the configured host on another port "
        "is read as the configured Sentry: a URL only supplies ids)",
        {"every URL refused": len(refused) == len(urls), "hostile host never contacted": evil_seen == 0},
    )


# -- 22: writes against a hostile Sentry ---------------------------------------------------------------


def row_hostile_writes(lab: Lab) -> Outcome:
    sentry = lab.sentry
    secret = "f00dfeedcafe5ec7e7f00dfeedcafe5e"
    dsn = f"https://abc123public@o1.ingest.example/7?secret={secret}"
    with lab.stdio(direct(sentry.url, SENTRY_MCP_ALLOW_WRITES="true")) as server:
        sentry.add_fault(
            status=201,
            body={"id": "k1", "name": f"key {secret}", "secret": secret, "dsn": {"public": dsn, "secret": dsn}},
            method="POST",
            path_contains="/keys/",
        )
        key = server.call("sentry_project_keys_create", {"organization_slug": "acme", "project_slug": "web"})
        sentry.app.clear_faults()
        sentry.add_fault(status=502, times=None, method="POST", path_contains="/autofix/")
        before = len(sentry.requests)
        started = server.call("sentry_issue_autofix_start", {"organization_slug": "acme", "issue_id": "WEB-1A"})
        posts = sum(1 for r in sentry.requests[before:] if r.method == "POST")
        sentry.app.clear_faults()
        errors = server.errors()
    shown = json.dumps(key)
    return judged(
        f"project_keys create answered with its secret also in `name` and `dsn.public`: secret in the "
        f"confirmation {yes(secret in shown)}, in the log {yes(secret in errors)}; autofix start answered 502: "
        f"{posts} POST sent, result {'an error' if started.get('isError') else 'ok'}",
        {
            "secret kept out": secret not in shown and secret not in errors,
            "POST not repeated": posts == 1 and bool(started.get("isError")),
        },
    )


# -- 23: answers nested past the parser ----------------------------------------------------------------


def row_deep_answers(lab: Lab) -> Outcome:
    outcomes = {}
    for depth in (900, 5000):
        lab.sentry.app.clear_faults()
        lab.sentry.add_fault(status=200, body=b"[" * depth + b"]" * depth, times=None, path_contains="/issues/WEB-1A/")
        done = cli(direct(lab.sentry.url), "call", "issues", "get", "organization_slug=acme", "issue_id=WEB-1A")
        outcomes[depth] = (done.returncode, "unexpected" in done.stderr, done.stderr.strip().splitlines()[-1][:60])
    lab.sentry.app.clear_faults()
    return judged(
        "an issue answer of JSON arrays nested 900 and 5,000 deep (CLI): "
        + "; ".join(
            f"{d}: exit {rc}, {'an unexpected error' if bad else 'a clear error'}"
            for d, (rc, bad, _) in outcomes.items()
        ),
        {"clear errors": all(rc == 1 and not bad for rc, bad, _ in outcomes.values())},
    )
