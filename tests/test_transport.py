"""The backends' HTTP client (httpx2, ``backends/http_client.py``): bytes, encodings, proxies, TLS, failure classes.

Each test runs a scripted HTTP server on 127.0.0.1 that answers with exact bytes (or not at all), so
that what is checked is what the backends decide on: the decoded body, the path Sentry saw, and
whether a failure says the request never left (safe to send again) or may have been seen, in which
case a write is not sent twice.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import trustme
from pydantic import SecretStr

from sentry_agent_mcp.backends import DirectBackend, create_backend
from sentry_agent_mcp.backends.http_client import PooledClient, trusted_ssl_context
from sentry_agent_mcp.backends.retry import RetryPolicy, certificate_failure, never_sent
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import UpstreamConnectionError
from sentry_agent_mcp.executor import Executor
from sentry_demo import DEMO_TOKEN, DemoSentryServer

from conftest import CANARY_TOKEN, fresh_python
from e2e import free_port

pytestmark = pytest.mark.anyio

Handler = Callable[[bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
QUICK = RetryPolicy(base_delay=0.01, max_delay=0.02)
"""Retries as the defaults do them, without the backoff sleeps."""


@asynccontextmanager
async def scripted_server(handler: Handler) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 whose ``handler`` gets each request's head (its body read) and writes the answer."""
    seen: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                seen.append(head)
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                if length:
                    await reader.readexactly(length)
                await handler(head, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.close()


def answer(status: str, body: bytes, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _client() -> PooledClient:
    return PooledClient(headers={"Accept": "application/json"}, timeout=5.0, max_connections=4)


async def test_gzip_bodies_are_decoded_and_encoded_paths_reach_sentry_unchanged() -> None:
    payload = json.dumps({"slug": "a/b", "name": "Ünïcode"}).encode()

    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("200 OK", gzip.compress(payload), "Content-Encoding: gzip", "Link: <x>; rel=next"))

    pooled = _client()
    async with scripted_server(handler) as (url, seen):
        http = pooled.current()
        response = await http.get(f"{url}/api/0/projects/acme/a%2Fb/", params={"query": "is:unresolved a b"})
        again = await http.get(f"{url}/api/0/projects/acme/a%2Fb/")
        await pooled.aclose()
    assert response.status_code == 200 and response.json() == {"slug": "a/b", "name": "Ünïcode"}
    assert response.headers["link"] == "<x>; rel=next"
    assert again.json()["slug"] == "a/b"
    request_line = seen[0].split(b"\r\n")[0]
    assert request_line == b"GET /api/0/projects/acme/a%2Fb/?query=is%3Aunresolved+a+b HTTP/1.1"
    assert b"gzip" in seen[0].lower()  # the client's Accept-Encoding went out, and it decoded the answer
    assert len(seen) == 2  # one kept-alive connection served both


async def test_json_bodies_and_headers_go_out_as_built() -> None:
    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("201 Created", b'{"id": "1"}', "Content-Type: application/json"))

    pooled = _client()
    async with scripted_server(handler) as (url, seen):
        response = await pooled.current().post(f"{url}/notes/", json={"text": "hi"}, headers={"Authorization": "t"})
        await pooled.aclose()
    assert response.status_code == 201 and response.json() == {"id": "1"}
    head = seen[0].decode().lower()
    assert head.startswith("post /notes/ ") and "authorization: t" in head and "accept: application/json" in head
    assert "content-type: application/json" in head and "content-length: 13" in head  # {"text":"hi"}


async def test_a_body_cut_off_midway_is_an_error_that_may_have_been_seen() -> None:
    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b'{"partial": ')
        await writer.drain()
        writer.close()

    pooled = _client()
    async with scripted_server(handler) as (url, _):
        with pytest.raises(httpx2.RemoteProtocolError) as caught:
            await pooled.current().post(f"{url}/notes/", json={"text": "hi"})
        await pooled.aclose()
    assert not never_sent(caught.value)


async def test_no_answer_within_the_read_timeout_is_a_read_timeout_that_may_have_been_seen() -> None:
    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    pooled = _client()
    async with scripted_server(handler) as (url, _):
        started = anyio.current_time()
        with pytest.raises(httpx2.ReadTimeout) as caught:
            await pooled.current().get(f"{url}/slow/", timeout=httpx2.Timeout(0.3))
        await pooled.aclose()
    assert anyio.current_time() - started < 2
    assert not never_sent(caught.value)


# --- never sent (resent, even a write) against maybe seen (a write is not resent) ---------------------


def _executor(url: str) -> Executor:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=url, allow_writes=True)
    backend = DirectBackend(base_url=url, token=SecretStr(CANARY_TOKEN), timeout=5.0, retry=QUICK)
    return Executor(settings, backend)


ISSUE = {"organization_slug": "acme", "issue_id": "WEB-1A"}
READ = ("issues", "get", ISSUE)
WRITE = ("issue_notes", "create", {**ISSUE, "text": "hello"})


async def test_a_refused_connection_was_never_sent_so_even_a_write_is_tried_again() -> None:
    executor = _executor(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    try:
        with pytest.raises(UpstreamConnectionError) as caught:
            await executor.execute(*WRITE)
    finally:
        await executor.aclose()
    assert "3 attempts (ConnectError, ConnectError, ConnectError)" in caught.value.message
    assert caught.value.message.startswith("Could not reach Sentry")
    assert caught.value.hint and "may or may not have taken effect" not in caught.value.hint


def _drop(writer: asyncio.StreamWriter, *, reset: bool) -> None:
    """Close the connection without an answer: a FIN, or an RST (``SO_LINGER`` 0) when ``reset``."""
    if reset:
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort() if reset else writer.close()


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
async def test_a_connection_dropped_after_the_request_was_read_retries_a_read_but_never_a_write(reset: bool) -> None:
    """Sentry read the request, then the connection went: it may have acted, so only the read is repeated."""
    issue = json.dumps({"id": "1", "shortId": "WEB-1A", "title": "boom"}).encode()
    calls: list[bytes] = []  # request lines for the issue (the region lookup before them is answered)

    async def first_dropped(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = head.split(b"\r\n")[0]
        if b"/issues/WEB-1A/" in line:
            calls.append(line)
            if len(calls) == 1 or line.startswith(b"POST "):
                _drop(writer, reset=reset)
                raise ConnectionError("dropped on purpose")
        writer.write(answer("200 OK", issue if b"/issues/" in line else b"{}", "Content-Type: application/json"))

    async with scripted_server(first_dropped) as (url, _):
        executor = _executor(url)
        try:
            got = await executor.execute(*READ)
            assert got["shortId"] == "WEB-1A" and len(calls) == 2, "the read was sent again and answered"

            calls.clear()
            with pytest.raises(UpstreamConnectionError) as caught:
                await executor.execute(*WRITE)
        finally:
            await executor.aclose()
    assert len(calls) == 1 and calls[0].startswith(b"POST "), "the write reached Sentry once, and only once"
    error = caught.value
    assert error.message.startswith("The connection to Sentry broke during POST")
    assert ("1 attempt (ReadError)" if reset else "1 attempt (RemoteProtocolError)") in error.message
    assert error.hint and "may or may not have taken effect" in error.hint


# --- proxies and certificates from the environment ------------------------------------------------------


async def test_a_proxy_from_the_environment_is_used_except_for_no_proxy_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    async def origin(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("200 OK", b'{"via": "origin"}'))

    async def proxy(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("200 OK", b'{"via": "proxy"}'))

    async with scripted_server(origin) as (origin_url, origin_seen), scripted_server(proxy) as (proxy_url, proxy_seen):
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("NO_PROXY", "localhost")
        pooled = _client()  # as the backends make theirs
        proxied = (await pooled.current().get(f"{origin_url}/api/0/")).json()
        direct = (await pooled.current().get(f"{origin_url.replace('127.0.0.1', 'localhost')}/api/0/")).json()
        await pooled.aclose()
    assert proxied == {"via": "proxy"} and direct == {"via": "origin"}
    assert proxy_seen[0].startswith(f"GET {origin_url}/api/0/ HTTP/1.1".encode())  # absolute form: a proxy request
    assert len(origin_seen) == 1


@asynccontextmanager
async def tls_server(ca: trustme.CA) -> AsyncIterator[tuple[str, list[int]]]:
    """An HTTPS server on 127.0.0.1 (certificate signed by ``ca``) answering ``{}``; counts requests read."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    requests: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            requests.append(1)
            writer.write(answer("200 OK", b"{}"))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    try:
        yield f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}", requests
    finally:
        server.close()


async def test_an_untrusted_certificate_is_refused_before_anything_is_sent_and_ssl_cert_file_trusts_its_ca(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    ca = trustme.CA()
    async with tls_server(ca) as (url, requests):
        pooled = _client()  # the system's store: this CA is not in it
        with pytest.raises(httpx2.ConnectError) as caught:
            await pooled.current().get(f"{url}/api/0/")
        await pooled.aclose()
        assert never_sent(caught.value) and certificate_failure(caught.value) is not None
        assert requests == []

        pem = tmp_path / "corporate-ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        monkeypatch.setenv("SSL_CERT_FILE", str(pem))  # as an operator behind a TLS-inspecting proxy would
        pooled = _client()
        assert (await pooled.current().get(f"{url}/api/0/")).json() == {}
        await pooled.aclose()
    assert requests == [1]


def test_the_trust_store_is_built_once_per_setting_and_verifies_hostnames(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    system = trusted_ssl_context()
    assert trusted_ssl_context() is system, "every client of the process shares one"
    assert system.verify_mode is ssl.CERT_REQUIRED and system.check_hostname
    pem = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
    corporate = trusted_ssl_context()
    assert corporate is not system and corporate.cert_store_stats()["x509_ca"] == 1


# --- event loops ------------------------------------------------------------------------------------


def test_a_backend_used_from_one_event_loop_after_another_keeps_working_and_stays_quiet(
    demo_sentry: DemoSentryServer,
) -> None:
    """A script that runs each call in its own ``asyncio.run`` gets answers, and no warnings at exit."""
    code = (
        "import asyncio, sys\n"
        "from pydantic import SecretStr\n"
        "from sentry_agent_mcp.backends import DirectBackend\n"
        "backend = DirectBackend(base_url=sys.argv[1], token=SecretStr(sys.argv[2]))\n"
        "print([asyncio.run(backend.check()).endswith('visible') for _ in range(3)])\n"
    )
    done = fresh_python(code, demo_sentry.url, DEMO_TOKEN)
    assert done.stdout.decode().strip() == "[True, True, True]"
    assert not done.stderr, done.stderr.decode()[-2000:]


def test_on_trio_a_call_goes_through_the_same_client(demo_sentry: DemoSentryServer) -> None:
    """A Python API caller on trio (through anyio) gets its answer: httpx2 runs on trio too."""

    async def main() -> Any:
        settings = Settings(backend="direct", auth_token=DEMO_TOKEN, hostname=demo_sentry.url)
        executor = Executor(settings, create_backend(settings))
        try:
            return await executor.execute("issues", "get", {"organization_slug": "acme", "issue_id": "WEB-1A"})
        finally:
            await executor.aclose()

    assert anyio.run(main, backend="trio")["shortId"] == "WEB-1A"
