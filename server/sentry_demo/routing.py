"""Routing on the raw, still percent-encoded path.

Release versions arrive percent-encoded as ONE segment (`frontend%401.2.3%2Bbuild%2F45%20beta`); a
decoded path would split on the `%2F`, so we split `raw_path` on `/` first and decode each segment.
Every Sentry API path ends with `/`; a path without it gets Sentry's catch-all 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .http import ApiRequest, ApiResponse

if TYPE_CHECKING:
    from .store import Store

Handler = Callable[["Store", ApiRequest], ApiResponse]
API_PREFIX = "/api/0/"


@dataclass(frozen=True)
class Route:
    name: str
    """Stable route name (the rate limiter keys on it)."""
    pattern: tuple[str, ...]
    """Segments after `/api/0/`; `{name}` captures one decoded segment."""
    handlers: dict[str, Handler]
    """Method -> handler."""
    scopes: dict[str, frozenset[str]]
    """Method -> accepted scopes (any one suffices); empty = no token needed."""


def split_path(raw_path: str) -> list[str] | None:
    """Decoded segments after `/api/0/`, or None when the path is not an API path with trailing slash."""
    path = raw_path.split("?", 1)[0]
    if not path.startswith(API_PREFIX) or not path.endswith("/"):
        return None
    inner = path[len(API_PREFIX) : -1]
    return [unquote(segment) for segment in inner.split("/")] if inner else []


def match(routes: list[Route], segments: list[str]) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        if len(route.pattern) != len(segments):
            continue
        params: dict[str, str] = {}
        for expected, actual in zip(route.pattern, segments, strict=True):
            if expected.startswith("{"):
                if not actual:
                    break
                params[expected[1:-1]] = actual
            elif expected != actual:
                break
        else:
            return route, params
    return None
