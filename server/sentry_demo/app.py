"""The demo Sentry ASGI app: request log, faults, routing on the raw path, bearer auth and scopes,
per-(token, route, method) fixed-window rate limits with `X-Sentry-Rate-Limit-*` headers, and
dispatch to the handlers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.types import Receive, Scope, Send

from .dataset import dataset, demo_token
from .faults import Fault
from .http import INVALID_TOKEN, NO_CREDENTIALS, NO_PERMISSION, ApiError, ApiRequest, ApiResponse, RecordedRequest
from .records import ALL_SCOPES
from .routes import ROUTES
from .routing import Route, match, split_path
from .store import Store
from .users import check_visible, demo_users, user_of, visible_rows

DEMO_TOKEN = demo_token()


def token_scopes(token: str) -> frozenset[str]:
    """Org auth tokens (`sntrys_`) carry only `org:ci`, as on sentry.io; other tokens get full access."""
    return frozenset({"org:ci"}) if token.startswith("sntrys_") else frozenset(ALL_SCOPES)


class DemoSentryApp:
    """ASGI app serving the fake Sentry API; see the package docstring for what it covers.

    `requests` (also `state.requests`) logs every request received; `store` holds this instance's
    issue state; `add_fault()` injects failures.
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] | None = None,
        rate_limit: int = 1000,
        rate_window: int = 1,
        self_hosted: bool = False,
        base_url: str = "http://demo.sentry.local",
        regions: list[dict[str, str]] | None = None,
        org_region_url: str | None = None,
    ) -> None:
        self.tokens = frozenset(tokens) if tokens is not None else frozenset(u.token for u in demo_users())
        self.rate_limit, self.rate_window, self.self_hosted = rate_limit, rate_window, self_hosted
        self.base_url = base_url.rstrip("/")
        self.store = Store(dataset(), self.base_url, regions=regions, org_region_url=org_region_url)
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.state = SimpleNamespace(requests=self.requests, store=self.store)
        self._windows: dict[tuple[str, str, str], tuple[int, int]] = {}
        self.over_http = False
        """Set by `DemoSentryServer` and `__main__`: a `disconnect` fault then really drops the connection."""
        self.clock: Callable[[], float] = time.time
        """Epoch seconds for the rate-limit windows (tests may replace it)."""

    def add_fault(self, **kwargs: Any) -> Fault:
        """Queue a `Fault` (see `faults.py`); the first matching fault applies to a request."""
        fault = Fault(**kwargs)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw = scope.get("raw_path") or quote(scope["path"]).encode()
        raw_path = raw.decode("latin-1").split("?", 1)[0]
        query_string = scope.get("query_string", b"").decode("latin-1")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        record = RecordedRequest(
            scope["method"], raw_path, parse_qsl(query_string, keep_blank_values=True), headers, body
        )
        self.requests.append(record)
        fault = next((f for f in self.faults if f.matches(record.method, raw_path)), None)
        if fault is not None:
            fault.hits += 1
            if await fault.wait(receive):
                record.abandoned = True
                return
        response = fault.response() if fault else None
        if response is None:
            response = self.handle(record.method, raw_path, query_string, headers, body)
        if fault is not None:
            response = fault.echoed(fault.adjust(response), headers, body)
        record.status = response.status
        await self._send(send, response, broken=fault is not None and fault.disconnect)

    async def _send(self, send: Send, response: ApiResponse, broken: bool = False) -> None:
        payload = response.encoded()
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        if payload:
            headers.append((b"content-type", response.content_type.encode()))
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if broken:  # half the body; over HTTP never complete it, so uvicorn closes the connection
            await send(
                {"type": "http.response.body", "body": payload[: len(payload) // 2], "more_body": self.over_http}
            )
            return
        await send({"type": "http.response.body", "body": payload})

    def handle(
        self, method: str, raw_path: str, query_string: str, headers: dict[str, str], body: bytes
    ) -> ApiResponse:
        """Route and answer one request (synchronous: all data is in memory)."""
        segments = split_path(raw_path)
        if segments is None:
            return self._catch_all(raw_path, headers)
        found = match(ROUTES, segments)
        if found is None:
            return ApiResponse(404, None)
        route, params = found
        request = ApiRequest(
            method,
            raw_path,
            parse_qsl(query_string, keep_blank_values=True),
            headers,
            body,
            params=params,
            query_string=query_string,
        )
        try:
            self._authenticate(route, request)
        except ApiError as exc:
            return exc.response()
        rate_headers: list[tuple[str, str]] = []
        try:
            if request.token is not None:
                rate_headers = self._rate_limit(request.token, route.name, method)
            handler = route.handlers.get(method)
            if handler is None:
                raise ApiError(405, f'Method "{method}" not allowed.')
            accepted = route.scopes[method]
            if accepted and not accepted & request.scopes:
                raise ApiError(403, NO_PERMISSION)
            user = user_of(request.token)  # demo users see their teams' projects only (users.py)
            check_visible(self.store, user, params)
            response: ApiResponse = visible_rows(self.store, user, route.name, handler(self.store, request))
        except ApiError as exc:
            response = exc.response()
        response.headers.extend(rate_headers)
        return response

    def _authenticate(self, route: Route, request: ApiRequest) -> None:
        """Bearer tokens only; the index answers anonymous callers, every other route needs a token."""
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer":
            token = credentials.strip()
            if not token:
                raise ApiError(401, "Invalid token header. No credentials provided.")
            if token not in self.tokens:
                raise ApiError(401, INVALID_TOKEN)
            request.token, request.scopes = token, token_scopes(token)
        elif route.name != "index":
            raise ApiError(401, NO_CREDENTIALS)

    def _rate_limit(self, token: str, route: str, method: str) -> list[tuple[str, str]]:
        """Fixed window per (token, route, method); 429 past the limit, headers unless self-hosted."""
        if self.self_hosted:
            return []
        window_start = int(self.clock()) // self.rate_window * self.rate_window
        key = (token, route, method)
        start, count = self._windows.get(key, (window_start, 0))
        count = count + 1 if start == window_start else 1
        self._windows[key] = (window_start, count)
        headers = [
            ("X-Sentry-Rate-Limit-Limit", str(self.rate_limit)),
            ("X-Sentry-Rate-Limit-Remaining", str(max(0, self.rate_limit - count))),
            ("X-Sentry-Rate-Limit-Reset", str(window_start + self.rate_window)),
        ]
        if count > self.rate_limit:
            detail = (
                f"You are attempting to use this endpoint too frequently. Limit is {self.rate_limit} "
                f"requests in {self.rate_window} seconds"
            )
            raise ApiError(429, detail, headers=headers)
        return headers

    @staticmethod
    def _catch_all(raw_path: str, headers: dict[str, str]) -> ApiResponse:
        """Sentry's catch-all: a hint about the missing trailing slash (JSON only for JSON callers)."""
        path = raw_path.split("?", 1)[0]
        if path.endswith("/") or not path.startswith("/api/"):
            return ApiResponse(404, None)
        hint, suggestion = "Route not found, did you forget a trailing slash?", f"try: {path}/"
        if headers.get("content-type", "").startswith("application/json"):
            return ApiResponse(404, {"info": f"{hint} {suggestion}"})
        text = f"{hint}\n\n{suggestion}\n{' ' * (len(suggestion) - 1)}^\n"
        return ApiResponse(404, text.encode(), content_type="text/plain")


def create_app(
    *,
    tokens: Iterable[str] | None = None,
    rate_limit: int = 1000,
    rate_window: int = 1,
    self_hosted: bool = False,
    base_url: str = "http://demo.sentry.local",
    regions: list[dict[str, str]] | None = None,
    org_region_url: str | None = None,
) -> DemoSentryApp:
    """A fresh demo Sentry (its own issue state, notes and request log).

    `regions` is what `/users/me/regions/` lists (default: one `us` region at `base_url`; `[]` makes that
    route answer 404, like a self-hosted or old Sentry). `org_region_url` is the organization's
    `links.regionUrl` (default `base_url`): run two demos and point the first one's org at the second to
    test a client that follows regions; both serve the same data.
    """
    return DemoSentryApp(
        tokens=tokens,
        rate_limit=rate_limit,
        rate_window=rate_window,
        self_hosted=self_hosted,
        base_url=base_url,
        regions=regions,
        org_region_url=org_region_url,
    )
