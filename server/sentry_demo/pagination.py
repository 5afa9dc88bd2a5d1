"""Sentry's cursor pagination: `value:offset:is_prev` cursors, `per_page`/`limit` bounds, and the
`Link` header with both `previous` and `next` rels and `results="true|false"` (exact template of
Sentry's `api/base.py`, URL built on the configured base URL, other query params kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from .http import ApiError, ApiRequest

T = TypeVar("T")
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Cursor:
    value: int | float
    offset: int
    is_prev: bool

    def __str__(self) -> str:
        return f"{self.value}:{self.offset}:{int(self.is_prev)}"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    prev: Cursor
    has_prev: bool
    next: Cursor
    has_next: bool
    total: int


def parse_cursor(raw: str | None) -> Cursor:
    """Sentry's `Cursor.from_string`; an empty or missing cursor means the first page."""
    if not raw:
        return Cursor(0, 0, False)
    bits = raw.split(":")
    try:
        if len(bits) != 3:
            raise ValueError(raw)
        value: int | float = float(bits[0]) if "." in bits[0] else int(bits[0])
        cursor = Cursor(value, int(bits[1]), bool(int(bits[2])))
    except ValueError:
        raise ApiError(400, "Invalid cursor parameter.") from None
    if cursor.offset < 0:
        raise ApiError(400, "Invalid cursor parameter.")
    return cursor


def parse_per_page(request: ApiRequest, name: str = "per_page", default: int = MAX_PER_PAGE) -> int:
    """`per_page` (or an issue list's `limit`), 1 to 100."""
    raw = request.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name} parameter.") from None
    if not 1 <= value <= MAX_PER_PAGE:
        raise ApiError(400, f"Invalid {name} value. Must be between 1 and {MAX_PER_PAGE}.")
    return value


def paginate(items: Sequence[T], cursor: Cursor, per_page: int) -> Page[T]:
    """Offset pagination; the previous cursor points one page back and is flagged `is_prev`."""
    start = cursor.offset
    page = list(items[start : start + per_page])
    return Page(
        page,
        Cursor(0, max(0, start - per_page), True),
        start > 0,
        Cursor(0, start + per_page, False),
        start + per_page < len(items),
        len(items),
    )


def link_header(base_url: str, raw_path: str, query: list[tuple[str, str]], page: Page[T]) -> str:
    """`<url&cursor=c>; rel="previous"; results="false"; cursor="c", <...>; rel="next"; ...`."""
    kept = urlencode([(k, v) for k, v in query if k != "cursor"])
    uri = f"{base_url.rstrip('/')}{raw_path}?{kept}"

    def link(name: str, cursor: Cursor, has_results: bool) -> str:
        results = "true" if has_results else "false"
        return f'<{uri}&cursor={cursor}>; rel="{name}"; results="{results}"; cursor="{cursor}"'

    return ", ".join([link("previous", page.prev, page.has_prev), link("next", page.next, page.has_next)])
