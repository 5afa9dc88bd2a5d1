"""The Airbyte API, as the hosted Sentry connector uses it: token, connector lookup, execute, create.

One access token is fetched and reused for the ``expires_in`` the API returns (minus a margin); a 401
on a call refreshes it once and repeats that call (a 401 means the call was not executed). The
client secret travels only in the token request's body; errors never include a body we sent.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import httpx2
from pydantic import SecretStr

from .._version import __version__
from ..config import airbyte_api_base_url
from ..errors import (
    ConfigurationError,
    RateLimitedError,
    UpstreamConnectionError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeoutError,
)
from ..redaction import loads, register
from .bodies import MAX_BODY_BYTES, read_capped
from .http_client import CONNECT_TIMEOUT, PooledClient
from .requests import encode_segment
from .retry import current_deadline
from .upstream_errors import describe_body, retry_after_seconds, said

SENTRY_DEFINITION_ID = "cdaf146a-9b75-49fd-9dd2-9d64a0bb4781"
"""Airbyte's connector definition id for Sentry."""
TOKEN_MARGIN = 60.0
DEFAULT_TOKEN_LIFETIME = 900.0

_HINTS = {
    400: "Airbyte rejected the request: fix the params named above.",
    401: "Airbyte rejected the credentials: check AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET.",
    403: "These Airbyte credentials may not use this connector or organization: check AIRBYTE_ORGANIZATION_ID.",
    404: "No such hosted connector: check AIRBYTE_CONNECTOR_ID or AIRBYTE_CUSTOMER_NAME.",
    422: "The hosted connector rejected the params: fix the ones named above.",
    429: "Airbyte is rate-limiting these calls; wait before calling again.",
}


def _airbyte_detail(body: bytes, content_type: str | None) -> str | None:
    try:
        data = loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("detail"), list):  # FastAPI validation errors
        parts = []
        for item in data["detail"]:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
        return "; ".join(parts) or None
    if isinstance(data, dict) and isinstance(data.get("message"), str) and "detail" not in data:
        return str(data["message"])
    return describe_body(body, content_type)


def airbyte_error(response: httpx2.Response, what: str) -> UpstreamError:
    """A clear error for a non-2xx answer of the Airbyte API."""
    status = response.status_code
    detail = said(_airbyte_detail(response.content, response.headers.get("content-type")))
    message = f"The Airbyte API answered HTTP {status} to {what}" + (f": {detail}" if detail else ".")
    hint = _HINTS.get(status, "Airbyte failed on its side; try again in a moment." if status >= 500 else None)
    if status == 429:
        wait = retry_after_seconds(response.headers, time.time())
        return RateLimitedError(message, status=status, detail=detail, hint=hint, retry_after=wait)
    return UpstreamError(message, status=status, detail=detail, hint=hint)


class AirbyteAPI:
    """A small client of the Airbyte API with a cached application token."""

    def __init__(
        self,
        *,
        api_url: str,
        client_id: str,
        client_secret: SecretStr,
        organization_id: str | None = None,
        timeout: float = 30.0,
        transport: httpx2.AsyncBaseTransport | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.api_url = airbyte_api_base_url(api_url)  # https (or loopback http), no userinfo: else a clear error
        self._max_body_bytes = max_body_bytes
        self._client_id = client_id
        self._client_secret = client_secret
        register(client_secret)
        self._organization_id = organization_id
        self._timeout = timeout
        self._http = PooledClient(
            base_url=self.api_url,
            headers={"Accept": "application/json", "User-Agent": f"sentry-agent-mcp/{__version__}"},
            timeout=timeout,
            max_connections=8,
            transport=transport,
        )
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = anyio.Lock()

    def __repr__(self) -> str:
        return f"AirbyteAPI(api_url={self.api_url!r})"

    @property
    def timeout(self) -> float:
        """Seconds one call may take, all its requests together (``SENTRY_MCP_TIMEOUT``)."""
        return self._timeout

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if self._organization_id:
            headers["X-Organization-Id"] = self._organization_id
        return headers

    async def _send(self, method: str, path: str, token: str | None, **kwargs: Any) -> httpx2.Response:
        """One request and its body (read up to ``max_body_bytes``), within the running call's deadline."""
        what = f"{method} {path}"
        deadline = current_deadline(self._timeout)
        try:
            with anyio.move_on_after(deadline.remaining()):
                remaining = max(deadline.remaining(), 0.001)
                timeout = httpx2.Timeout(remaining, connect=min(CONNECT_TIMEOUT, remaining))
                client = self._http.current()
                request = client.build_request(method, path, headers=self._headers(token), timeout=timeout, **kwargs)
                opened = await client.send(request, stream=True)
                return await read_capped(opened, cap=self._max_body_bytes, who="The Airbyte API", what=what)
        except httpx2.TimeoutException:
            pass
        except httpx2.TransportError as exc:
            raise UpstreamConnectionError(
                f"Could not reach the Airbyte API at {self.api_url} for {what}: {type(exc).__name__}",
                hint="Check AIRBYTE_API_URL and the network.",
            ) from None
        raise UpstreamTimeoutError(
            f"The Airbyte API did not answer {what} within the call's {deadline.seconds:g} s deadline "
            f"({deadline.elapsed():.1f} s spent).",
            hint="Retry in a moment; the hosted connector may be slow to start.",
        )

    async def _access_token(self, stale: str | None = None) -> str:
        """The cached token; a new one when it expired or when ``stale`` (just refused) is current."""
        async with self._lock:
            fresh = self._token is not None and time.monotonic() < self._expires_at
            if fresh and self._token != stale:
                assert self._token is not None
                return self._token
            body = {"client_id": self._client_id, "client_secret": self._client_secret.get_secret_value()}
            response = await self._send("POST", "/api/v1/account/applications/token", None, json=body)
            if response.status_code >= 300:
                raise airbyte_error(response, "POST /api/v1/account/applications/token")
            data = self._json(response, "the token request", masked=False)  # the one body meant to hold a secret
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise UpstreamProtocolError("The Airbyte API answered the token request without an access_token.")
            lifetime = data.get("expires_in")
            seconds = float(lifetime) if isinstance(lifetime, int | float) else DEFAULT_TOKEN_LIFETIME
            register(token)  # learned at run time: masked from now on, like the configured secrets
            self._token = token
            self._expires_at = time.monotonic() + max(0.0, seconds - min(TOKEN_MARGIN, seconds / 10))
            return token

    @staticmethod
    def _json(response: httpx2.Response, what: str, *, masked: bool = True) -> Any:
        try:
            return loads(response.content) if masked else json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise UpstreamProtocolError(f"The Airbyte API answered {what} with a body that is not JSON.") from None

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """An authenticated call; a 401 refreshes the token once and repeats the call."""
        token = await self._access_token()
        response = await self._send(method, path, token, **kwargs)
        if response.status_code == 401:
            token = await self._access_token(stale=token)
            response = await self._send(method, path, token, **kwargs)
        if response.status_code >= 300:
            raise airbyte_error(response, f"{method} {path}")
        return self._json(response, f"{method} {path}")

    async def find_connector(self, customer_name: str) -> str:
        """The id of the customer's one Sentry connector (zero or several: a clear error)."""
        params = {"customer_name": customer_name, "definition_id": SENTRY_DEFINITION_ID}
        body = await self.request("GET", "/api/v1/integrations/connectors", params=params)
        items = body.get("data", []) if isinstance(body, dict) else []
        ids = [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id")]
        if any(connector in (".", "..") for connector in ids):
            raise UpstreamProtocolError("The Airbyte API answered the connector lookup with an id of '.' or '..'.")
        if len(ids) != 1:
            found = "no Sentry connector" if not ids else f"{len(ids)} Sentry connectors ({', '.join(ids)})"
            raise ConfigurationError(
                f"Airbyte has {found} for customer {customer_name!r}; exactly one is needed.",
                hint="Set AIRBYTE_CONNECTOR_ID (AirbyteAuthConfig.connector_id) to choose one.",
            )
        return ids[0]

    async def execute(self, connector_id: str, entity: str, action: str, params: dict[str, Any]) -> Any:
        body = {"entity": entity, "action": action, "params": params}
        segment = encode_segment(connector_id, "the connector id")  # one path segment, whoever supplied it
        return await self.request("POST", f"/api/v1/integrations/connectors/{segment}/execute", json=body)

    async def create_connector(self, body: dict[str, Any]) -> Any:
        return await self.request("POST", "/api/v1/integrations/connectors", json=body)

    async def aclose(self) -> None:
        await self._http.aclose()
