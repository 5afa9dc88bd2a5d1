"""Retries and the per-call deadline: what may be sent again, how long to wait, and when to give up.

Agents call tools in loops and wait on each answer, so a call must end, with data or a clear error,
before its deadline (``SENTRY_MCP_TIMEOUT``). Everything a call does (region and project lookups,
every attempt, every backoff and every 429 wait) shares one ``Deadline``. Only what cannot be
repeated by accident is repeated: an idempotent request after a 5xx, a timeout or a dropped
connection; any request that never reached Sentry (connect failures) or that Sentry refused with 429.
"""

from __future__ import annotations

import random
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpx2

RETRY_STATUSES = frozenset({500, 502, 503, 504})
"""Answers worth another try: Sentry or its proxy failed, the request itself was fine."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one HTTP request is repeated (all within the call's deadline).

    With the defaults a Sentry that keeps failing costs 3 attempts and at most 0.25 + 0.5 s of backoff:
    the agent hears about it within about a second plus Sentry's own response times.
    """

    max_attempts: int = 3
    """Sends per request on 5xx, timeouts and connection errors (the first one included)."""
    base_delay: float = 0.25
    """Backoff ceiling before the first retry; doubled for each further one."""
    max_delay: float = 2.0
    max_rate_limit_waits: int = 4
    """429 answers waited out per request (each wait must also fit the deadline)."""
    rate_limit_base_delay: float = 0.5
    """Backoff ceiling after a 429 that says nothing about when to come back."""

    def backoff(self, retry: int) -> float:
        """Delay before retry number ``retry`` (1-based): "equal jitter" between half and all of the ceiling."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def rate_limit_backoff(self, wait: int) -> float:
        """Delay after the ``wait``-th 429 that carried neither ``Retry-After`` nor a reset time."""
        ceiling = min(8.0, self.rate_limit_base_delay * 2.0 ** (wait - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


DEFAULT_POLICY = RetryPolicy()


def spread(wait: float) -> float:
    """A server-given wait plus a little jitter, so callers released together do not return together."""
    return wait + 0.05 + random.uniform(0, min(1.0, 0.1 * wait + 0.1))


class Deadline:
    """The monotonic time by which a call must have ended."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.expires = self.started + seconds

    def remaining(self) -> float:
        return max(0.0, self.expires - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def fits(self, wait: float) -> bool:
        """True when sleeping ``wait`` seconds still leaves time for a request afterwards."""
        return wait + 0.05 < self.remaining()


_CURRENT: ContextVar[Deadline | None] = ContextVar("sentry_agent_mcp_deadline", default=None)


@contextmanager
def call_deadline(seconds: float) -> Iterator[Deadline]:
    """The deadline of the call in progress; a new one of ``seconds`` when none is running yet.

    Nested use (a lookup made on behalf of a call) shares the outer call's deadline.
    """
    current = _CURRENT.get()
    if current is not None:
        yield current
        return
    deadline = Deadline(seconds)
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)


def current_deadline(default_seconds: float) -> Deadline:
    """The running call's deadline, or a fresh one for a request made outside any call."""
    return _CURRENT.get() or Deadline(default_seconds)


def never_sent(exc: httpx2.TransportError) -> bool:
    """True when the request cannot have reached Sentry: safe to send again whatever it does.

    httpx2 raises these before a byte of the request left: no connection could be opened (refused,
    DNS, TLS, proxy connect) or none came free in the pool. Anything later (``ReadTimeout``,
    ``RemoteProtocolError``, ``ReadError``, ``WriteError``) may have been seen and acted on.
    """
    return isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout)


def certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error behind ``exc``, if that is why it failed.

    Such a failure is never retried: the same certificate fails the same way on every attempt. httpx2
    chains the ``ssl`` error as the cause of the ``ConnectError`` it raises (on trio, through trio's
    ``BrokenResourceError``); the innermost one is returned.
    """
    found: ssl.SSLCertVerificationError | None = None
    cause: BaseException | None = exc
    for _ in range(8):  # a chain is a few links long; never loop on a cycle
        if cause is None:
            break
        if isinstance(cause, ssl.SSLCertVerificationError):
            found = cause
        cause = cause.__cause__ or cause.__context__
    return found


@dataclass
class Attempts:
    """What happened to one request's attempts: told to the agent when the request fails."""

    outcomes: list[str]
    deadline: Deadline

    def note(self, outcome: str) -> None:
        self.outcomes.append(outcome)

    @property
    def count(self) -> int:
        return len(self.outcomes)

    def summary(self) -> str:
        """E.g. ``3 attempts (HTTP 503, HTTP 503, ReadTimeout) in 1.2 s``."""
        noun = "attempt" if self.count == 1 else "attempts"
        return f"{self.count} {noun} ({', '.join(self.outcomes)}) in {self.deadline.elapsed():.1f} s"
