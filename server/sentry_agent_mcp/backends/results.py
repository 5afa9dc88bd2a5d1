"""Shape Sentry's 2xx bodies into the result envelopes, dropping what must never reach an agent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..catalog import Kind
from ..catalog.base import Route
from ..errors import UpstreamProtocolError
from ..redaction import MASK
from .base import list_page
from .pagination import next_page

_MIN_MASKED = 8
"""A dropped value shorter than this is not hunted for elsewhere (it would garble unrelated text)."""


def _drop_path(obj: Any, path: list[str]) -> Any:
    """Remove the dotted key from ``obj``; what it held (None when absent)."""
    if not isinstance(obj, dict):
        return None
    head, *rest = path
    if not rest:
        return obj.pop(head, None)
    return _drop_path(obj.get(head), rest)


def _mask_everywhere(item: Any, dropped: list[str]) -> None:
    """Replace each dropped value wherever the same object repeats it (in place; iterative, so a deeply
    nested answer cannot exhaust the stack)."""
    stack = [item]
    while stack:
        node = stack.pop()
        entries = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in list(entries):
            if isinstance(value, str):
                masked = value
                for secret in dropped:
                    masked = masked.replace(secret, MASK)
                if masked != value:
                    node[key] = masked
            elif isinstance(value, dict | list):
                stack.append(value)


def drop_fields(data: Any, paths: Iterable[str]) -> Any:
    """Remove dotted keys from an object or from each object of a list (in place; returns data).

    What a dropped key held is masked wherever else the same object repeats it: an upstream that also
    writes a key's secret into another field (a DSN with its secret in ``dsn.public``) does not get it
    past the drop.
    """
    items = data if isinstance(data, list) else [data]
    split = [dotted.split(".") for dotted in paths]
    for item in items:
        dropped = [value for parts in split if isinstance(value := _drop_path(item, parts), str)]
        dropped = sorted({value for value in dropped if len(value) >= _MIN_MASKED}, key=len, reverse=True)
        if dropped:
            _mask_everywhere(item, dropped)
    return data


def shape(route: Route, kind: Kind, body: Any, link_header: str | None, what: str) -> Any:
    """The result for ``body``: the list envelope for lists, the object otherwise. A list call answered
    with something else (an object, a number) is ``UpstreamProtocolError``, said as ``what``."""
    extra_meta: dict[str, Any] = {}
    if route.unwrap and isinstance(body, dict) and route.unwrap in body:
        sentry_meta = body.get("meta")
        if isinstance(sentry_meta, dict) and isinstance(sentry_meta.get("fields"), dict):
            extra_meta["columns"] = sentry_meta["fields"]
        body = body[route.unwrap]
    if route.drop and body is not None:
        drop_fields(body, route.drop)
    if kind is Kind.LIST:
        if body is not None and not isinstance(body, list):
            raise UpstreamProtocolError(
                f"Sentry answered {what} with something other than the list it serves there.",
                hint="A proxy or a broken Sentry may be in the way; retry in a moment.",
            )
        has_more, cursor = next_page(link_header)
        page = list_page(body if body is not None else [], has_more=has_more, next_cursor=cursor)
        page["meta"].update(extra_meta)
        return page
    return body if body is not None else {}
