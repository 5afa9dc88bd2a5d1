"""Client-side rate limiting per Sentry host: read Sentry's headers and slow down before the wall.

Sentry limits each endpoint and method in fixed windows and says so in ``X-Sentry-Rate-Limit-Limit``,
``-Remaining`` and ``-Reset`` (epoch seconds), plus ``-ConcurrentLimit``/``-ConcurrentRemaining`` where
a concurrency limit is set. Agents call tools in parallel, so when ``Remaining`` reaches 0 (or a 429
arrives) every caller of that endpoint waits for the reset instead of collecting 429s. A cap on
concurrent requests per host (and per endpoint when Sentry announces one) keeps a burst of parallel
calls from tripping the concurrency limiter.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import anyio

from .retry import Deadline

MAX_CONCURRENT_PER_HOST = 16
"""Requests in flight to one Sentry host at a time (the connection pool holds 32)."""
MAX_BLOCK = 120.0
"""Longest proactive pause taken from a reset header (guards against a skewed server clock)."""
RESET_MARGIN = 0.1
"""Seconds past Sentry's ``Reset`` before a new window is assumed (clocks differ by a little)."""
_MAX_ENDPOINTS = 512


def _number(value: str | None) -> float | None:
    """A header's finite number, or None (absent, garbled, ``nan``, ``inf``)."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date), else from Sentry's reset header."""
    value = headers.get("retry-after")
    if value:
        seconds = _number(value)
        if seconds is not None:
            return max(0.0, seconds)
        try:
            return max(0.0, parsedate_to_datetime(value.strip()).timestamp() - now)
        except (TypeError, ValueError, IndexError):
            pass
    reset = _number(headers.get("x-sentry-rate-limit-reset"))
    return None if reset is None else max(0.0, reset - now)


@dataclass
class _Endpoint:
    blocked_until: float = 0.0
    """Monotonic time before which nothing is sent (after a 429)."""
    budget: int | None = None
    """Requests still allowed in Sentry's current window: its last ``Remaining`` minus what we sent since
    (None: not known yet)."""
    window_ends: float = 0.0
    """Monotonic time of Sentry's ``Reset`` for that budget."""
    limit: int | None = None
    """Sentry's ``Limit``: the budget of a fresh window."""
    concurrency: anyio.CapacityLimiter | None = None
    """Sentry's announced concurrent limit for this endpoint, when it sends one."""
    in_flight: int = 0
    """Requests sent and not answered yet: Sentry's ``Remaining`` may not count them yet."""

    def wait(self, now: float) -> float:
        """Seconds to hold the next request back (0: send now)."""
        if self.blocked_until > now:
            return self.blocked_until - now
        if self.budget is None or self.budget > 0:
            return 0.0
        if self.window_ends > now:
            return self.window_ends - now
        # The window is over and no answer has told us about the next one yet: assume a fresh budget
        # for about a second (the first answer corrects both).
        self.budget, self.window_ends = self.limit, now + 1.0
        return 0.0


class HostLimiter:
    """The limits learnt for one host: endpoint budgets and pauses, endpoint concurrency, a host-wide cap."""

    def __init__(self, max_concurrent: int = MAX_CONCURRENT_PER_HOST) -> None:
        self._slots = anyio.CapacityLimiter(max_concurrent)
        self._endpoints: dict[str, _Endpoint] = {}

    def _state(self, endpoint: str) -> _Endpoint:
        state = self._endpoints.get(endpoint)
        if state is None:
            if len(self._endpoints) >= _MAX_ENDPOINTS:
                self._forget_idle()
            state = self._endpoints[endpoint] = _Endpoint()
        return state

    def _forget_idle(self) -> None:
        now = time.monotonic()
        for key, state in list(self._endpoints.items()):
            idle = state.concurrency is None or state.concurrency.borrowed_tokens == 0
            if state.blocked_until <= now and state.window_ends <= now and idle:
                del self._endpoints[key]

    def paused_for(self, endpoint: str) -> float:
        """Seconds before ``endpoint`` may be called again (0 when now)."""
        state = self._endpoints.get(endpoint)
        return 0.0 if state is None else state.wait(time.monotonic())

    @asynccontextmanager
    async def slot(self, endpoint: str, deadline: Deadline) -> AsyncIterator[None]:
        """Wait until the endpoint may be called (when that fits the deadline), then hold a concurrency slot.

        A wait longer than the call has left is not slept: the request goes out and Sentry decides, so a
        stale or skewed reset never turns into an error Sentry would not have given.
        """
        state = self._state(endpoint)
        while (pause := state.wait(time.monotonic())) > 0 and deadline.fits(pause):
            await anyio.sleep(pause)
        if state.budget is not None:
            state.budget -= 1
        async with AsyncExitStack() as stack:
            if state.concurrency is not None:
                await stack.enter_async_context(state.concurrency)
            await stack.enter_async_context(self._slots)
            state.in_flight += 1
            try:
                yield
            finally:
                state.in_flight -= 1

    def pause(self, endpoint: str, seconds: float) -> None:
        """Hold every request to ``endpoint`` back for ``seconds`` (capped by ``MAX_BLOCK``)."""
        until = time.monotonic() + min(seconds, MAX_BLOCK)
        state = self._state(endpoint)
        state.blocked_until = max(state.blocked_until, until)

    def observe(self, endpoint: str, headers: Mapping[str, str], now: float) -> None:
        """Learn from a response's rate-limit headers (``now`` in epoch seconds)."""
        remaining = _number(headers.get("x-sentry-rate-limit-remaining"))
        reset = _number(headers.get("x-sentry-rate-limit-reset"))
        limit = _number(headers.get("x-sentry-rate-limit-limit"))
        concurrent = _number(headers.get("x-sentry-rate-limit-concurrentlimit"))
        if remaining is None and concurrent is None:
            return
        state = self._state(endpoint)
        if limit is not None and limit >= 1:
            state.limit = int(limit)
        if remaining is not None and reset is not None:
            ends = time.monotonic() + min(max(0.0, reset - now), MAX_BLOCK) + RESET_MARGIN
            budget = int(remaining) - state.in_flight  # the answers still out may each take one more
            if ends > state.window_ends + 0.5 or state.budget is None:  # a new window
                state.budget, state.window_ends = budget, ends
            else:
                state.budget = min(state.budget, budget)
        if concurrent is not None and concurrent >= 1:
            if state.concurrency is None:
                state.concurrency = anyio.CapacityLimiter(int(concurrent))
            elif state.concurrency.total_tokens != int(concurrent):
                state.concurrency.total_tokens = int(concurrent)


class RateLimits:
    """One ``HostLimiter`` per host (``scheme://netloc``): regions are separate hosts with separate limits."""

    def __init__(self, max_concurrent: int = MAX_CONCURRENT_PER_HOST) -> None:
        self._max_concurrent = max_concurrent
        self._hosts: dict[str, HostLimiter] = {}

    def for_url(self, base_url: str) -> HostLimiter:
        parts = urlsplit(base_url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        limiter = self._hosts.get(key)
        if limiter is None:
            limiter = self._hosts[key] = HostLimiter(self._max_concurrent)
        return limiter
