"""Leaner answers: ask Sentry to leave out what the agent's result will not show.

Sentry's issue stream computes a time series per issue (``stats``) unless the client sends ``collapse=stats``,
and the compact issue row never shows it (README, "Results"). A route declares such items
(``Route.compact_query``); per call the executor hands the backend the pair with the items its result will
not miss (``lean_pair``): all of them for the compact view, none for ``detail='full'``, and for ``fields``
those that remove no key a field path reads. The backends only send ``Route.lean_query``; they never learn
about views.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .base import LeanQuery, Pair, Route

_LEAN: dict[tuple[tuple[str, str], frozenset[LeanQuery]], tuple[Pair, Pair]] = {}
"""Lean variants already made, beside the pair each was made from (a few per pair: the catalog is fixed)."""


def reads_key(paths: Sequence[str], key: str) -> bool:
    """Whether a ``fields`` path selects ``key`` of the object or something under it (``stats.24h``)."""
    return any(path == key or path.startswith(f"{key}.") for path in paths)


def wanted(item: LeanQuery, *, full: bool, fields: Sequence[str] | None) -> bool:
    """Whether to send ``item``: never for the raw object; for ``fields``, when no path reads what it removes."""
    if fields:
        return not any(reads_key(fields, key) for key in item.removes)
    return not full


def lean_pair(pair: Pair, *, full: bool, fields: Sequence[str] | None) -> Pair:
    """``pair`` with each route's wanted ``compact_query`` items in its ``lean_query`` (``pair`` itself when none)."""
    chosen = frozenset(
        item for route in pair.routes for item in route.compact_query if wanted(item, full=full, fields=fields)
    )
    if not chosen:
        return pair
    key = (pair.key, chosen)
    made = _LEAN.get(key)
    if made is not None and made[0] is pair:
        return made[1]
    routes = tuple(_with_items(route, chosen) for route in pair.routes)
    lean = replace(pair, route=routes if isinstance(pair.route, tuple) else routes[0])
    _LEAN[key] = (pair, lean)
    return lean


def _with_items(route: Route, chosen: frozenset[LeanQuery]) -> Route:
    items = tuple((item.name, item.value) for item in route.compact_query if item in chosen)
    return replace(route, lean_query=items) if items else route
