"""A fake Airbyte API on 127.0.0.1 for the hosted-backend tests.

It speaks the protocol of the Airbyte-hosted Sentry connector (token, connector lookup, execute,
create) and answers seed pairs by calling a demo Sentry the way the hosted connector calls Sentry
(project-scoped issue list, Link header passed on as ``connector_metadata.next``).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

CLIENT_ID = "client-123"
CLIENT_SECRET = "airbyte-secret-canary-7f3a9c"
CONNECTOR_ID = "5c7e1b0e-acme-sentry"
CUSTOMER = "acme-customer"
SEED_PARAMS = {
    ("projects", "list"): {"cursor"},
    ("projects", "get"): {"organization_slug", "project_slug"},
    ("project_detail", "get"): {"organization_slug", "project_slug"},
    ("issues", "list"): {"organization_slug", "project_slug", "query", "statsPeriod", "cursor"},
    ("issues", "get"): {"organization_slug", "issue_id"},
    ("events", "list"): {"organization_slug", "project_slug", "full", "cursor"},
    ("events", "get"): {"organization_slug", "project_slug", "event_id"},
    ("releases", "list"): {"organization_slug", "query", "cursor"},
    ("releases", "get"): {"organization_slug", "version"},
}
PATHS = {
    ("projects", "list"): "/projects/",
    ("projects", "get"): "/projects/{organization_slug}/{project_slug}/",
    ("project_detail", "get"): "/projects/{organization_slug}/{project_slug}/",
    ("issues", "list"): "/projects/{organization_slug}/{project_slug}/issues/",
    ("issues", "get"): "/organizations/{organization_slug}/issues/{issue_id}/",
    ("events", "list"): "/projects/{organization_slug}/{project_slug}/events/",
    ("events", "get"): "/projects/{organization_slug}/{project_slug}/events/{event_id}/",
    ("releases", "list"): "/organizations/{organization_slug}/releases/",
    ("releases", "get"): "/organizations/{organization_slug}/releases/{version}/",
}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


@dataclass
class FakeAirbyte:
    """State and knobs of the fake; ``url`` once started."""

    sentry_url: str
    sentry_token: str
    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    token_lifetime: int = 900
    fail_next: list[tuple[int, Any]] = field(default_factory=list)
    created: list[Any] = field(default_factory=list)
    echo: str | None = None
    """A careless upstream: "token" answers the token request with a 400 that repeats its body (the client
    secret); "execute" answers execute with a 500 that repeats its Authorization header."""

    def revoke_tokens(self) -> None:
        self.valid_tokens.clear()

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    # -- handlers ---------------------------------------------------------------------------

    async def _record(self, request: Request) -> Any:
        body = await request.json() if request.method == "POST" else None
        self.requests.append(Seen(request.method, request.url.path, dict(request.headers), body))
        return body

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization", "").removeprefix("Bearer ") in self.valid_tokens

    async def token(self, request: Request) -> JSONResponse:
        body = await self._record(request)
        if self.echo == "token":
            return JSONResponse({"detail": f"Malformed token request: {body}"}, status_code=400)
        if body != {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}:
            return JSONResponse({"detail": "Invalid client credentials"}, status_code=401)
        self.tokens_issued += 1
        token = f"abt-{self.tokens_issued}-access-token-canary-41c7"
        self.valid_tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime})

    async def connectors(self, request: Request) -> JSONResponse:
        body = await self._record(request)
        if not self._authorised(request):
            return JSONResponse({"detail": "Unauthorized"}, status_code=401)
        if request.method == "POST":
            self.created.append(body)
            return JSONResponse({"id": "9d0c-new-connector", "name": body.get("name")}, status_code=201)
        customer = request.query_params.get("customer_name")
        ids = {CUSTOMER: [CONNECTOR_ID], "twins": ["a", "b"]}.get(customer or "", [])
        return JSONResponse({"data": [{"id": i, "name": f"sentry - {customer}"} for i in ids]})

    async def execute(self, request: Request) -> JSONResponse | HTMLResponse:
        body = await self._record(request)
        if not self._authorised(request):
            return JSONResponse({"detail": "Unauthorized"}, status_code=401)
        if self.echo == "execute":
            echoed = request.headers.get("authorization")
            page = f"<html><body><h1>500</h1><pre>Authorization: {echoed}</pre></body></html>"
            return HTMLResponse(page, status_code=500)
        if self.fail_next:
            status, payload = self.fail_next.pop(0)
            return JSONResponse(payload, status_code=status)
        if request.path_params["connector_id"] != CONNECTOR_ID:
            return JSONResponse({"detail": "Connector not found"}, status_code=404)
        entity, action, params = body["entity"], body["action"], body.get("params") or {}
        if (entity, action) == ("*", "check"):
            return JSONResponse({"result": {"status": "healthy"}, "connector_metadata": None})
        if action == "context_store_search":
            return JSONResponse({"result": self._search(entity, params), "connector_metadata": None})
        known = SEED_PARAMS.get((entity, action))
        if known is None:
            return JSONResponse({"detail": f"Entity {entity!r} has no action {action!r}"}, status_code=422)
        extra = sorted(set(params) - known)
        if extra:
            errors = [{"loc": ["body", "params", name], "msg": "extra fields not permitted"} for name in extra]
            return JSONResponse({"detail": errors}, status_code=422)
        return JSONResponse(self._call_sentry(entity, action, params))

    def _call_sentry(self, entity: str, action: str, params: dict[str, Any]) -> dict[str, Any]:
        path = PATHS[(entity, action)].format(**{k: quote(str(v), safe="") for k, v in params.items()})
        query = {k: v for k, v in params.items() if f"{{{k}}}" not in PATHS[(entity, action)]}
        response = httpx2.get(
            f"{self.sentry_url}/api/0{path}", params=query, headers={"Authorization": f"Bearer {self.sentry_token}"}
        )
        links = response.links if action == "list" else {}
        meta = {"next": links["next"]["url"]} if "next" in links else None
        return {"result": response.json(), "connector_metadata": meta}

    def _search(self, entity: str, params: dict[str, Any]) -> dict[str, Any]:
        """A tiny evaluator: ``eq`` on top-level fields of the web project's issues."""
        rows: list[dict[str, Any]] = []
        url: str | None = f"{self.sentry_url}/api/0/projects/acme/web/issues/?query=&limit=100"
        while url:
            response = httpx2.get(url, headers={"Authorization": f"Bearer {self.sentry_token}"})
            rows += response.json()
            nxt = response.links.get("next", {})
            url = nxt.get("url") if nxt.get("results") == "true" else None
        condition = (params.get("query") or {}).get("filter") or {}
        for field_name, value in condition.get("eq", {}).items():
            rows = [row for row in rows if row.get(field_name) == value]
        limit = int(params.get("limit") or 1000)
        if params.get("fields"):
            rows = [{k: row.get(k) for k in params["fields"]} for row in rows]
        return {"data": rows[:limit], "meta": {"has_more": len(rows) > limit, "cursor": None, "took_ms": 2}}

    # -- server -----------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/account/applications/token", self.token, methods=["POST"]),
                Route("/api/v1/integrations/connectors", self.connectors, methods=["GET", "POST"]),
                Route("/api/v1/integrations/connectors/{connector_id}/execute", self.execute, methods=["POST"]),
            ]
        )

    def __enter__(self) -> FakeAirbyte:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("fake Airbyte did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a server or connector in hosted mode against this fake."""
        return {
            "AIRBYTE_CLIENT_ID": CLIENT_ID,
            "AIRBYTE_CLIENT_SECRET": CLIENT_SECRET,
            "AIRBYTE_CUSTOMER_NAME": CUSTOMER,
            "AIRBYTE_ORGANIZATION_ID": "org-42",
            "AIRBYTE_API_URL": self.url,
            **extra,
        }
