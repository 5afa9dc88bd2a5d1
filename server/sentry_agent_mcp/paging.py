"""Lists: one ``limit`` may span several Sentry pages, and one result must fit the size budget.

Sentry serves at most 100 items a request; an agent may ask for up to ``MAX_LIMIT``, and gets
``DEFAULT_LIMIT`` when it names no ``limit`` (README, "Results"). Pages are
fetched one after the other (each cursor comes from the previous page) and progress is reported
after each. Paging on never skips an item:

- when the shaped items do not fit the budget and the backend takes a page size, the last page is
  asked for again with the number that fit, so ``next_cursor`` is Sentry's own and resumes exactly
  after the last item returned;
- when it does not (pairs without ``limit``, a backend that ignores it), ``next_cursor`` is the
  page's own cursor plus ``::N``, "this page, from item N on"; the executor takes the suffix off
  before validation, so only the plain cursor ever reaches a backend.

Paging always ends, whatever Sentry (or something posing as it) sends: every page shares the call's
one deadline, and an empty page, a cursor seen before or more pages than ``limit`` can need end it
too. The agent then gets the rows so far, ``meta.stopped`` with a note, and a cursor to resume from.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .backends import Backend
from .backends.retry import Deadline
from .catalog import Pair, Params, Served
from .errors import RateLimitedError, UpstreamTimeoutError
from .tool_spec import DEFAULT_LIMIT, PAGE_SIZE
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
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """Fetch the pages ``params.limit`` (else ``DEFAULT_LIMIT``) asks for, shape each item, and fit the result
    in ``budget``.

    All pages share ``deadline`` (the call's). Paging ends early, with what it has and ``meta.stopped``,
    when the deadline runs out or a wait for Sentry's rate limit does not fit it (an error only when
    nothing came back yet), on an empty page, on a cursor seen before, or after ``page_cap(limit)`` pages.
    """
    asked: int | None = getattr(params, "limit", None)
    limit = asked if asked is not None else DEFAULT_LIMIT
    sizeable = honours_limit(pair, backend)
    cursor: str | None = getattr(params, "cursor", None)
    rows: list[Any] = []
    meta: dict[str, Any] = {"has_more": False, "next_cursor": None}
    room = budget - _ENVELOPE
    trimmed = False
    stopped: str | None = None
    seen = {cursor}
    pages = 0
    while True:
        remaining = limit - len(rows)
        update: dict[str, Any] = {"cursor": cursor} if "cursor" in pair.params.model_fields else {}
        if sizeable:
            update["limit"] = min(PAGE_SIZE, remaining + skip)
        page = await _page(backend, pair, params.model_copy(update=update), has_rows=bool(rows))
        if isinstance(page, str):
            stopped, meta["has_more"], meta["next_cursor"] = page, True, cursor
            break
        pages += 1
        meta = {**meta, **page.get("meta", {})}
        items = (page.get("data") or [])[skip:]
        shaped = [shape(item) for item in items[:remaining]]
        taken, used = _take(shaped, room, budget - _ENVELOPE, at_least=0 if rows else 1)
        if taken < len(shaped):
            trimmed = True
            if sizeable and skip == 0:
                again = await _page(backend, pair, params.model_copy(update={"cursor": cursor, "limit": taken}))
                if not isinstance(again, str):  # else: this page from item `taken` on, below
                    shaped = [shape(item) for item in (again.get("data") or [])[:taken]]
                    _fit_rows(shaped, budget - _ENVELOPE)
                    meta = {**meta, **again.get("meta", {})}
                    rows.extend(shaped)
                    break
        rows.extend(shaped[:taken])
        room -= used
        if skip + taken < len(page.get("data") or []):  # part of this page is still to come
            meta["has_more"], meta["next_cursor"] = True, f"{cursor or ''}{SKIP}{skip + taken}"
            break
        if progress is not None and limit > PAGE_SIZE:
            await progress(len(rows), limit, f"{len(rows)} of up to {limit} {pair.entity}")
        if trimmed or limit <= PAGE_SIZE or len(rows) >= limit or not meta.get("has_more"):
            break  # up to 100 items is one request, as the agent would expect; more is several pages
        stopped = _stop_reason(page, meta.get("next_cursor"), seen, pages, page_cap(limit))
        if stopped is not None:
            break
        cursor, skip = meta.get("next_cursor"), 0
        seen.add(cursor)
    if trimmed:
        meta["truncated"] = True
        meta["note"] = _note(len(rows), asked, budget)
    if stopped is not None:
        if stopped == "repeated_cursor":
            meta["has_more"] = False
        meta["stopped"] = stopped
        meta["note"] = " ".join(filter(None, [meta.get("note"), _stop_note(stopped, pages, limit, deadline)]))
    if not meta.get("has_more"):
        meta["next_cursor"] = None
    return {"data": rows, "meta": meta}


def page_cap(limit: int | None) -> int:
    """Pages one call may fetch: those ``limit`` needs at ``PAGE_SIZE`` a page, plus one for short pages."""
    return 1 if limit is None else math.ceil(limit / PAGE_SIZE) + 1


async def _page(backend: Backend, pair: Pair, params: Params, *, has_rows: bool = True) -> dict[str, Any] | str:
    """One page, or why paging stops here: the deadline ran out, or a rate-limit wait would not fit it.

    Without rows to return yet, those are the call's error.
    """
    try:
        page: dict[str, Any] = await backend.execute(pair, params)
        return page
    except UpstreamTimeoutError:
        if not has_rows:
            raise
        return "deadline"
    except RateLimitedError:
        if not has_rows:
            raise
        return "rate_limited"


def _take(shaped: list[Any], room: int, cut_at: int, at_least: int) -> tuple[int, int]:
    """How many of ``shaped`` fit in ``room`` (at least ``at_least``), and the characters they take with their commas.

    Rows that fit together (a list's usual page) are measured in one serialisation; otherwise each row is,
    and any that alone is over ``cut_at`` is cut in place first (``_fit_rows``).
    """
    together = size_of(shaped) - 1 if shaped else 0  # "[" + rows joined by "," + "]": each row and a comma
    if together <= room:
        return len(shaped), together
    sizes = _fit_rows(shaped, cut_at)
    taken = min(max(_fitting(sizes, room), at_least), len(shaped))
    return taken, sum(sizes[:taken])


def _fit_rows(shaped: list[Any], room: int) -> list[int]:
    """The size of each row, after cutting (in place) any that alone is over ``room`` (a 1 MB title, say)."""
    sizes = [size_of(row) + 1 for row in shaped]
    for index, size in enumerate(sizes):
        if size > room:
            shaped[index] = fit_object(shaped[index], room - 1)
            sizes[index] = size_of(shaped[index]) + 1
    return sizes


def _stop_reason(page: Mapping[str, Any], cursor: Any, seen: set[str | None], pages: int, cap: int) -> str | None:
    """Why paging must not go on to ``cursor``, or None."""
    if not page.get("data"):
        return "empty_page"
    if cursor in seen:
        return "repeated_cursor"
    if pages >= cap:
        return "page_cap"
    return None


def _stop_note(stopped: str, pages: int, limit: int | None, deadline: Deadline | None) -> str:
    seconds = f"{deadline.seconds:g} s " if deadline is not None else ""
    return {
        "deadline": f"Stopped after {pages} page(s): the call's {seconds}deadline (SENTRY_MCP_TIMEOUT) ran out. "
        "Page on with next_cursor, or narrow the query.",
        "rate_limited": f"Stopped after {pages} page(s): Sentry is rate-limiting, and waiting would pass the "
        "call's deadline. Page on with next_cursor after a pause.",
        "empty_page": f"Stopped after {pages} page(s): Sentry sent an empty page that still said more would "
        "follow. next_cursor is Sentry's; it may return more, or nothing.",
        "repeated_cursor": f"Stopped after {pages} page(s): Sentry sent a cursor it had already sent, so paging "
        "on would repeat pages. These are all the rows this list gives.",
        "page_cap": f"Stopped after {pages} pages, all that a limit of {limit} can need: Sentry's pages came back "
        "short. Page on with next_cursor.",
    }[stopped]
