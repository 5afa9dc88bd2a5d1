"""The one HTTP client each backend sends with: httpx2, the HTTP stack the ``mcp`` SDK itself depends on.

One pooled ``httpx2.AsyncClient`` per backend (and so per server process): connections are kept alive
and reused across calls. Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``, ...), read
once when the client is made. Certificates are checked as httpx2 checks them: against ``SSL_CERT_FILE``
or ``SSL_CERT_DIR`` when set (a corporate CA), otherwise the operating system's own store (through
``truststore`` on Windows and macOS, OpenSSL's system paths on Linux). Redirects are not followed:
Sentry's 302 means "project renamed", which the agent must hear about.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Mapping

import anyio.lowlevel
import httpx2

CONNECT_TIMEOUT = 5.0
"""Seconds to open a connection (capped by the call's deadline): a Sentry that far away is not there."""
KEEPALIVE_EXPIRY = 5.0
"""Seconds an idle pooled connection is kept open for the next request."""


def trusted_ssl_context() -> ssl.SSLContext:
    """httpx2's certificate-verifying context, built once per ``SSL_CERT_FILE``/``SSL_CERT_DIR`` setting.

    Building one loads the whole system store (30-50 ms here), so every client of the process shares it;
    a process that changes either variable gets a context that follows the change.
    """
    return _context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _context_for(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    del cafile, capath  # the cache key: httpx2 reads the same variables itself
    return httpx2.create_ssl_context(verify=True, trust_env=True)


class PooledClient:
    """One backend's pooled ``httpx2.AsyncClient``, made in the event loop that first uses it.

    Connections belong to the loop that opened them. A caller that runs each call in its own loop
    (``asyncio.run(connector.execute(...))`` twice) gets a fresh pool in the new loop; the old one is let
    go unclosed, since its finished loop can no longer close it (its sockets close when collected).
    ``transport`` replaces the network (the in-process demo Sentry, tests).
    """

    def __init__(
        self,
        *,
        headers: Mapping[str, str],
        timeout: float,
        max_connections: int,
        base_url: str = "",
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._headers = dict(headers)
        self._timeout = timeout
        self._max_connections = max_connections
        self._base_url = base_url
        self._transport = transport
        self._client: httpx2.AsyncClient | None = None
        self._loop: object = None

    def current(self) -> httpx2.AsyncClient:
        """The client of the running event loop (asyncio or trio)."""
        loop = anyio.lowlevel.current_token().native_token
        if self._client is None or loop is not self._loop:
            self._client, self._loop = self._open(), loop
        return self._client

    def _open(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            base_url=self._base_url,
            headers=self._headers,
            timeout=httpx2.Timeout(self._timeout, connect=min(CONNECT_TIMEOUT, self._timeout)),
            limits=httpx2.Limits(
                max_connections=self._max_connections,
                max_keepalive_connections=self._max_connections,
                keepalive_expiry=KEEPALIVE_EXPIRY,
            ),
            follow_redirects=False,
            trust_env=True,
            verify=trusted_ssl_context() if self._transport is None else True,  # a given transport has its own
            transport=self._transport,
        )

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is anyio.lowlevel.current_token().native_token:
            await client.aclose()
