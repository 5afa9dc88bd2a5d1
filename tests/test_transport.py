"""The aiohttp transport under the backends' httpx client: bytes, encodings, proxies, and failure classes.

Each test runs a scripted HTTP server on 127.0.0.1 that answers with exact bytes (or not at all), so
that what is checked is what the backends decide on: the decoded body, the path Sentry saw, and
whether a failure says the request never left (safe to send again) or may have been seen.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import anyio
import httpx
import pytest
import trustme
from yarl import URL

from sentry_agent_mcp.backends import create_backend
from sentry_agent_mcp.backends.retry import never_sent
from sentry_agent_mcp.backends.transport import AiohttpTransport, default_ssl_context, httpx_error
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.executor import Executor
from sentry_demo import DEMO_TOKEN, DemoSentryServer

from conftest import fresh_python
from e2e import free_port

pytestmark = pytest.mark.anyio

Handler = Callable[[bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def scripted_server(handler: Handler) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 whose ``handler`` gets each request's head and writes the answer itself."""
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


async def test_gzip_bodies_are_decoded_and_encoded_paths_reach_sentry_unchanged() -> None:
    payload = json.dumps({"slug": "a/b", "name": "Ünïcode"}).encode()

    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("200 OK", gzip.compress(payload), "Content-Encoding: gzip", "Link: <x>; rel=next"))

    async with scripted_server(handler) as (url, seen), httpx.AsyncClient(transport=AiohttpTransport()) as http:
        response = await http.get(f"{url}/api/0/projects/acme/a%2Fb/", params={"query": "is:unresolved a b"})
        again = await http.get(f"{url}/api/0/projects/acme/a%2Fb/")
    assert response.status_code == 200 and response.json() == {"slug": "a/b", "name": "Ünïcode"}
    assert response.headers["link"] == "<x>; rel=next"
    assert again.json()["slug"] == "a/b"
    request_line = seen[0].split(b"\r\n")[0]
    assert request_line == b"GET /api/0/projects/acme/a%2Fb/?query=is%3Aunresolved+a+b HTTP/1.1"
    assert b"gzip" in seen[0].lower()  # httpx's Accept-Encoding went out, and httpx decoded the answer
    assert len(seen) == 2  # one kept-alive connection served both


async def test_json_bodies_and_headers_go_out_as_httpx_built_them() -> None:
    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("201 Created", b'{"id": "1"}', "Content-Type: application/json"))

    async with scripted_server(handler) as (url, seen), httpx.AsyncClient(transport=AiohttpTransport()) as http:
        response = await http.post(f"{url}/notes/", json={"text": "hi"}, headers={"Authorization": "Bearer t"})
    assert response.status_code == 201 and response.json() == {"id": "1"}
    head = seen[0].decode().lower()
    assert head.startswith("post /notes/ ") and "authorization: bearer t" in head
    assert "content-type: application/json" in head and "content-length: 13" in head  # {"text":"hi"}


async def test_a_refused_connection_is_a_connect_error_that_was_never_sent() -> None:
    async with httpx.AsyncClient(transport=AiohttpTransport()) as http:
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get(f"http://127.0.0.1:{free_port()}/api/0/")
    assert never_sent(caught.value)


async def test_a_body_cut_off_midway_is_an_error_that_may_have_been_seen() -> None:
    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b'{"partial": ')
        await writer.drain()
        writer.close()

    async with scripted_server(handler) as (url, _), httpx.AsyncClient(transport=AiohttpTransport()) as http:
        with pytest.raises(httpx.TransportError) as caught:
            await http.post(f"{url}/notes/", json={"text": "hi"})
    assert isinstance(caught.value, httpx.RemoteProtocolError)
    assert not never_sent(caught.value)


async def test_no_answer_within_the_read_timeout_is_a_read_timeout() -> None:
    async def handler(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async with scripted_server(handler) as (url, _), httpx.AsyncClient(transport=AiohttpTransport()) as http:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(httpx.ReadTimeout) as caught:
            await http.get(f"{url}/slow/", timeout=httpx.Timeout(0.3))
    assert loop.time() - started < 2
    assert not never_sent(caught.value)


async def test_a_proxy_from_the_environment_is_used_except_for_no_proxy_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    async def origin(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("200 OK", b'{"via": "origin"}'))

    async def proxy(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(answer("200 OK", b'{"via": "proxy"}'))

    async with scripted_server(origin) as (origin_url, origin_seen), scripted_server(proxy) as (proxy_url, proxy_seen):
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.setenv("NO_PROXY", "localhost")
        async with httpx.AsyncClient(transport=AiohttpTransport(), trust_env=False) as http:  # as the backends
            proxied = (await http.get(f"{origin_url}/api/0/")).json()
            direct = (await http.get(f"{origin_url.replace('127.0.0.1', 'localhost')}/api/0/")).json()
    assert proxied == {"via": "proxy"} and direct == {"via": "origin"}
    assert proxy_seen[0].startswith(f"GET {origin_url}/api/0/ HTTP/1.1".encode())  # absolute form: a proxy request
    assert len(origin_seen) == 1


@asynccontextmanager
async def tls_server(ca: trustme.CA) -> AsyncIterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate ``ca`` signed; answers every request with ``{}``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer("200 OK", b"{}"))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    try:
        yield f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def test_certificates_are_verified_and_an_untrusted_one_is_refused_before_anything_is_sent() -> None:
    ca = trustme.CA()
    async with tls_server(ca) as url:
        async with httpx.AsyncClient(transport=AiohttpTransport()) as http:  # httpx's default trust store
            with pytest.raises(httpx.ConnectError) as caught:
                await http.get(f"{url}/api/0/")
        assert never_sent(caught.value) and "certificate" in str(caught.value).lower()
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        async with httpx.AsyncClient(transport=AiohttpTransport(verify=trusting)) as http:
            assert (await http.get(f"{url}/api/0/")).json() == {}


def test_a_transport_used_from_one_event_loop_after_another_keeps_working_and_stays_quiet(
    demo_sentry: DemoSentryServer,
) -> None:
    """A script that runs each call in its own ``asyncio.run`` gets answers, and no aiohttp warnings at exit."""
    code = (
        "import asyncio, sys, httpx\n"
        "from sentry_agent_mcp.backends.transport import AiohttpTransport\n"
        "client = httpx.AsyncClient(transport=AiohttpTransport(), headers={'Authorization': 'Bearer ' + sys.argv[2]})\n"
        "async def get():\n"
        "    return (await client.get(sys.argv[1] + '/api/0/organizations/acme/')).status_code\n"
        "print([asyncio.run(get()) for _ in range(3)])\n"
    )
    done = fresh_python(code, demo_sentry.url, DEMO_TOKEN)
    assert done.stdout.decode().strip() == "[200, 200, 200]"
    assert b"Unclosed" not in done.stderr and b"Traceback" not in done.stderr, done.stderr.decode()[-2000:]


def test_the_system_certificates_are_trusted_and_certifi_stands_in_where_there_are_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default_ssl_context.cache_clear()
    try:
        if ssl.get_default_verify_paths().cafile or ssl.get_default_verify_paths().capath:
            assert default_ssl_context() is True  # aiohttp's own context over the system store
        default_ssl_context.cache_clear()
        bare = ssl.DefaultVerifyPaths(None, None, "SSL_CERT_FILE", "/nowhere/cert.pem", "SSL_CERT_DIR", "/nowhere")
        monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: bare)
        fallback = default_ssl_context()
        assert isinstance(fallback, ssl.SSLContext) and fallback.cert_store_stats()["x509_ca"] > 100
        assert fallback.verify_mode is ssl.CERT_REQUIRED and fallback.check_hostname
    finally:
        default_ssl_context.cache_clear()


def test_on_trio_a_call_goes_through_httpxs_own_transport(demo_sentry: DemoSentryServer) -> None:
    """aiohttp needs asyncio; a Python API caller on trio (through anyio) still gets its answer."""

    async def main() -> Any:
        settings = Settings(backend="direct", auth_token=DEMO_TOKEN, hostname=demo_sentry.url)
        executor = Executor(settings, create_backend(settings))
        try:
            return await executor.execute("issues", "get", {"organization_slug": "acme", "issue_id": "WEB-1A"})
        finally:
            await executor.aclose()

    assert anyio.run(main, backend="trio")["shortId"] == "WEB-1A"


PROXY_REQUEST = aiohttp.RequestInfo(URL("http://proxy.example/"), "GET", {}, URL("http://proxy.example/"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failure", "expected", "safe_to_resend"),
    [
        (aiohttp.ConnectionTimeoutError("connect"), httpx.ConnectTimeout, True),
        (aiohttp.SocketTimeoutError("read"), httpx.ReadTimeout, False),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError, False),
        (aiohttp.ClientPayloadError("cut off"), httpx.RemoteProtocolError, False),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError, False),
        (aiohttp.ClientHttpProxyError(PROXY_REQUEST, (), status=407), httpx.ProxyError, False),
    ],
)
def test_each_aiohttp_failure_maps_to_the_httpx_error_retries_decide_on(
    failure: Exception, expected: type[httpx.TransportError], safe_to_resend: bool
) -> None:
    mapped = httpx_error(failure, httpx.Request("POST", "https://sentry.example/api/0/"))
    assert type(mapped) is expected and never_sent(mapped) is safe_to_resend
    assert type(failure).__name__ in str(mapped)
