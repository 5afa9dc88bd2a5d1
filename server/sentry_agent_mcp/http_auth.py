"""Per-user mode's front door (README "Per-user credentials"): every HTTP request carries its caller's
Sentry token as ``Authorization: Sentry-Bearer <token>`` (the official remote server's scheme).

A request without one, with another scheme, with a token that cannot be one, or with a token Sentry
rejects gets HTTP 401, a JSON body and a ``WWW-Authenticate`` challenge that says what to send; when
Sentry cannot say (5xx, timeout), 503 with ``Retry-After``. Only then does the request reach the MCP app,
whose tool calls take the same header's token to find the caller's executor (``caller_token``). The
token is never logged, never echoed and never a key (``credentials.py``). A session (streamable HTTP or
SSE) belongs to the credential that opened it (``caller_principal``): another caller who learns its id
gets "session not found", neither its stream nor a way to end it.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .credentials import CredentialStore, TokenCheckUnavailableError, TokenRejectedError
from .errors import SentryAgentError
from .http_app import json_answer

logger = logging.getLogger(__name__)

SCHEME = "Sentry-Bearer"
REALM = "sentry-agent-mcp"
MIN_TOKEN_CHARS = 16
"""Shorter is no Sentry token (user tokens are `sntryu_` and 64 hex digits; legacy ones 64 hex digits)."""
MAX_TOKEN_CHARS = 512
RETRY_AFTER_SECONDS = 5


class MissingTokenError(SentryAgentError):
    """A request in per-user mode without ``Authorization: Sentry-Bearer <token>``."""

    code = "missing_token"


class MalformedTokenError(SentryAgentError):
    """An ``Authorization`` header that cannot hold a Sentry token."""

    code = "malformed_token"


def parse_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Sentry-Bearer <token>`` value, or an error saying what is wrong
    (never quoting the value)."""
    send = f"Send your Sentry user auth token as 'Authorization: {SCHEME} <token>'."
    if not authorization:
        raise MissingTokenError("This server needs each caller's own Sentry token.", hint=send)
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != SCHEME.lower():
        raise MalformedTokenError(
            f"The Authorization header uses another scheme than {SCHEME}.",
            hint=f"{send} ('Bearer' is for the server's shared token, which per-user mode does not use.)",
        )
    token = credentials.strip()
    if not MIN_TOKEN_CHARS <= len(token) <= MAX_TOKEN_CHARS or not all("!" <= char <= "~" for char in token):
        raise MalformedTokenError(
            f"The {SCHEME} token is not a Sentry token: {MIN_TOKEN_CHARS} to {MAX_TOKEN_CHARS} visible ASCII "
            "characters without spaces.",
            hint=send,
        )
    return token


def _one_authorization(headers: Headers) -> str | None:
    """The request's one ``Authorization`` value: two are refused, since a proxy in front may read the
    other one than this server does."""
    values = headers.getlist("authorization")
    if len(values) > 1:
        raise MalformedTokenError(
            "The request has more than one Authorization header.",
            hint=f"Send exactly one: 'Authorization: {SCHEME} <token>'.",
        )
    return values[0] if values else None


def caller_principal(key: bytes) -> AuthenticatedUser:
    """The caller as the SDK's transports know a principal (``scope["user"]``, the Starlette convention
    its own auth middleware follows): a session is bound to the credential that opened it, and a request
    with another one is answered as if the session did not exist, on streamable HTTP and SSE alike. It
    carries the token's keyed hash (``CredentialStore.key_of``), never the token."""
    principal = key.hex()
    return AuthenticatedUser(AccessToken(token=principal, client_id=principal, scopes=[]))


def caller_token(request: Any) -> str:
    """The caller's token from the HTTP request a tool call arrived with (the SDK hands it to handlers as
    ``request_context.request`` on both HTTP transports); an error when there is none."""
    headers = getattr(request, "headers", None)
    if not isinstance(headers, Headers):
        raise MissingTokenError(
            "Per-user mode serves tool calls that arrive over HTTP only.",
            hint="Connect over streamable HTTP (or SSE) and send 'Authorization: Sentry-Bearer <token>'.",
        )
    return parse_token(headers.get("authorization"))


def _challenge(error: SentryAgentError | None) -> bytes:
    """RFC 6750's challenge with our scheme: no error attribute when nothing was sent."""
    value = f'{SCHEME} realm="{REALM}"'
    if error is not None and not isinstance(error, MissingTokenError):
        kind = "invalid_request" if isinstance(error, MalformedTokenError) else "invalid_token"
        value += f', error="{kind}", error_description="{error.message.replace(chr(34), chr(39))}"'
    return value.encode()


class SentryBearerMiddleware:
    """Lets an HTTP request through only with a token Sentry accepts (lifespan passes through)."""

    def __init__(self, app: ASGIApp, credentials: CredentialStore) -> None:
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        try:
            token = parse_token(_one_authorization(Headers(scope=scope)))
            await self.credentials.authenticate(token)
        except (MissingTokenError, MalformedTokenError, TokenRejectedError) as exc:
            await self._refuse(scope, send, 401, exc, (b"www-authenticate", _challenge(exc)))
            return
        except TokenCheckUnavailableError as exc:
            logger.warning("per-user token check failed: %s", exc.message)
            await self._refuse(scope, send, 503, exc, (b"retry-after", str(RETRY_AFTER_SECONDS).encode()))
            return
        await self.app({**scope, "user": caller_principal(self.credentials.key_of(token))}, receive, send)

    @staticmethod
    async def _refuse(
        scope: Scope, send: Send, status: int, error: SentryAgentError, header: tuple[bytes, bytes]
    ) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = {"error": error.code, "error_description": error.message, "hint": error.hint}
        await json_answer(send, status, body, header)
