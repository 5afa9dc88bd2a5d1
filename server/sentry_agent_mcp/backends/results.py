"""Shape Sentry's 2xx bodies into the result envelopes, dropping what must never reach an agent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..catalog import Kind
from ..catalog.base import Route
from .base import list_page
from .pagination import next_page


def _drop_path(obj: Any, path: list[str]) -> None:
    if not isinstance(obj, dict):
        return
    head, *rest = path
    if not rest:
        obj.pop(head, None)
    else:
        _drop_path(obj.get(head), rest)


def drop_fields(data: Any, paths: Iterable[str]) -> Any:
    """Remove dotted keys from an object or from each object of a list (in place; returns data)."""
    items = data if isinstance(data, list) else [data]
    for dotted in paths:
        parts = dotted.split(".")
        for item in items:
            _drop_path(item, parts)
    return data


def shape(route: Route, kind: Kind, body: Any, link_header: str | None) -> Any:
    """The result for ``body``: the list envelope for lists, the object otherwise."""
    extra_meta: dict[str, Any] = {}
    if route.unwrap and isinstance(body, dict) and route.unwrap in body:
        sentry_meta = body.get("meta")
        if isinstance(sentry_meta, dict) and isinstance(sentry_meta.get("fields"), dict):
            extra_meta["columns"] = sentry_meta["fields"]
        body = body[route.unwrap]
    if route.drop and body is not None:
        drop_fields(body, route.drop)
    if kind is Kind.LIST:
        has_more, cursor = next_page(link_header)
        page = list_page(body if body is not None else [], has_more=has_more, next_cursor=cursor)
        page["meta"].update(extra_meta)
        return page
    return body if body is not None else {}
