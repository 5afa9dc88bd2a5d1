"""``serve --workers N``: N server processes on one port, through uvicorn's own process manager.

uvicorn's supervisor (``uvicorn.supervisors.Multiprocess``) binds nothing itself here: the parent claims
the address (``worker_sockets.supervisor_socket``, one clear line when the port is taken), then starts N
children that listen on it (on Linux each on its own ``SO_REUSEPORT`` socket, so the kernel spreads the
connections), restarts a child that dies, and on SIGTERM/SIGINT asks each to shut down gracefully
(``SENTRY_MCP_HTTP_SHUTDOWN_TIMEOUT``). Each child imports ``worker_app`` and builds the same
guarded app as one process would (``http_app.build_app``: ``/healthz``, bearer check, Host allow-lists,
body cap, access log) from the same settings: the parent's settings, command-line flags included, travel
to the children in ``WORKER_SETTINGS_VARIABLE`` (secrets excepted: they are read from the environment
the children inherit, never copied).

Sessions of streamable HTTP live in one process, so more than one worker needs stateless mode; SSE is
a session by nature and cannot be stateless (README "Deploy for a team").
"""

from __future__ import annotations

import functools
import json
import os
import sys
from typing import Any, get_args

from pydantic import SecretStr
from starlette.types import ASGIApp

from .config import Settings
from .errors import ConfigurationError
from .http_limits import HeaderDeadlineProtocol

WORKER_SETTINGS_VARIABLE = "SENTRY_AGENT_MCP_WORKER_SETTINGS"
"""Set by the parent for its workers: ``{"transport": ..., "settings": {field: value}}`` without secrets."""


def check_scale_out(transport: str, settings: Settings) -> None:
    """Refuse combinations that would answer wrongly: sessions spread over processes, stateless SSE."""
    if transport == "sse" and (settings.http_stateless or settings.http_workers > 1):
        raise ConfigurationError(
            "SSE keeps each client's session in one process, so it cannot run stateless or with several workers.",
            hint="Serve --transport streamable-http for --stateless/--workers, or unset SENTRY_MCP_HTTP_STATELESS "
            "and SENTRY_MCP_HTTP_WORKERS for SSE.",
        )
    if transport == "stdio" and settings.http_workers > 1:
        raise ConfigurationError(
            "--workers applies to the HTTP transports: a stdio server has one client, its parent process.",
            hint="Serve --transport streamable-http --stateless --workers N.",
        )
    if settings.http_workers > 1 and not settings.http_stateless:
        raise ConfigurationError(
            f"--workers {settings.http_workers} needs --stateless: a session started on one worker would be "
            "unknown to the others.",
            hint="Add --stateless (SENTRY_MCP_HTTP_STATELESS=true), or serve with one worker.",
        )


def _secret_fields() -> frozenset[str]:
    return frozenset(
        name
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr or SecretStr in get_args(field.annotation)
    )


def encode_worker_settings(transport: str, settings: Settings) -> str:
    """What the workers need to rebuild ``settings``: every field but the secrets, as JSON."""
    fields = settings.model_dump(mode="json", exclude=set(_secret_fields()))
    return json.dumps({"transport": transport, "settings": fields})


def decode_worker_settings(encoded: str) -> tuple[str, Settings]:
    """The transport and settings a parent encoded; secrets come from this process's environment."""
    payload = json.loads(encoded)
    return str(payload["transport"]), Settings.read(**payload["settings"])


@functools.cache
def _worker_configuration() -> tuple[str, Settings]:
    encoded = os.environ.get(WORKER_SETTINGS_VARIABLE)
    if not encoded:
        raise ConfigurationError(f"{WORKER_SETTINGS_VARIABLE} is not set: workers are started by `serve --workers`.")
    return decode_worker_settings(encoded)


def worker_app() -> ASGIApp:
    """uvicorn's app factory in each worker: the guarded app, as ``serve`` builds it in one process."""
    from .http_app import build_app
    from .mcp_server import SentryMCPServer

    transport, settings = _worker_configuration()
    server = SentryMCPServer(settings)  # installs the log redaction after uvicorn has set up this child's logging
    if transport not in ("streamable-http", "sse"):
        raise ConfigurationError(f"Workers serve HTTP transports only, not {transport}.")
    return build_app(server, "sse" if transport == "sse" else "streamable-http", settings.http_host, settings)


class WorkerHeaderDeadlineProtocol(HeaderDeadlineProtocol):
    """``HeaderDeadlineProtocol`` with the worker's ``SENTRY_MCP_HTTP_HEADER_TIMEOUT``.

    uvicorn sends its configuration to each worker by pickling it, and a class made at run time cannot be
    pickled, so the workers name this one and it reads the deadline from the worker's settings.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.header_timeout = _worker_configuration()[1].http_header_timeout
        super().__init__(*args, **kwargs)


def serve_workers(transport: str, settings: Settings) -> None:
    """Bind, then run ``settings.http_workers`` processes under uvicorn's supervisor until SIGTERM/SIGINT."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from .http_app import (
        ENDPOINTS,
        EXIT_CANNOT_LISTEN,
        HttpTransport,
        ListenError,
        check_bind,
        endpoint_url,
        uvicorn_options,
    )
    from .http_limits import raise_open_file_limit
    from .redaction import install_redaction, secrets_of
    from .worker_sockets import supervisor_socket

    check_scale_out(transport, settings)
    check_bind(settings.http_host, settings)
    raise_open_file_limit()  # the children inherit it
    os.environ[WORKER_SETTINGS_VARIABLE] = encode_worker_settings(transport, settings)
    config = uvicorn.Config(
        f"{__name__}:worker_app",
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        workers=settings.http_workers,
        http=f"{__name__}:WorkerHeaderDeadlineProtocol",
        **uvicorn_options(settings),
    )
    install_redaction(secrets_of(settings))  # again: uvicorn.Config has just set up its own handlers
    try:
        sock = supervisor_socket(settings.http_host, settings.http_port)
    except ListenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_CANNOT_LISTEN) from None
    http: HttpTransport = "sse" if transport == "sse" else "streamable-http"
    banner = f"{ENDPOINTS[http][0]} on {endpoint_url(sock, http)} ({settings.http_workers} workers)"
    print(f"sentry-agent-mcp: {banner}", file=sys.stderr, flush=True)
    supervisor = Multiprocess(config, sockets=[sock])
    try:
        supervisor.run()
    finally:
        sock.close()
    if any(worker.exitcode == STARTUP_FAILURE for worker in supervisor.processes):
        raise SystemExit(EXIT_CANNOT_LISTEN)  # the supervisor stopped: a worker could not listen or start
