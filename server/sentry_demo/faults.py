"""Fault injection, so tests can see how a client copes with what real Sentry and its proxies do:
429s, 5xx (JSON or an HTML proxy page), slow answers, connections dropped mid-response, truncated or
mislabelled bodies, and the 302 `resource-moved` of a renamed project.

    app.add_fault(status=503, times=2)                    # next two requests get a proxy 503
    app.add_fault(status=429, headers={"Retry-After": "1"})            # a 429 that says when to return
    app.add_fault(status=None, delay=2.0, path_contains="/issues/")   # slow, then answer normally
    app.add_fault(disconnect=True)                        # start the response, then drop the connection
    app.add_fault(status=None, truncate=True)             # the normal answer cut in half (complete HTTP)
    app.add_fault(status=302)                             # resource-moved to project `web`
    app.add_fault(status=503, times=None, probability=0.1, seed=7)    # one request in ten, reproducibly
    app.add_fault(status=500, body={"detail": "{authorization}"}, echo=True)  # credentials echoed back

A delayed request whose client hangs up during the delay is marked `abandoned` in the request log and
never answered: that is how a test sees that a cancelled call really cancelled its upstream request.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

import anyio
from starlette.types import Receive

from .http import ApiResponse

PROXY_PAGES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class Fault:
    status: int | None = 503
    """Status to answer with; None = no override (use with `delay` for a slow but normal answer)."""
    body: Any = None
    """JSON-able value or raw bytes; by default what Sentry (or its proxy) sends for that status."""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering."""
    times: int | None = 1
    """How many matching requests it affects; None = every one."""
    method: str | None = None
    path_contains: str | None = None
    """Only requests whose raw path contains this text."""
    disconnect: bool = False
    """Send the normal answer's status line and half its body: over real HTTP the body never completes and
    the server drops the connection; in-process the client gets the truncated (unparsable) body.
    `status` and `body` are ignored for these."""
    truncate: bool = False
    """Send only the first half of the answer's body, with a Content-Length that matches it: a complete
    HTTP response whose JSON is cut off (what a broken proxy or cache produces)."""
    content_type: str | None = None
    """Label the answer with this Content-Type instead (e.g. Sentry's 429 that is not labelled JSON)."""
    moved_slug: str = "web"
    """For `status=302` without a body: the project slug the `resource-moved` answer points at."""
    echo: bool = False
    """Write the request's credentials into the answer: every ``{authorization}`` in the body becomes the
    request's ``Authorization`` header, every ``{request_body}`` its body (what a careless proxy or debug
    page does; a client must never pass them on)."""
    probability: float = 1.0
    """Chance that a matching request is affected (drawn from this fault's own seeded generator)."""
    seed: int = 0
    hits: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def matches(self, method: str, raw_path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path_contains is not None and self.path_contains not in raw_path:
            return False
        return self.probability >= 1.0 or self._rng.random() < self.probability

    async def wait(self, receive: Receive) -> bool:
        """Sleep `delay` seconds; True when the client hung up meanwhile (the request was abandoned)."""
        if not self.delay:
            return False
        abandoned = False
        async with anyio.create_task_group() as group:

            async def watch() -> None:
                nonlocal abandoned
                while (await receive())["type"] != "http.disconnect":
                    pass
                abandoned = True
                group.cancel_scope.cancel()

            group.start_soon(watch)
            await anyio.sleep(self.delay)
            group.cancel_scope.cancel()
        return abandoned

    def response(self) -> ApiResponse | None:
        """The canned answer, or None when the normal answer is to be sent (possibly adjusted)."""
        if self.status is None or self.disconnect:
            return None
        status = self.status or 200
        headers = list(self.headers.items())
        if self.body is not None:
            return ApiResponse(status, self.body, headers)
        if status in PROXY_PAGES:
            page = (
                f"<html><head><title>{status} {PROXY_PAGES[status]}</title></head><body><center><h1>{status} "
                f"{PROXY_PAGES[status]}</h1></center></body></html>\n"
            )
            return ApiResponse(status, page.encode(), headers, content_type="text/html")
        if status == 429:
            detail = "You are attempting to use this endpoint too frequently. Limit is 1 requests in 1 seconds"
            return ApiResponse(status, {"detail": detail}, headers)
        if status == 302:
            moved = {"code": "resource-moved", "message": "Resource has been moved", "extra": {"slug": self.moved_slug}}
            return ApiResponse(status, {"detail": moved}, headers)
        if status >= 500:
            return ApiResponse(status, {"detail": "Internal Error", "errorId": "0" * 32}, headers)
        return ApiResponse(status, {"detail": "Injected fault"}, headers)

    def adjust(self, response: ApiResponse) -> ApiResponse:
        """Apply `truncate` and `content_type` to the answer about to be sent."""
        if self.truncate:
            payload = response.encoded()
            response = replace(response, body=payload[: len(payload) // 2])
        if self.content_type is not None:
            response = replace(response, content_type=self.content_type)
        return response

    def echoed(self, response: ApiResponse, headers: dict[str, str], body: bytes) -> ApiResponse:
        """Apply `echo`: the request's credentials written into the answer's body."""
        if not self.echo:
            return response
        payload = response.encoded().replace(b"{authorization}", headers.get("authorization", "").encode())
        return replace(response, body=payload.replace(b"{request_body}", body))


def chaos(rate: float, *, seed: int = 0, slow: float = 0.5) -> list[Fault]:
    """Faults that together hit about `rate` of all requests, spread over every kind a client must survive:
    429 (with and without Retry-After), 500, 502 HTML, 503, slow answers, dropped connections, truncated JSON.
    """
    kinds: list[dict[str, Any]] = [
        {"status": 429, "headers": {"Retry-After": "0"}},
        {"status": 429},
        {"status": 500},
        {"status": 502},
        {"status": 503},
        {"status": None, "delay": slow},
        {"disconnect": True},
        {"status": None, "truncate": True},
    ]
    each = 1 - (1 - rate) ** (1 / len(kinds))
    return [Fault(times=None, probability=each, seed=seed + n, **kind) for n, kind in enumerate(kinds)]
