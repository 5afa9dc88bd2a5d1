"""httpx requests sent by aiohttp: httpx's API for every caller, aiohttp's cost per request.

Measured on this project's machine (``bench/README.md``): httpx's own async pool (httpcore) spends
2-3.5 ms of CPU on each request to Sentry, more the more connections are pooled (it polls every pooled
socket on each request), while aiohttp's C-accelerated client spends ~0.5 ms. The backends keep
speaking httpx (requests, responses, ``ASGITransport`` for the demo, ``MockTransport`` in tests); this
transport only moves the bytes. Its one real job is the exception mapping, because retries are decided
on it (``retry.never_sent``): a failure before the request left (refused, DNS, TLS, connect timeout)
becomes ``httpx.ConnectError``/``ConnectTimeout``, and anything after it was sent (reset, cut-off body,
read timeout) an error that says Sentry may have seen it, so that a write is never repeated blindly.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import urllib.request
import weakref
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
from yarl import URL

_DROPPED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
"""Headers aiohttp writes itself from the URL and the body."""

# Checked in order, the first match wins: subclasses before their bases.
_NEVER_SENT: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, DNS, TLS, proxy connect
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
)
_MAYBE_SENT: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aiohttp.SocketTimeoutError, httpx.ReadTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (asyncio.TimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),  # the body was cut off
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),  # before its base class, the next one
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # not HTTP
    (aiohttp.ClientOSError, httpx.ReadError),  # reset while sending or reading
    (aiohttp.ClientError, httpx.ReadError),
)


@functools.cache
def default_ssl_context() -> ssl.SSLContext | bool:
    """Which certificates to trust: the system's where it has any, else certifi's (built once).

    ``True`` is aiohttp's own verifying context, which it loads from the system store (and
    ``SSL_CERT_FILE``/``SSL_CERT_DIR``) when imported: reusing it costs nothing, where a certifi context
    costs 3.7 MB and 50 ms more, and a corporate CA installed in the system store is trusted as every
    other program there trusts it. A Python without system certificates (python.org's macOS builds until
    their certificates are installed) gets certifi's, as httpx would give it.
    """
    paths = ssl.get_default_verify_paths()
    if paths.cafile or paths.capath:
        return True
    return httpx.create_ssl_context()


def httpx_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError | None:
    """The httpx exception for an aiohttp failure (``None``: not a transport failure)."""
    for source, target in (*_NEVER_SENT, *_MAYBE_SENT):
        if isinstance(exc, source):
            text = str(exc) or type(exc).__name__
            return target(f"{type(exc).__name__}: {text}", request=request)
    return None


def _abandon(session: aiohttp.ClientSession) -> None:
    """Let go of a session that can no longer be closed properly (its event loop has finished or is
    going away): mark it closed, and its sockets go with the garbage collector.

    Without this aiohttp reports an unclosed session and connector on stderr each time a caller switches
    event loops, and at exit for a client its owner never closed, where httpx stays silent.
    """
    if session.closed:
        return
    connector = session.connector
    session.detach()
    if connector is not None and hasattr(connector, "_closed"):
        connector._closed = True  # aiohttp's own flag (no public way to close without the loop)


class _Pool:
    """The transport's session and its loop, apart from the transport so that a finalizer can reach them."""

    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def release(self) -> None:
        if self.session is not None:
            _abandon(self.session)
            self.session = None


class _Body(httpx.AsyncByteStream):
    """An aiohttp answer's body as httpx reads it: chunk by chunk, so a reader can stop at a size cap.

    Closing it before the end drops the connection (aiohttp does not pool one with unread bytes).
    """

    def __init__(self, answer: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._answer.content.iter_any():
                yield chunk
        except Exception as exc:
            mapped = httpx_error(exc, self._request)
            if mapped is None:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        self._answer.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends each httpx request with one pooled ``aiohttp.ClientSession`` (made on first use, in the loop).

    Bodies are streamed to httpx still encoded (the backends read them up to a size cap), so
    that httpx decodes exactly what its ``Accept-Encoding`` asked for. Timeouts come from the request's
    httpx timeout (connect and read). Proxies from the environment (``HTTPS_PROXY``, ``NO_PROXY``, ...)
    apply, as they do in httpx, and are looked up once per host: aiohttp's own ``trust_env`` would read
    them and ``~/.netrc`` again on every request (~1 ms a request here).
    """

    def __init__(
        self, *, max_connections: int = 32, keepalive_expiry: float = 5.0, verify: ssl.SSLContext | None = None
    ) -> None:
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._verify = verify
        self._pool = _Pool()
        weakref.finalize(self, self._pool.release)  # garbage-collected or still open at exit: no warnings
        self._fallbacks: dict[str | None, httpx.AsyncHTTPTransport] = {}
        self._proxies = {k: v for k, v in urllib.request.getproxies().items() if k in ("http", "https")}
        self._proxy_for: dict[tuple[str, str], str | None] = {}

    def _proxy(self, url: httpx.URL) -> str | None:
        key = (url.scheme, url.host)
        if key not in self._proxy_for:
            proxy = self._proxies.get(url.scheme)
            if proxy and urllib.request.proxy_bypass(url.host):
                proxy = None
            self._proxy_for[key] = proxy or None
        return self._proxy_for[key]

    def _trust(self) -> ssl.SSLContext | bool:
        return self._verify if self._verify is not None else default_ssl_context()

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections, keepalive_timeout=self._keepalive_expiry, ssl=self._trust()
        )
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None),
        )

    def _session_for(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        """The pooled session of the running event loop.

        A session lives on the loop that made it. A caller that runs each call in a new loop (say
        ``asyncio.run(connector.execute(...))`` twice) gets a new session; the old one is dropped
        without closing, which its finished loop can no longer do.
        """
        pool = self._pool
        if pool.loop is not loop:
            pool.release()
        if pool.session is None or pool.session.closed:
            pool.session, pool.loop = self._open(), loop
        return pool.session

    def _fallback(self, proxy: str | None) -> httpx.AsyncHTTPTransport:
        """httpx's own transport (one per proxy), for callers that are not on asyncio (trio through anyio)."""
        if proxy not in self._fallbacks:
            trust = self._trust()
            verify = ssl.create_default_context() if trust is True else trust  # httpx's True would mean certifi
            limits = httpx.Limits(max_connections=self._max_connections, keepalive_expiry=self._keepalive_expiry)
            self._fallbacks[proxy] = httpx.AsyncHTTPTransport(verify=verify, limits=limits, proxy=proxy)
        return self._fallbacks[proxy]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # aiohttp needs asyncio; httpx's transport runs on trio too
            return await self._fallback(self._proxy(request.url)).handle_async_request(request)
        session = self._session_for(loop)
        timeouts: dict[str, Any] = request.extensions.get("timeout", {})
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _DROPPED_HEADERS]
        body = await request.aread()
        try:
            answer = await session.request(
                request.method,
                URL(str(request.url), encoded=True),  # already percent-encoded by httpx: keep it as is
                headers=headers,
                data=body or None,
                allow_redirects=False,
                proxy=self._proxy(request.url),
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
                ),
            )
        except Exception as exc:
            mapped = httpx_error(exc, request)
            if mapped is None:
                raise
            raise mapped from exc
        return httpx.Response(
            status_code=answer.status,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in answer.raw_headers],
            stream=_Body(answer, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (answer.reason or "").encode()},
        )

    async def aclose(self) -> None:
        if self._pool.session is not None:
            await self._pool.session.close()
            self._pool.session = None
        for fallback in self._fallbacks.values():
            await fallback.aclose()
        self._fallbacks.clear()
