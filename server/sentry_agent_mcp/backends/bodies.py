"""Upstream bodies are read streamed and only up to a cap, so one hostile or broken answer cannot fill memory.

Sentry's largest honest answers (a full event with its breadcrumbs, a page of 100 issues) are a few MB;
anything far past that is a proxy gone wrong or an attack, and reading it whole would hold it (and its
decoded copy) in memory before the result budget could cut it.
"""

from __future__ import annotations

import httpx2

from ..errors import UpstreamProtocolError

MAX_BODY_BYTES = 32 * 1024 * 1024
"""The most bytes of one upstream answer read (decoded); past it the call fails with a clear error."""

_REBUILT_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
"""Headers that describe the body as it was sent, not as it is kept (decoded, whole)."""


def _too_large(who: str, what: str, cap: int, seen: str) -> UpstreamProtocolError:
    return UpstreamProtocolError(
        f"{who}'s answer to {what} is larger than the {cap:,} bytes one answer may have ({seen}), so it was dropped.",
        hint="Ask for less: a smaller limit, a shorter stats_period or fewer fields; a proxy in the way may be "
        "sending something other than the API's answer.",
    )


async def read_capped(response: httpx2.Response, *, cap: int, who: str, what: str) -> httpx2.Response:
    """``response`` (opened with ``stream=True``) with its body read whole, or an error once it passes ``cap``.

    The stream is closed either way. The answer comes back as a new, already-read ``httpx2.Response``
    with the decoded body, so callers use ``.content`` as before.
    """
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _too_large(who, what, cap, f"Content-Length {int(declared):,}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise _too_large(who, what, cap, f"stopped reading after {size:,}")
            chunks.append(chunk)
    finally:
        await response.aclose()
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _REBUILT_HEADERS]
    return httpx2.Response(
        response.status_code,
        headers=headers,
        content=b"".join(chunks),
        request=response.request,
        extensions=dict(response.extensions),
    )
