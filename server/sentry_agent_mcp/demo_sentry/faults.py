"""Fault injection, so tests can see how a client copes with what real Sentry and its proxies do:
429s, 5xx (JSON or an HTML proxy page), slow answers, and connections dropped mid-response.

    app.add_fault(status=503, times=2)                    # next two requests get a proxy 503
    app.add_fault(status=None, delay=2.0, path_contains="/issues/")   # slow, then answer normally
    app.add_fault(disconnect=True)                        # start the response, then drop the connection
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    hits: int = 0

    def matches(self, method: str, raw_path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or self.path_contains in raw_path

    def response(self) -> ApiResponse | None:
        """The canned answer, or None when this fault only delays."""
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
        if status >= 500:
            return ApiResponse(status, {"detail": "Internal Error", "errorId": "0" * 32}, headers)
        return ApiResponse(status, {"detail": "Injected fault"}, headers)
