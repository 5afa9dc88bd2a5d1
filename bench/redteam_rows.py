"""The rows of issue 10's red-team table, one function each, driven through the seam the row names.

Each function replays what was done against the real product (a stdio subprocess of
``python -m sentry_agent_mcp serve``, an HTTP server started by ``mcp run`` or ``serve``, the CLI, the
Python API) with a hostile upstream on 127.0.0.1, and returns an ``Outcome``: what happened now, with
the row's key number, and whether every check held. ``bench/redteam.py`` holds the table and runs it;
``bench/redteam_lab.py`` the pieces they share.
"""

from __future__ import annotations

import json
import resource
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from pydantic import ValidationError

from common import StdioServer, half_requests, still_open, text_of
from faults import CANARY as SENTRY_TOKEN
from hostile_upstream import HostileUpstream, Reply, Seen
from redteam_lab import (
    ACCESS_TOKEN_MARK,
    APP,
    CLIENT_SECRET,
    HTTP_TOKEN,
    ISSUE,
    ISSUE_ARGS,
    ISSUES_PATH,
    MCP,
    PROTOCOL,
    PYTHON,
    FakeAirbyte,
    Lab,
    McpHttp,
    Outcome,
    cli,
    direct,
    env,
    issues,
    judged,
    leaks,
    legitimate_client,
    not_found,
    offset,
    peak_rss_mb,
    timed_call,
    unreachable,
    yes,
)
from sentry_agent_mcp import SentryAuthConfig
from sentry_agent_mcp.redaction import MASK
from sentry_demo import DemoSentryServer

# -- 1, 2: credentials echoed by the upstream ------------------------------------------------------------

ECHOES: dict[str, dict[str, Any]] = {
    "JSON detail": {"status": 400, "body": {"detail": "Bad request from {authorization}"}},
    "field map": {"status": 400, "body": {"query": ["{authorization} may not search this"]}},
    "HTML 500 page": {
        "status": 500,
        "body": b"<html><body><h1>500</h1><pre>Authorization: {authorization}</pre></body></html>",
        "content_type": "text/html",
    },
    "non-JSON 200": {"status": 200, "body": b"debug: {authorization}", "content_type": "text/plain"},
}


def row_echoed_sentry_token(lab: Lab) -> Outcome:
    answers: list[str] = []
    with lab.stdio(direct(lab.sentry.url, SENTRY_MCP_LOG_LEVEL="DEBUG")) as server:
        for fault in ECHOES.values():
            lab.echo(fault)
            answers.append(json.dumps(server.call("sentry_issues_get", ISSUE)))
            done = cli(direct(lab.sentry.url), "call", "issues", "get", *ISSUE_ARGS)
            answers.append(done.stdout + done.stderr)
        stderr = server.errors()
    lab.sentry.app.clear_faults()
    echoed = [r for r in lab.sentry.requests if r.path.endswith("/issues/WEB-1A/")]
    leaked = sum(leaks(text) for text in answers)
    masked = sum(MASK in text for text in answers)
    return judged(
        f"{len(ECHOES)} shapes x (tool result over stdio + CLI line): {leaked} of {len(answers)} answers hold the "
        f"token, {masked} show the echo masked (`Bearer {MASK}`); DEBUG stderr {'leaks' if leaks(stderr) else 'clean'}",
        {
            "the upstream had the token to echo": bool(echoed) and SENTRY_TOKEN in echoed[-1].headers["authorization"],
            "no answer holds the token": leaked == 0,
            "every echo came back masked": masked == len(answers),
            "stderr holds no token": not leaks(stderr),
        },
    )


def row_echoed_airbyte_secrets(lab: Lab) -> Outcome:
    texts: dict[str, list[str]] = {}
    with FakeAirbyte(sentry_url=lab.sentry.url, sentry_token=SENTRY_TOKEN) as airbyte:
        for echo in ("token", "execute"):
            airbyte.echo = echo
            with lab.stdio(env(SENTRY_MCP_LOG_LEVEL="DEBUG", **airbyte.env())) as server:
                result = server.call("sentry_issues_get", ISSUE)
                stderr = server.errors()
            done = cli(env(**airbyte.env()), "call", "issues", "get", *ISSUE_ARGS)
            texts[echo] = [json.dumps(result), done.stdout + done.stderr, stderr]
        secret_sent = any(r.json and r.json.get("client_secret") == CLIENT_SECRET for r in airbyte.requests)
        token_sent = any(ACCESS_TOKEN_MARK in r.headers.get("authorization", "") for r in airbyte.requests)
    places = ("tool result", "CLI", "stderr")
    leaked = [
        f"{echo} echo: {place}"
        for echo, seen in texts.items()
        for place, t in zip(places, seen, strict=True)
        if leaks(t)
    ]
    masked = all(MASK in seen[0] and MASK in seen[1] for seen in texts.values())
    return judged(
        "token endpoint echoing the client secret, execute echoing the access token: tool result, CLI line and "
        f"DEBUG stderr {'clean' if not leaked else 'leak: ' + ', '.join(leaked)}; the echoes shown masked: "
        f"{yes(masked)}",
        {
            "the fake really had both secrets": secret_sent and token_sent,
            "no secret reaches the agent, the CLI or the log": not leaked,
            "the echoes came back masked": masked,
        },
    )


# -- 3, 4: lists that never end, pages that stall ---------------------------------------------------------


def _list_under(
    lab: Lab, answer: Callable[[Seen], Reply], limit: int, timeout: str, calls: int = 1
) -> tuple[dict[str, Any], list[float], int]:
    """``sentry_issues_list`` ``calls`` times over stdio against a hostile Sentry: (last result, seconds of
    each call, upstream list requests of the first)."""
    arguments = {"organization_slug": "acme", "limit": limit}
    seconds: list[float] = []
    with HostileUpstream(lambda seen: answer(seen) if seen.path == ISSUES_PATH else not_found()) as upstream:
        with lab.stdio(direct(upstream.url, SENTRY_MCP_TIMEOUT=timeout)) as server:
            for _ in range(calls):
                result, took = timed_call(server, "sentry_issues_list", arguments)
                seconds.append(took)
                if len(seconds) == 1:
                    requests = upstream.count(ISSUES_PATH)
        return result, seconds, requests


def row_empty_pages_forever(lab: Lab) -> Outcome:
    def answer(seen: Seen) -> Reply:
        if "cursor" not in seen.query:
            return Reply(issues(0, 100), next_cursor="0:100:0")
        return Reply([], next_cursor=f"0:{offset(seen) + 100}:0")  # empty, "more", and a new cursor each time

    result, (seconds,), requests = _list_under(lab, answer, limit=300, timeout="3")
    meta = result.get("structuredContent", {}).get("meta", {})
    rows = len(result.get("structuredContent", {}).get("data", []))
    return judged(
        f"returned in {seconds:.2f} s after {requests} upstream requests: {rows} rows, "
        f"meta.stopped={meta.get('stopped')!r}",
        {
            "answered within the 3 s deadline": seconds < 3.0,
            "at most ceil(300/100)+1 pages asked for": requests <= 4,
            "says why it stopped": bool(meta.get("stopped")),
            "keeps the rows it had": rows == 100,
        },
    )


def row_slow_pages(lab: Lab) -> Outcome:
    def answer(seen: Seen) -> Reply:
        return Reply(issues(offset(seen), 100), next_cursor=f"0:{offset(seen) + 100}:0", delay=2.5)

    result, (cold, warm), requests = _list_under(lab, answer, limit=500, timeout="3", calls=2)
    meta = result.get("structuredContent", {}).get("meta", {})
    rows = len(result.get("structuredContent", {}).get("data", []))
    return judged(
        f"returned in {warm:.2f} s (deadline 3 s; the process's first call {cold:.2f} s: its imports come before "
        f"the deadline starts) after {requests} upstream requests: {rows} rows, meta.stopped={meta.get('stopped')!r}, "
        f"next_cursor={meta.get('next_cursor')!r}",
        {
            "the call kept the 3 s deadline": warm < 3.3,
            "says the deadline stopped it": meta.get("stopped") == "deadline",
            "keeps the page it had and a cursor to resume": rows == 100 and bool(meta.get("next_cursor")),
        },
    )


# -- 5, 6, 7: the HTTP ways in -----------------------------------------------------------------------------


def row_mcp_run_http(lab: Lab) -> Outcome:
    settings = direct(lab.sentry.url, SENTRY_MCP_HTTP_TOKEN=HTTP_TOKEN)
    with lab.http([MCP, "run", APP, "-t", "streamable-http"], settings) as port:
        anonymous = McpHttp(port)
        no_token = anonymous.initialize().status_code
        no_token_call = anonymous.call("sentry_issues_get", ISSUE).status_code
        anonymous.close()
        bearer = {"Authorization": f"Bearer {HTTP_TOKEN}"}
        big = McpHttp(port, bearer)
        three_mb = big.post(b"[" + b" " * (3 * 1024 * 1024) + b"]").status_code
        big.close()
        ok, _ = legitimate_client(port, bearer)
    return judged(
        f"no token: initialize {no_token}, tools/call {no_token_call}; 3 MB body with the token: {three_mb}; "
        f"with the token: initialize and a tool call answered: {yes(ok)}",
        {"401 without the token": no_token == no_token_call == 401, "413 for 3 MB": three_mb == 413, "served": ok},
    )


def _enough_descriptors(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def row_unfinished_headers(lab: Lab, count: int = 2000, header_timeout: float = 10.0) -> Outcome:
    _enough_descriptors(count + 500)
    with ExitStack() as stack:
        command = [PYTHON, "-m", "sentry_agent_mcp", "serve", "--transport", "streamable-http"]
        port = stack.enter_context(lab.http(command, direct(lab.sentry.url), limit_fds=1024))
        held = half_requests(port, count)
        opened = time.monotonic()
        for sock in held:
            stack.callback(sock.close)
        ok, seconds = legitimate_client(port)
        still_held = sum(still_open(sock) for sock in held)
        while time.monotonic() - opened < header_timeout + 5 and any(still_open(sock) for sock in held):
            time.sleep(0.25)
        closed_after = time.monotonic() - opened
        closed = sum(not still_open(sock) for sock in held)
    return judged(
        f"{count:,} connections held mid-request-line (server started with 1,024 descriptors): legitimate client "
        f"answered: {yes(ok)}, in {seconds:.2f} s, while {still_held:,} were open; {closed:,} closed by the server "
        f"{closed_after:.1f} s after opening (header deadline {header_timeout:g} s, the default)",
        {"the legitimate client was answered": ok, "the slow ones were closed at the deadline": closed == count},
    )


def _initialize_burst(port: int, total: int, threads: int = 4) -> list[tuple[float, int]]:
    """``total`` initializes from ``threads`` keep-alive clients: (seconds into the burst, status) of each."""
    answers: list[tuple[float, int]] = []
    started = time.monotonic()

    def burst(share: int) -> None:
        client = McpHttp(port)
        for _ in range(share):
            status = client.post(_INIT).status_code
            answers.append((time.monotonic() - started, status))  # list.append is atomic
        client.close()

    workers = [threading.Thread(target=burst, args=(total // threads,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


_INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "flood", "version": "1"}},
}


def row_initialize_flood(lab: Lab, total: int = 10_000, idle: float = 30.0, cap: int = 1000) -> Outcome:
    """The default cap of 1,000 sessions, overrun faster than the (scaled) idle timeout ends any of them."""
    command = [PYTHON, "-m", "sentry_agent_mcp", "serve", "--transport", "streamable-http"]
    settings = direct(lab.sentry.url, SENTRY_MCP_HTTP_SESSION_IDLE_TIMEOUT=str(idle))
    with lab.http(command, settings) as port:
        started = time.monotonic()
        answers = _initialize_burst(port, total)
        burst = time.monotonic() - started
        first, _ = legitimate_client(port)
        ok = first
        while not ok and time.monotonic() - started < max(idle, burst) + 10:
            time.sleep(0.25)
            ok, _ = legitimate_client(port)
        served = time.monotonic() - started
    opened = sum(status == 200 for _, status in answers)
    refused = sum(status == 503 for _, status in answers)
    opened_before_idle = sum(status == 200 for at, status in answers if at < idle)
    return judged(
        f"{total:,} initializes in {burst:.1f} s: {opened:,} sessions opened ({opened_before_idle:,} before any could "
        f"idle out), {refused:,} refused with 503; a new client right after the burst: "
        f"{'served' if first else 'refused'}; served {served:.1f} s after the burst began (sessions idle out after "
        f"{idle:g} s here: SENTRY_MCP_HTTP_SESSION_IDLE_TIMEOUT, default 600 s; cap {cap:,} sessions, the default)",
        {
            "the session cap held": opened_before_idle <= cap and refused > 0,
            "new clients served once the burst's sessions went idle": ok and served < max(idle, burst) + 3,
        },
    )


# -- 8, 9, 10, 11: configuration and upstream data that would steer a secret ------------------------------


def _refused(done: subprocess.CompletedProcess[str], *words: str) -> bool:
    out = done.stdout + done.stderr
    return done.returncode == 2 and all(word in out for word in words) and not leaks(out) and "Traceback" not in out


def row_plain_http_sentry_io(lab: Lab) -> Outcome:
    spellings = ["http://sentry\u3002io", "http://sentry.io.", "http://SENTRY.IO:80/"]
    results = {s: cli(unreachable(SENTRY_AUTH_TOKEN=SENTRY_TOKEN, SENTRY_HOSTNAME=s), "check") for s in spellings}
    refused = [s for s, done in results.items() if _refused(done, "SENTRY_HOSTNAME", "plain http to sentry.io")]
    return judged(
        f"`check` with {', '.join(map(repr, spellings))}: {len(refused)} of {len(spellings)} refused with exit 2 "
        "before any request ('plain http to sentry.io is refused')",
        {"every spelling refused": len(refused) == len(spellings)},
    )


def row_airbyte_api_url(lab: Lab) -> Outcome:
    urls = ["http://api.airbyte.ai", "https://user:pw-canary@api.airbyte.ai", "ftp://api.airbyte.ai"]
    hosted = {"AIRBYTE_CLIENT_ID": "client-123", "AIRBYTE_CLIENT_SECRET": CLIENT_SECRET, "AIRBYTE_CUSTOMER_NAME": "c"}
    results = {url: cli(unreachable(AIRBYTE_API_URL=url, **hosted), "check") for url in urls}
    refused = [u for u, done in results.items() if _refused(done, "AIRBYTE_API_URL") and "pw-canary" not in done.stderr]
    return judged(
        f"`check` with AIRBYTE_API_URL {', '.join(urls)}: {len(refused)} of {len(urls)} refused with exit 2 naming "
        "the variable (no password or secret printed)",
        {"every URL refused": len(refused) == len(urls)},
    )


def row_connector_id_in_path(lab: Lab) -> Outcome:
    hostile_id = "../../v2/admin/x?y="

    def answer(seen: Seen) -> Reply:
        if seen.path.endswith("/account/applications/token"):
            return Reply({"access_token": f"abt-{ACCESS_TOKEN_MARK}", "expires_in": 900})
        if seen.path == "/api/v1/integrations/connectors":
            return Reply({"data": [{"id": hostile_id, "name": "sentry"}]})
        return Reply({"result": {"status": "healthy"}, "connector_metadata": None})

    hosted = {"AIRBYTE_CLIENT_ID": "client-123", "AIRBYTE_CLIENT_SECRET": CLIENT_SECRET, "AIRBYTE_CUSTOMER_NAME": "c"}
    with HostileUpstream(answer) as airbyte:
        cli(env(AIRBYTE_API_URL=airbyte.url, **hosted), "check")
        targets = [seen.target for seen in airbyte.requests]
    executed = [target for target in targets if target.endswith("/execute")]
    expected = "/api/v1/integrations/connectors/..%2F..%2Fv2%2Fadmin%2Fx%3Fy%3D/execute"
    return judged(
        f"`check` (hosted) with the lookup answering {hostile_id!r}: the execute request went to {executed}",
        {
            "the id is one encoded segment": executed == [expected],
            "nothing reached another path": all(t.startswith("/api/v1/") and "/../" not in t for t in targets),
        },
    )


def row_region_elsewhere(lab: Lab) -> Outcome:
    outcomes: list[str] = []
    checks: dict[str, bool] = {}
    with DemoSentryServer(tokens=[SENTRY_TOKEN]) as sentry, DemoSentryServer(tokens=[SENTRY_TOKEN]) as other:
        for variant, region in (("another port", other.url), ("another path", f"{sentry.url}/elsewhere")):
            sentry.app.store.org_region_url = region
            with lab.stdio(direct(sentry.url)) as server:
                result = server.call("sentry_issues_list", {"organization_slug": "acme"})
            stray = [r for r in [*other.requests, *sentry.requests] if r.path.startswith("/elsewhere")]
            stray += other.requests if variant == "another port" else []
            refused = bool(result.get("isError")) and "Refusing to send" in text_of(result)
            outcomes.append(f"{variant}: {'refused' if refused else 'followed'}, {len(stray)} requests reached it")
            checks[f"{variant} refused, never sent the token"] = refused and not stray
    return judged("regionUrl on 127.0.0.1 with " + "; ".join(outcomes), checks)


# -- 12, 13: input and upstream bodies too big, too deep ---------------------------------------------------


def _write_in_thread(server: StdioServer, data: bytes, timeout: float = 60) -> bool:
    """Write ``data`` to the server's stdin; False when the server stopped reading."""
    stdin = server.process.stdin
    assert stdin is not None

    def write() -> None:
        stdin.write(data)
        stdin.flush()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(timeout)
    return not writer.is_alive()


def row_stdio_input(lab: Lab) -> Outcome:
    size = 65 * 1024 * 1024  # "over 64 MiB", literally
    over_long = b'{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"' + b"a" * size + b'"}}\n'
    batch = json.dumps([{"jsonrpc": "2.0", "id": 3, "method": "ping"}, {"jsonrpc": "2.0", "id": 4, "method": "ping"}])
    deep = '{"jsonrpc":"2.0","id":5,"method":"ping","params":{"x":' + "[" * 1000 + "]" * 1000 + "}}"
    call = {
        "jsonrpc": "2.0",
        "id": 6,
        "method": "tools/call",
        "params": {"name": "sentry_issues_get", "arguments": ISSUE},
    }
    with lab.stdio(direct(lab.sentry.url)) as server:
        started = time.monotonic()
        read_all = _write_in_thread(server, over_long + f"{batch}\n{deep}\n{json.dumps(call)}\n".encode())
        messages = server.messages_until(6)
        seconds = time.monotonic() - started
        alive = server.process.poll() is None
        rss = server.rss_mb()
    errors = [(m.get("id"), m["error"]["code"]) for m in messages if "error" in m]
    answered = (
        "result" in messages[-1] and messages[-1]["result"].get("structuredContent", {}).get("shortId") == "WEB-1A"
    )
    return judged(
        f"a 65 MiB line, a batch of 2, 1,000 levels of nesting, then a call: (id, code) errors {errors}; the call "
        f"answered: {yes(answered)}; all in {seconds:.1f} s; process alive: {yes(alive)}, RSS {rss:.0f} MB",
        {
            "the over-long line, both batch members and the deep message each got an error": errors
            == [(2, -32600), (3, -32600), (4, -32600), (5, -32600)],
            "the call after them was answered": answered,
            "the process is alive": alive,
            "the server read all of it": read_all,
        },
    )


def row_huge_title_and_body(lab: Lab) -> Outcome:
    mega_title = "T" * 1_000_000
    flood = 400 * 1024 * 1024

    def answer(seen: Seen) -> Reply:
        if seen.path == ISSUES_PATH + "WEB-1/":
            return Reply(issues(1, 1, mega_title)[0])
        if seen.path == ISSUES_PATH + "WEB-2/":
            return Reply(stream_bytes=flood)
        return not_found()

    with HostileUpstream(answer) as upstream, lab.stdio(direct(upstream.url)) as server:
        titled = text_of(server.call("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1"}))
        raw = text_of(
            server.call("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1", "detail": "full"})
        )
        before = server.rss_mb()
        flooded, seconds = timed_call(server, "sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-2"})
        peak = peak_rss_mb(server.process.pid)
        time.sleep(0.2)  # the upstream notices the hang-up
        sent = upstream.body_bytes_sent
    message = text_of(flooded)
    return judged(
        f"1 MB title: a {len(titled):,}-character result ({len(raw):,} with detail='full'; budget 20,000), the title "
        f"cut and marked: {yes('[cut:' in titled and '[cut:' in raw)}; 400 MB chunked body: an error after "
        f"{seconds:.1f} s ({message.split(', so')[0]!r}), the upstream got to send {sent / 2**20:.0f} MiB; "
        f"server RSS {before:.0f} MB before, peak {peak:.0f} MB",
        {
            "the 1 MB title result fits the budget": max(len(titled), len(raw)) <= 20_000 and "[cut:" in raw,
            "the flood is a clear error": bool(flooded.get("isError")) and "larger than" in message,
            "memory stays bounded (peak < 300 MB, was 1.6 GB)": peak < 300,
        },
    )


# -- 14, 15, 16, 17: what a careless user meets ------------------------------------------------------------


def row_unsendable_token(lab: Lab) -> Outcome:
    non_ascii = "sntryu_\u00e9" + SENTRY_TOKEN[8:]
    refused = cli(direct(lab.sentry.url, SENTRY_AUTH_TOKEN=non_ascii), "call", "projects", "list")
    refused_lines = refused.stderr.strip().splitlines()
    trailing_cr = cli(direct(lab.sentry.url, SENTRY_AUTH_TOKEN=SENTRY_TOKEN + "\r"), "check")
    try:
        SentryAuthConfig(token=SENTRY_TOKEN)  # type: ignore[call-arg]  # the wrong keyword, as a user would
        wrong_keyword = "accepted"
    except ValidationError as exc:
        wrong_keyword = f"{exc} {exc!r} {exc.errors()!r} {exc.json()}"
    return judged(
        f"non-ASCII token: exit {refused.returncode}, {len(refused_lines)} line naming SENTRY_AUTH_TOKEN; "
        f"trailing \\r: `check` exit {trailing_cr.returncode} (token accepted); SentryAuthConfig(token=...): "
        f"ValidationError {'with' if leaks(wrong_keyword) else 'without'} the token",
        {
            "the unsendable token is a one-line configuration error": refused.returncode == 2
            and len(refused_lines) == 1
            and "SENTRY_AUTH_TOKEN" in refused.stderr
            and non_ascii not in refused.stderr
            and non_ascii[8:30] not in refused.stderr,
            "a trailing \\r is dropped": trailing_cr.returncode == 0 and "token accepted" in trailing_cr.stdout,
            "the pydantic error holds no token": wrong_keyword != "accepted" and not leaks(wrong_keyword),
        },
    )


def row_tools_restriction(lab: Lab) -> Outcome:
    start = len(lab.sentry.requests)
    with lab.stdio(direct(lab.sentry.url, SENTRY_MCP_TOOLS="issues")) as server:
        listed = [tool["name"] for tool in server.request("tools/list")["result"]["tools"]]
        members = server.call(
            "sentry_execute", {"entity": "members", "action": "list", "params": {"organization_slug": "acme"}}
        )
    asked = [r.path for r in lab.sentry.requests[start:] if "/members/" in r.path]
    text = text_of(members)
    return judged(
        f"SENTRY_MCP_TOOLS=issues lists {len(listed)} tools; sentry_execute members list: "
        f"{'refused' if members.get('isError') else 'answered'} ({text[:70]!r}), {len(asked)} requests to /members/",
        {
            "refused": bool(members.get("isError")) and "SENTRY_MCP_TOOLS" in text,
            "no member data fetched or returned": not asked and "@" not in text,
        },
    )


def row_untrusted_certificate(lab: Lab) -> Outcome:
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    pem = lab.file("ca.pem")
    ca.cert_pem.write_to_path(str(pem))
    with HostileUpstream(lambda seen: Reply([]), tls=context) as sentry:
        failed = cli(direct(sentry.url), "check")
        attempts = sentry.connections
        trusted = cli(direct(sentry.url, SSL_CERT_FILE=str(pem)), "check")
    out = failed.stdout + failed.stderr
    return judged(
        f"`check` against a self-signed HTTPS Sentry: exit {failed.returncode} after {attempts} connection(s): "
        f"{failed.stderr.split('. If ')[0].strip()!r}; the hint names SSL_CERT_FILE: {yes('SSL_CERT_FILE' in out)}; "
        f"with SSL_CERT_FILE set to the CA: exit {trusted.returncode}",
        {
            "tried once": attempts == 1,
            "says what it is and what to set": "verification failed" in out and "SSL_CERT_FILE" in out,
            "no 'retry in a moment'": "retry in a moment" not in out.lower(),
            "the hint works": trusted.returncode == 0,
        },
    )


def row_unconfigured_mcp_run(lab: Lab) -> Outcome:
    with lab.stdio(env(), command=[MCP, "run", APP]) as server:
        reply = server.request("tools/list")
        server.close()
        stderr = server.errors()
    error = reply.get("error", {})
    lines = stderr.strip().splitlines()
    return judged(
        f"`mcp run app.py` (stdio) with no configuration: tools/list answers code {error.get('code')} "
        f"({error.get('message', '')[:60]!r}...); stderr: {stderr.count('ERROR')} ERROR record ({len(lines)} lines "
        f"as the console wraps it), traceback: {yes('Traceback' in stderr)}",
        {
            "a proper JSON-RPC error code": error.get("code") == -32603,
            "the message says what to set": "SENTRY_AUTH_TOKEN" in error.get("message", ""),
            "one log line, no traceback": "Traceback" not in stderr and stderr.count("ERROR") == 1,
        },
    )
