"""Companion requests: the more GETs one call makes after its main one (``catalog.base.Companion``).

A trace's spans come with its counts from ``trace-meta``; an attachment's metadata with the text of
the file when it is small text. Each companion is sent like any request of the call (same deadline,
retries, rate limits, body cap, redaction); one that fails or is skipped says so in the result
instead of failing the call, since the main answer is already in hand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx2

from ..catalog import Pair, Params
from ..catalog.attachments import is_text_type
from ..catalog.base import Companion, Route
from ..errors import SentryAgentError, UpstreamProtocolError
from ..redaction import redact_bytes
from ..views.cutting import MARK
from .requests import RequestSpec, build_request

Fetch = Callable[[RequestSpec, Companion], Awaitable[Any]]


def companion_request(pair: Pair, params: Params, route: Route, companion: Companion) -> RequestSpec:
    """The request for ``companion``, built from the call's params exactly as a route's would be."""
    sub_route = Route("GET", companion.path, query=companion.query, fixed_query=companion.fixed_query, host=route.host)
    return build_request(replace(pair, route=sub_route), params)[1]


def read_text(spec: RequestSpec, response: httpx2.Response, limit: int) -> str:
    """A file's body as text: only a text content type, secrets masked, cut to ``limit`` characters (marked)."""
    content_type = response.headers.get("content-type")
    if not is_text_type(content_type):
        raise UpstreamProtocolError(
            f"Sentry answered {spec.what} with {content_type or 'no content type'}, not text; it was not read.",
            hint="Only text files are shown; open the attachment in Sentry to see it.",
        )
    text = redact_bytes(response.content).decode("utf-8", errors="replace")
    if len(text) > limit:
        text = text[:limit] + MARK.format(total=len(text))
    return text


async def with_companions(pair: Pair, params: Params, route: Route, result: Any, fetch: Fetch) -> Any:
    """``result`` (wrapped under ``route.wrap`` when set) with each companion's answer under its key."""
    if route.wrap is not None:
        result = {route.wrap: result}
    if not route.companions or not isinstance(result, dict):
        return result
    main = dict(result)
    for companion in route.companions:
        reason = companion.skip(main) if companion.skip is not None else None
        if reason is not None:
            result[f"{companion.key}_skipped"] = reason
            continue
        try:
            result[companion.key] = await fetch(companion_request(pair, params, route, companion), companion)
        except SentryAgentError as exc:
            result[f"{companion.key}_error"] = exc.message
    return result
