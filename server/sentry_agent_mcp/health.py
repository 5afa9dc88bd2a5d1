"""``GET /healthz``: 200 without authentication, for load balancers and orchestrators (README "Deploy for a team").

It answers before every other layer (bearer or per-user checks, Host allow-lists, the MCP app), since a
probe comes from the orchestrator with the pod's address as its Host and no credentials. The body says
only that the process serves and which version: nothing about its configuration or its Sentry.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from ._version import __version__

HEALTH_PATH = "/healthz"
_BODY = json.dumps({"status": "ok", "version": __version__}).encode()


class HealthCheck:
    """Answers ``GET``/``HEAD /healthz`` itself; every other request goes to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        allowed = method in ("GET", "HEAD")
        body = _BODY if allowed else json.dumps({"error": "method_not_allowed"}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        if not allowed:
            headers.append((b"allow", b"GET, HEAD"))
        await send({"type": "http.response.start", "status": 200 if allowed else 405, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
