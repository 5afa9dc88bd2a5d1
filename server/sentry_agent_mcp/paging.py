"""Lists: one ``limit`` may span several Sentry pages, and one result must fit the size budget.

Sentry serves at most 100 items a request; an agent may ask for up to ``MAX_LIMIT``. Pages are
fetched one after the other (each cursor comes from the previous page) and progress is reported
after each. Paging on never skips an item:

- when the shaped items do not fit the budget and the backend takes a page size, the last page is
  asked for again with the number that fit, so ``next_cursor`` is Sentry's own and resumes exactly
  after the last item returned;
- when it does not (lists without ``limit``, a backend that ignores it), ``next_cursor`` is the
  page's own cursor plus ``::N``, "this page, from item N on"; the executor takes the suffix off
  before validation, so only the plain cursor ever reaches a backend.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .backends import Backend
from .catalog import Pair, Params, Served
from .catalog.base import PAGE_SIZE
from .views import fit_object, size_of

ProgressCallback = Callable[[float, float | None, str | None], Awaitable[None]]
"""``(progress, total, message)``, as MCP's ``Context.report_progress`` takes them."""

Shape = Callable[[Any], Any]

SKIP = "::"
"""Separates a backend cursor from the number of items of that page already returned."""
_ENVELOPE = 400
"""Room kept for ``{"data":[...],"meta":{...}}`` and a trimming note."""


def split_cursor(values: Mapping[str, Any]) -> tuple[Mapping[str, Any], int]:
    """``cursor='0:100:0::54'`` -> ``cursor='0:100:0'`` and 54 items to skip (``'::54'``: first page)."""
    cursor = values.get("cursor")
    if not isinstance(cursor, str) or SKIP not in cursor:
        return values, 0
    inner, _, skip = cursor.rpartition(SKIP)
    if not skip.isdigit():
        return values, 0
    plain = {k: v for k, v in values.items() if k != "cursor"}
    if inner:
        plain["cursor"] = inner
    return plain, int(skip)


def honours_limit(pair: Pair, backend: Backend) -> bool:
    """True when ``limit`` reaches the backend as a page size (so a smaller page can be asked for)."""
    if "limit" not in pair.params.model_fields:
        return False
    if backend.serves is Served.HOSTED:
        return pair.hosted is not None and (pair.hosted.params is None or "limit" in pair.hosted.params)
    return any("limit" in route.query for route in pair.routes)


def _fitting(sizes: list[int], room: int) -> int:
    count = 0
    for size in sizes:
        if size > room:
            break
        room -= size
        count += 1
    return count


def _note(returned: int, asked: int | None, budget: int) -> str:
    what = f"Returned {returned}" + (f" of the {asked} asked for" if asked else " items")
    return f"{what} to stay under {budget} characters: page on with next_cursor, or ask for fewer fields=[...]."


async def collect(
    backend: Backend,
    pair: Pair,
    params: Params,
    shape: Shape,
    budget: int,
    progress: ProgressCallback | None = None,
    skip: int = 0,
) -> dict[str, Any]:
    """Fetch the pages ``params.limit`` asks for, shape each item, and fit the result in ``budget``."""
    limit: int | None = getattr(params, "limit", None)
    sizeable = honours_limit(pair, backend)
    cursor: str | None = getattr(params, "cursor", None)
    rows: list[Any] = []
    meta: dict[str, Any] = {"has_more": False, "next_cursor": None}
    room = budget - _ENVELOPE
    trimmed = False
    while True:
        remaining = None if limit is None else limit - len(rows)
        update: dict[str, Any] = {"cursor": cursor} if "cursor" in pair.params.model_fields else {}
        if sizeable and remaining is not None:
            update["limit"] = min(PAGE_SIZE, remaining + skip)
        page = await backend.execute(pair, params.model_copy(update=update))
        meta = {**meta, **page.get("meta", {})}
        items = (page.get("data") or [])[skip:]
        shaped = [shape(item) for item in items[:remaining]]
        sizes = [size_of(row) + 1 for row in shaped]
        taken = min(max(_fitting(sizes, room), 0 if rows else 1), len(shaped))
        if taken < len(shaped):
            trimmed = True
            if sizeable and skip == 0:
                again = await backend.execute(pair, params.model_copy(update={"cursor": cursor, "limit": taken}))
                shaped = [shape(item) for item in (again.get("data") or [])[:taken]]
                meta = {**meta, **again.get("meta", {})}
                rows.extend(shaped)
                break
        rows.extend(shaped[:taken])
        room -= sum(sizes[:taken])
        if skip + taken < len(page.get("data") or []):  # part of this page is still to come
            meta["has_more"], meta["next_cursor"] = True, f"{cursor or ''}{SKIP}{skip + taken}"
            break
        if progress is not None and limit is not None and limit > PAGE_SIZE:
            await progress(len(rows), limit, f"{len(rows)} of up to {limit} {pair.entity}")
        if trimmed or limit is None or limit <= PAGE_SIZE or len(rows) >= limit or not meta.get("has_more"):
            break  # up to 100 items is one request, as the agent would expect; more is several pages
        cursor, skip = meta.get("next_cursor"), 0
    if trimmed:
        if len(rows) == 1:
            rows[0] = fit_object(rows[0], budget - _ENVELOPE)
        meta["truncated"] = True
        meta["note"] = _note(len(rows), limit, budget)
    if not meta.get("has_more"):
        meta["next_cursor"] = None
    return {"data": rows, "meta": meta}
