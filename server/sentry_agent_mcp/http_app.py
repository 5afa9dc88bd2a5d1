"""The HTTP transports (streamable HTTP and SSE) with the protections the SDK leaves to its user.

- Binding: loopback by default. Any other address needs ``SENTRY_MCP_HTTP_TOKEN``: the server holds a
  Sentry token, and anyone who can reach the port could otherwise spend it.
- Bearer token: when ``SENTRY_MCP_HTTP_TOKEN`` is set (loopback included) every HTTP request must send
  ``Authorization: Bearer <token>``; anything else gets a JSON 401. Compared in constant time.
- DNS rebinding: the SDK checks ``Host`` and ``Origin`` automatically only for loopback binds, so the
  allow-lists are always passed explicitly: loopback names, the bound address, and for wildcard binds
  this machine's names, plus ``SENTRY_MCP_HTTP_ALLOWED_HOSTS``.
- Request bodies: at most ``MAX_REQUEST_BODY`` bytes (413 beyond), below the SDK's 4 MiB default.
- Limits (``Settings.http_*``): open sessions and their idle lifetime, open connections, a deadline for
  request headers (``http_limits``), keep-alive; a non-loopback bind needs a token of ``MIN_TOKEN_LENGTH``.

Every way in runs ``serve_http_async``: ``sentry-agent-mcp serve``, ``python -m sentry_agent_mcp`` and
``mcp run app.py -t streamable-http|sse`` (through ``SentryMCPServer.run``/``run_*_async``).

Streamable HTTP answers each call with one JSON body unless ``SENTRY_MCP_HTTP_STREAMING`` is set: an
event stream per call costs the SDK several tasks and halves the calls a core serves (``bench/``), and
all it adds is progress notifications during multi-page lists. The SDK notices a client that gives up
only on event streams, so JSON-answered calls are cancelled here when their client disconnects.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import os
import socket
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import anyio
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Settings
from .errors import ConfigurationError, SentryAgentError
from .redaction import install_redaction, secrets_of

if TYPE_CHECKING:
    from .mcp_server import SentryMCPServer

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
MAX_REQUEST_BODY = 1024 * 1024
"""1 MiB: a tool call's arguments are a few kilobytes; nothing legitimate comes near this."""
MIN_TOKEN_LENGTH = 32
"""Beyond loopback the token is all that stands between the network and the Sentry token: 32 random
characters are out of reach of guessing, a short word is not."""

HttpTransport = Literal["streamable-http", "sse"]
HTTP_TRANSPORTS: tuple[HttpTransport, ...] = ("streamable-http", "sse")
ENDPOINTS: dict[HttpTransport, tuple[str, str]] = {
    "streamable-http": ("streamable HTTP", "/mcp"),
    "sse": ("SSE", "/sse"),
}
"""Each transport's name and path, as the SDK's apps serve them by default."""
EXIT_CANNOT_LISTEN = 3
"""The exit status when the address cannot be listened on (uvicorn's own ``STARTUP_FAILURE``)."""


class ListenError(SentryAgentError):
    """The HTTP address cannot be listened on: the port is taken, or the host is not one of this machine's."""

    code = "cannot_listen"


def bound_socket(
    host: str,
    port: int,
    kind: type[socket.socket] = socket.socket,
    *,
    reuse_port: bool = False,
    backlog: int | None = None,
) -> socket.socket:
    """A TCP socket of class ``kind`` bound to ``host``:``port`` (``SO_REUSEPORT`` too when asked), listening
    when a ``backlog`` is given: a failure is one clear line (``ListenError``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0 (socket.create_server's): asyncio turns Nagle off only on sockets that say TCP,
    # and without it every answer waits ~40 ms for a delayed ACK (uvloop does it regardless).
    sock = kind(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name == "posix":  # as uvicorn and socket.create_server do; on Windows it would allow port theft
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if backlog is not None:
            sock.listen(backlog)
        return sock
    except OSError as exc:  # gaierror's errno is negative: its own text says it
        sock.close()
        reason = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else (exc.strerror or str(exc))
        raise ListenError(
            f"Cannot listen on {host}:{port}: {reason}",
            hint="Another server may hold the port: pick another with --port (SENTRY_MCP_HTTP_PORT).",
        ) from None


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening, for uvicorn to serve: a failure is one clear line."""
    return bound_socket(host, port, backlog=2048)  # uvicorn's default backlog


def endpoint_url(sock: socket.socket, transport: HttpTransport) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}{ENDPOINTS[transport][1]}"


class BearerTokenMiddleware:
    """Answers 401 to any HTTP request without ``Authorization: Bearer <token>`` (lifespan passes through)."""

    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app = app
        self._expected = token.get_secret_value().encode()

    def _authorised(self, scope: Scope) -> bool:
        scheme, _, credentials = Headers(scope=scope).get("authorization", "").partition(" ")
        supplied = credentials.strip().encode("utf-8", errors="replace")
        # Compare even on a wrong scheme, so the time taken does not tell which part was wrong.
        matches = hmac.compare_digest(supplied, self._expected)
        return matches and scheme.lower() == "bearer"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._authorised(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = {
            "error": "unauthorized",
            "error_description": "Send the server's SENTRY_MCP_HTTP_TOKEN as 'Authorization: Bearer <token>'.",
        }
        await json_answer(send, 401, body, (b"www-authenticate", b'Bearer realm="sentry-agent-mcp"'))


class CancelOnDisconnect:
    """Cancels the handling of a POST whose client disconnects before its answer is complete.

    The body is read first (at most ``MAX_REQUEST_BODY`` bytes, else 413), then replayed to the app while
    the connection is watched; a disconnect before the response ends cancels the app, and with it the
    tool call and its request to Sentry.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_REQUEST_BODY:
                await json_answer(send, 413, {"error": "request_too_large", "limit_bytes": MAX_REQUEST_BODY})
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False
        finished = anyio.Event()

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def tracked_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finished.set()

        async with anyio.create_task_group() as group:

            async def watch() -> None:
                message = await receive()
                if message["type"] == "http.disconnect" and not finished.is_set():
                    group.cancel_scope.cancel()

            group.start_soon(watch)
            await self.app(scope, replay, tracked_send)
            finished.set()
            group.cancel_scope.cancel()


async def json_answer(send: Send, status: int, body: Mapping[str, object], *extra: tuple[bytes, bytes]) -> None:
    """Answer an HTTP request with ``body`` as JSON (every refusal of the guards, shared and per-user alike)."""
    content = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def check_bind(host: str, settings: Settings) -> None:
    """Refuse a non-loopback bind without a long ``SENTRY_MCP_HTTP_TOKEN`` (exit 2 with what to do)."""
    if host in LOOPBACK_HOSTS or settings.http_auth == "per-user":  # per-user: each request authenticates itself
        return
    if settings.http_token is None:
        raise ConfigurationError(
            f"Refusing to serve on {host} without SENTRY_MCP_HTTP_TOKEN: anyone who reaches the port could use "
            "your Sentry token.",
            hint="Set SENTRY_MCP_HTTP_TOKEN to a long random value (clients send it as a bearer token), "
            "or bind 127.0.0.1.",
        )
    length = len(settings.http_token.get_secret_value())
    if length < MIN_TOKEN_LENGTH:
        raise ConfigurationError(
            f"Refusing to serve on {host}: SENTRY_MCP_HTTP_TOKEN has {length} characters, fewer than "
            f"{MIN_TOKEN_LENGTH}, and a short token can be guessed by anyone who reaches the port.",
            hint="Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
        )


def _host_names(host: str, extra: list[str]) -> list[str]:
    names = ["127.0.0.1", "localhost", "[::1]"]
    if host in WILDCARD_HOSTS:
        names += [socket.gethostname(), socket.getfqdn()]
    elif host not in LOOPBACK_HOSTS:
        names.append(f"[{host}]" if ":" in host else host)
    names += extra
    return list(dict.fromkeys(name.lower() for name in names if name))


def transport_security(host: str, settings: Settings) -> TransportSecuritySettings:
    """Host and Origin allow-lists for a server bound to ``host`` (DNS-rebinding protection on)."""
    hosts: list[str] = []
    origins: list[str] = []
    extra = [part.strip() for part in (settings.http_allowed_hosts or "").split(",") if part.strip()]
    for name in _host_names(host, extra):
        has_port = name.rsplit("]", 1)[-1].count(":") == 1
        hosts += [name] if has_port else [name, f"{name}:*"]
        for scheme in ("http", "https"):
            origins += [f"{scheme}://{name}"] if has_port else [f"{scheme}://{name}", f"{scheme}://{name}:*"]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def build_app(server: SentryMCPServer, transport: HttpTransport, host: str, settings: Settings) -> ASGIApp:
    """The ASGI app for ``transport``: the SDK's app, its security settings and limits, and the bearer check.

    Around it all, ``/healthz`` (no auth); inside the server, the access log (``access_log.py``).
    """
    from .access_log import add_access_log
    from .health import HealthCheck
    from .pinned_http import pinned_paths
    from .workers import check_scale_out

    check_scale_out(transport, settings)
    if settings.access_log:
        add_access_log(server)
    security = transport_security(host, settings)
    app: ASGIApp
    if transport == "sse":
        app = server.sse_app(max_request_body_size=MAX_REQUEST_BODY, transport_security=security, host=host)
    else:
        app = server.streamable_http_app(
            max_request_body_size=MAX_REQUEST_BODY,
            transport_security=security,
            host=host,
            json_response=not settings.http_streaming,
            max_sessions=settings.http_max_sessions,
            session_idle_timeout=settings.http_session_idle_timeout,
            stateless_http=settings.http_stateless,
        )
        app = pinned_paths(server, app)  # /mcp/{org}[/{project}], behind every guard below (pinned_http.py)
        if not settings.http_streaming:
            app = CancelOnDisconnect(app)
    if settings.http_auth == "per-user":  # README "Per-user credentials"
        from .http_auth import SentryBearerMiddleware

        app = SentryBearerMiddleware(app, server.credentials)
    elif settings.http_token is not None:
        app = BearerTokenMiddleware(app, settings.http_token)
    return HealthCheck(app)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options from the settings, the same for one process and for each worker (``workers.py``)."""
    return {
        "log_level": settings.log_level.lower(),
        "lifespan": "on",
        "server_header": False,
        "access_log": False,  # it prints query strings; ``access_log.py`` logs each tool call instead
        "timeout_graceful_shutdown": settings.http_shutdown_timeout,
        "ws": "none",  # neither MCP transport uses WebSockets
        "limit_concurrency": settings.http_max_connections,
        "timeout_keep_alive": settings.http_keep_alive_timeout,
    }


async def serve_http_async(
    server: SentryMCPServer,
    transport: HttpTransport,
    *,
    host: str | None = None,
    port: int | None = None,
    **sdk_options: object,
) -> None:
    """Serve ``transport`` with uvicorn until cancelled: the guarded app and its limits, whatever the way in.

    ``host``/``port`` default to ``SENTRY_MCP_HTTP_HOST``/``SENTRY_MCP_HTTP_PORT``. The SDK's other options
    (another body cap, other allow-lists, session limits) are refused rather than silently ignored.
    """
    import uvicorn

    from .http_limits import header_deadline_protocol, raise_open_file_limit

    settings = server.sentry_settings
    if sdk_options:
        raise ConfigurationError(
            f"The {transport} transport takes only host and port here, not {', '.join(sorted(sdk_options))}: "
            "its guards and limits come from the server's settings.",
            hint="Set the SENTRY_MCP_HTTP_* variables instead (see the README's deployment section).",
        )
    if settings.http_workers > 1:  # `serve` hands several workers to workers.py before it gets here
        raise ConfigurationError(
            f"SENTRY_MCP_HTTP_WORKERS={settings.http_workers}, but this way in serves one process.",
            hint="Run `sentry-agent-mcp serve --transport streamable-http --stateless --workers N` instead.",
        )
    host = settings.http_host if host is None else host
    port = settings.http_port if port is None else port
    check_bind(host, settings)
    app = build_app(server, transport, host, settings)
    descriptors = raise_open_file_limit()
    if descriptors is not None and descriptors < settings.http_max_connections + 64:
        logger.warning(
            "open-file limit %d is below SENTRY_MCP_HTTP_MAX_CONNECTIONS=%d: raise `ulimit -n`",
            descriptors,
            settings.http_max_connections,
        )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=header_deadline_protocol(settings.http_header_timeout),
        **uvicorn_options(settings),
    )
    install_redaction(secrets_of(settings))  # again: uvicorn.Config has just set up its own handlers
    sock = listening_socket(host, port)
    print(
        f"sentry-agent-mcp: {ENDPOINTS[transport][0]} on {endpoint_url(sock, transport)}", file=sys.stderr, flush=True
    )
    try:
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        sock.close()
        if settings.http_auth == "per-user":
            await server.credentials.aclose()


def serve_http(server: SentryMCPServer, transport: str, **options: Any) -> None:
    """Run ``transport`` until interrupted; a configuration problem is one line on stderr and exit status 2.

    On uvloop where it is installed, as uvicorn's own runner would choose.
    """
    from .mcp_server import event_loop_options

    if transport not in HTTP_TRANSPORTS:
        raise ValueError(f"Unknown transport: {transport}")
    run = server.run_sse_async if transport == "sse" else server.run_streamable_http_async
    try:
        anyio.run(functools.partial(run, **options), backend_options=event_loop_options())
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except ListenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_CANNOT_LISTEN) from None
