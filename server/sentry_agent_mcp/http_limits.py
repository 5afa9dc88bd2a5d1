"""Bounds on slow HTTP clients that uvicorn leaves open: a deadline for request headers, and more descriptors.

uvicorn closes a keep-alive connection that stays idle after a response, but a connection that has not
yet sent a complete request line and headers stays open for as long as its client likes (and with
httptools, the bytes of an unfinished request line are kept without a bound). A few thousand such
connections use up the process's file descriptors, and then a legitimate client is refused.

``header_deadline_protocol`` is uvicorn's own HTTP protocol class (``Config(http=...)``), closing a
connection whose next request has not got its headers complete within ``seconds`` of the connection
opening or of the previous response ending, or whose unfinished headers pass ``MAX_HEADER_BYTES``. A
request being served is never cut: its headers are complete. ``raise_open_file_limit`` lifts the soft
descriptor limit to the hard one, so that the deadline, not the descriptor table, decides.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _UvicornProtocol
except ImportError:  # pragma: no cover - uvicorn's own fallback when httptools is missing
    from uvicorn.protocols.http.h11_impl import H11Protocol as _UvicornProtocol  # type: ignore[assignment]

logger = logging.getLogger(__name__)

MAX_HEADER_BYTES = 64 * 1024
"""Request line and headers together; an MCP request's are well under 2 KiB (h11 itself stops at 16 KiB)."""


class HeaderDeadlineProtocol(_UvicornProtocol):
    """uvicorn's HTTP protocol, closing connections that take too long (or too many bytes) to send headers."""

    header_timeout: float = 10.0
    """Seconds to send complete request headers; a subclass (or an instance, in ``workers.py``) sets its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_since: object = None  # the request (uvicorn's cycle) that was current when the clock started
        self._header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._start_clock()

    def data_received(self, data: bytes) -> None:
        waiting = self._awaiting_headers()
        super().data_received(data)
        if waiting and self._awaiting_headers():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._close("request headers over %d bytes", MAX_HEADER_BYTES)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def _start_clock(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._waiting_since = self.cycle
        self._header_bytes = 0
        self._deadline = self.loop.call_later(self.header_timeout, self._deadline_passed)

    def _awaiting_headers(self) -> bool:
        """No request has begun since the clock started, and none is being served."""
        cycle = self.cycle
        return cycle is self._waiting_since and (cycle is None or cycle.response_complete)

    def _deadline_passed(self) -> None:
        self._deadline = None
        if self._awaiting_headers():
            self._close("no complete request headers within %.1f s", self.header_timeout)

    def _close(self, reason: str, *args: object) -> None:
        if not self.transport.is_closing():
            logger.debug("closing %s: " + reason, self.client, *args)
            self.transport.close()


def header_deadline_protocol(seconds: float) -> type[asyncio.Protocol]:
    """``HeaderDeadlineProtocol`` with a deadline of ``seconds``, for ``uvicorn.Config(http=...)``."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"header_timeout": seconds})


def raise_open_file_limit() -> int | None:
    """Lift the soft ``RLIMIT_NOFILE`` to the hard limit (POSIX); the soft limit now in force, or None."""
    try:
        import resource
    except ImportError:  # Windows: no rlimits
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):  # macOS refuses values above kern.maxfilesperproc
        logger.info("could not raise the open-file limit from %d to %d", soft, target)
        return soft
    return target
