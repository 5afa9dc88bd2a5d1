"""Request, response and error types the handlers work with, and the request log entry.

Kept independent of any web framework: the app reads the raw ASGI scope itself (to route on
`raw_path`), and handlers return plain `ApiResponse` values that are easy to test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

NOT_FOUND = "The requested resource does not exist"
NO_CREDENTIALS = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token"
NO_PERMISSION = "You do not have permission to perform this action."


@dataclass
class RecordedRequest:
    """One request as the demo Sentry received it (what tests assert "Sentry saw")."""

    method: str
    path: str
    """Raw path, still percent-encoded (`/api/0/organizations/acme/releases/frontend%401.2.3/`)."""
    query: list[tuple[str, str]]
    """Decoded query pairs in order; repeated keys stay repeated."""
    headers: dict[str, str]
    """Lower-case header names."""
    body: bytes = b""
    status: int | None = None
    """The status the demo answered with (None while in flight or when the connection broke)."""
    abandoned: bool = False
    """The client hung up while a delay fault held the answer back (so it was never answered)."""

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None

    def param(self, name: str) -> str | None:
        """The last value of a query parameter, as Django's `QueryDict.get` returns it."""
        values = [v for k, v in self.query if k == name]
        return values[-1] if values else None


@dataclass
class ApiRequest:
    """A routed request: decoded path parameters plus the parts handlers read."""

    method: str
    raw_path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    scopes: frozenset[str] = frozenset()
    query_string: str = ""
    """The raw query string (kept for the 302 `resource-moved` URL)."""

    def get(self, name: str, default: str | None = None) -> str | None:
        """Last value wins, like Django's `request.GET.get`."""
        values = self.getlist(name)
        return values[-1] if values else default

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    def json_body(self) -> Any:
        """The JSON body; DRF's 400 text when it does not parse."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, f"JSON parse error - {exc}") from exc


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


class ApiError(Exception):
    """Raised by handlers; becomes Sentry's error body (`{"detail": ...}` or a field map)."""

    def __init__(
        self, status: int, detail: Any = None, *, body: Any = None, headers: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(detail if detail is not None else body)
        self.status = status
        self.body = body if body is not None else {"detail": detail}
        self.headers = headers or []

    def response(self) -> ApiResponse:
        return ApiResponse(self.status, self.body, list(self.headers))


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)
