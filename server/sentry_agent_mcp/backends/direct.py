"""The direct backend: Sentry's REST API over one pooled ``httpx.AsyncClient``."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from pydantic import SecretStr

from .. import __version__
from ..catalog import Kind, Pair, Params, Served
from ..errors import UpstreamConnectionError, UpstreamProtocolError, UpstreamTimeoutError
from .base import list_page
from .pagination import next_page
from .requests import RequestSpec, build_request
from .upstream_errors import describe_body, error_from_response

CONNECT_TIMEOUT = 5.0


class DirectBackend:
    """Calls ``{base_url}/api/0`` with a bearer token.

    One client per backend (and so per server process): connections are pooled and reused. Redirects
    are not followed: Sentry's 302 means "project renamed", which the agent must hear about.
    """

    serves = Served.DIRECT

    def __init__(
        self,
        *,
        base_url: str,
        token: SecretStr,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "direct",
    ) -> None:
        self.name = name
        self.base_url = base_url
        self._timeout = timeout
        self._client = httpx.AsyncClient(
            base_url=f"{base_url}/api/0",
            headers={
                "Authorization": f"Bearer {token.get_secret_value()}",
                "Accept": "application/json",
                "User-Agent": f"sentry-agent-mcp/{__version__}",
            },
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"DirectBackend(name={self.name!r}, base_url={self.base_url!r})"

    async def execute(self, pair: Pair, params: Params) -> Any:
        spec = build_request(pair, params)
        response = await self._send(spec)
        return self._result(pair, spec, response)

    async def check(self) -> str:
        spec = RequestSpec("GET", "/projects/", [("per_page", "1")], None)
        response = await self._send(spec)
        data = self._decoded(spec, response)
        seen = "at least one project" if data else "no projects yet"
        return f"{self.name} backend at {self.base_url}: token accepted, {seen} visible"

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(self, spec: RequestSpec) -> httpx.Response:
        what = f"{spec.method} /api/0{spec.path}"
        try:
            return await self._client.request(spec.method, spec.path, params=spec.query, json=spec.body)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeoutError(
                f"Sentry did not answer {what} within {self._timeout:g} s ({type(exc).__name__}).",
                hint="Sentry may be slow or overloaded: narrow the query (shorter period, fewer fields) or retry.",
            ) from None
        except httpx.TransportError as exc:
            raise UpstreamConnectionError(
                f"Could not reach Sentry at {self.base_url} for {what}: {type(exc).__name__}: {str(exc)[:200]}",
                hint="Check SENTRY_HOSTNAME and the network; retry in a moment.",
            ) from None

    def _decoded(self, spec: RequestSpec, response: httpx.Response) -> Any:
        what = f"{spec.method} /api/0{spec.path}"
        if response.status_code >= 300:
            raise error_from_response(
                status=response.status_code,
                headers=response.headers,
                body=response.content,
                what=what,
                now=time.time(),
            )
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            detail = describe_body(response.content, response.headers.get("content-type"))
            raise UpstreamProtocolError(
                f"Sentry answered {what} with HTTP {response.status_code} but not with JSON: {detail}",
                hint="A proxy or an outage may be in the way; retry in a moment.",
            ) from None

    def _result(self, pair: Pair, spec: RequestSpec, response: httpx.Response) -> Any:
        data = self._decoded(spec, response)
        if pair.kind is Kind.LIST:
            has_more, cursor = next_page(response.headers.get("link"))
            return list_page(data if data is not None else [], has_more=has_more, next_cursor=cursor)
        return data if data is not None else {}
