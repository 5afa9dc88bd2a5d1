"""Per-user mode's credentials (README "Per-user credentials"): each caller's token checked once against
Sentry, and one executor per token, so that nothing cached for one user can answer another.

- **Keyed by a hash.** Entries are keyed by HMAC-SHA256 of the token under a key drawn at random when
  the process starts: the token itself is never a key, and a key means nothing outside this process.
- **Checked once, briefly trusted.** ``GET /api/0/auth/`` on the control host (``DirectBackend.current_user``);
  an accepted token is trusted for ``ACCEPTED_TTL`` seconds, then checked again on its next request (its
  executor and caches are kept while it stays valid). A rejected token (401/403) is answered without
  asking Sentry again for ``REJECTED_TTL`` seconds. Sentry failing (5xx, timeout, unreachable) is not a
  rejection: ``TokenCheckUnavailable`` (HTTP 503), and nothing is cached. At most ``MAX_CONCURRENT_CHECKS``
  checks run at once and concurrent requests with the same new token share one check, so a flood of
  tokens costs Sentry a bounded number of requests in flight.
- **Isolation.** Each accepted token has its own ``Executor`` and ``DirectBackend``: region URLs,
  project ids and rate-limit state live there. Only the connection pool is shared (connections carry no
  credentials; each request sends its own ``Authorization`` header). At most ``MAX_CREDENTIALS`` are kept
  (least recently used first out); an evicted one is closed once every call that may still hold it has
  ended: a call lasts at most its deadline (``SENTRY_MCP_TIMEOUT``), so after that plus a margin.
- **Redaction.** A token is held in the process's secret set (``redaction.SECRETS.hold``) while it is
  being checked (from when a check slot is free, not while it waits for one) or its executor exists, and
  released after: masked wherever it could appear, and the set stays bounded by the slots and the LRU.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import httpx2
from pydantic import SecretStr

from .backends.direct import MAX_CONNECTIONS, DirectBackend
from .backends.http_client import KEEPALIVE_EXPIRY, trusted_ssl_context
from .backends.retry import call_deadline
from .config import Settings
from .errors import SentryAgentError, UpstreamError
from .executor import Executor

VERDICT_STATUSES = frozenset({400, 401, 403})
"""What ``/api/0/auth/`` answers about a token it will not take (400: not a user's token). Any other 4xx (a 404
from a host that is no Sentry API, say) is no verdict on the token and is never cached as a rejection."""
ACCEPTED_TTL = 60.0
"""Seconds a token Sentry accepted is trusted before its next request checks it again (a revoked token
stops working here within a minute; Sentry itself refuses it at once on every call)."""
REJECTED_TTL = 10.0
"""Seconds a token Sentry rejected is answered 401 without asking Sentry again."""
MAX_CREDENTIALS = 64
"""Executors kept at once. Every held token costs each redaction pass a little (``bench/README.md``)."""
MAX_REJECTED = 4096
"""Rejected-token hashes remembered at once (32 bytes each)."""
MAX_CONCURRENT_CHECKS = 8
"""Token checks in flight to Sentry at once, whatever arrives."""
RETIRE_MARGIN = 5.0
"""Seconds past a call's deadline before an evicted executor is closed."""
CHECK_TIMEOUT = 10.0
"""Seconds one token check may take (waiting for a check slot included)."""


class TokenRejectedError(SentryAgentError):
    """Sentry does not accept the caller's token (HTTP 401 to the client)."""

    code = "token_rejected"


class TokenCheckUnavailableError(SentryAgentError):
    """Sentry could not say whether the token is valid (HTTP 503 to the client; nothing is cached)."""

    code = "token_check_unavailable"


class _SharedTransport(httpx2.AsyncBaseTransport):
    """One connection pool for every credential's client; closing a client leaves it open."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Nothing: the store closes the pool itself (``CredentialStore.aclose``)."""


@dataclass(eq=False)
class _Credential:
    executor: Executor
    backend: DirectBackend
    checked_at: float


class CredentialStore:
    """The per-user executors of one server process, keyed by the hash of their token."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._given_transport = transport
        self._pool: httpx2.AsyncBaseTransport | None = None
        self._accepted: OrderedDict[bytes, _Credential] = OrderedDict()
        self._rejected: OrderedDict[bytes, float] = OrderedDict()
        self._checking: dict[bytes, anyio.Event] = {}
        self._slots: anyio.CapacityLimiter | None = None
        self._retired: list[tuple[float, _Credential]] = []
        """Evicted credentials and when they may be closed (no call can still be using them by then)."""
        self._grace = settings.timeout + RETIRE_MARGIN
        self.checks = 0
        """Token checks sent to Sentry so far (tests and the bench count them)."""

    def __repr__(self) -> str:
        return f"CredentialStore({len(self._accepted)} accepted, {len(self._rejected)} rejected)"

    def key_of(self, token: str) -> bytes:
        return hmac.new(self._key, token.encode(), hashlib.sha256).digest()

    async def authenticate(self, token: str) -> None:
        """Return when Sentry accepts ``token`` (checked at most every ``ACCEPTED_TTL`` seconds); raise
        ``TokenRejectedError`` or ``TokenCheckUnavailableError`` otherwise."""
        await self._credential(token)

    async def executor(self, token: str) -> Executor:
        """The caller's executor (its token checked as ``authenticate`` does). It stays open for at least
        one call's deadline after it is evicted, so a call that has it always finishes with it."""
        return (await self._credential(token)).executor

    async def aclose(self) -> None:
        """Close every executor and the shared pool (the server is stopping)."""
        credentials = [*self._accepted.values(), *(credential for _, credential in self._retired)]
        self._accepted.clear()
        self._retired.clear()
        for credential in credentials:
            await credential.executor.aclose()
        pool, self._pool = self._pool, None
        if pool is not None and self._given_transport is None:
            await pool.aclose()

    async def _credential(self, token: str) -> _Credential:
        if self._retired:
            await self._close_retired()
        key = self.key_of(token)
        while True:
            now = self._clock()
            credential = self._accepted.get(key)
            if credential is not None and now - credential.checked_at < ACCEPTED_TTL:
                self._accepted.move_to_end(key)
                return credential
            until = self._rejected.get(key)
            if until is not None and until > now:
                raise _rejected()
            checking = self._checking.get(key)
            if checking is None:
                break
            await checking.wait()  # one check per token at a time; then look again
        event = self._checking[key] = anyio.Event()
        try:
            return await self._check(key, token, credential)
        finally:
            del self._checking[key]
            event.set()

    async def _check(self, key: bytes, token: str, known: _Credential | None) -> _Credential:
        backend = known.backend if known is not None else None
        try:
            with anyio.fail_after(CHECK_TIMEOUT), call_deadline(CHECK_TIMEOUT):
                async with self._check_slots():
                    # A new token's backend (which holds it in the secret set) is made only once a slot is
                    # free: a flood of made-up tokens waiting for slots must not grow the set every
                    # redaction pass walks (README "Per-user credentials").
                    backend = backend or self._backend(token)
                    self.checks += 1
                    await backend.current_user()
        except UpstreamError as exc:
            if exc.status in VERDICT_STATUSES:
                await self._forget(key, known, backend)
                self._remember_rejected(key)
                raise _rejected() from None
            await self._close_unknown(known, backend)
            raise _unavailable(f"Sentry answered HTTP {exc.status}", exc.status) from None
        except TimeoutError:
            await self._close_unknown(known, backend)
            raise _unavailable(f"Sentry did not answer within {CHECK_TIMEOUT:g} s") from None
        except SentryAgentError as exc:  # timeouts, connection and protocol errors: no verdict
            await self._close_unknown(known, backend)
            raise _unavailable(f"the check failed ({exc.code})") from None
        except BaseException:  # cancelled (shutdown): a new backend must not keep its token held
            with anyio.CancelScope(shield=True):
                await self._close_unknown(known, backend)
            raise
        assert backend is not None  # the check ran
        credential = known or _Credential(Executor(self._settings, backend), backend, self._clock())
        credential.checked_at = self._clock()
        # Evicted by other tokens while its check was in flight: it serves again rather than being closed.
        self._retired = [(until, retired) for until, retired in self._retired if retired is not credential]
        self._accepted[key] = credential
        self._accepted.move_to_end(key)
        while len(self._accepted) > MAX_CREDENTIALS:
            _, oldest = self._accepted.popitem(last=False)
            await self._retire(oldest)
        return credential

    def _backend(self, token: str) -> DirectBackend:
        """A backend for one caller: its own caches and token, the store's connection pool."""
        return DirectBackend(
            base_url=self._settings.base_url,
            token=SecretStr(token),
            timeout=self._settings.timeout,
            transport=_SharedTransport(self._shared_pool()),
            token_held=True,
        )

    def _shared_pool(self) -> httpx2.AsyncBaseTransport:
        if self._pool is None:
            self._pool = self._given_transport or httpx2.AsyncHTTPTransport(
                verify=trusted_ssl_context(),
                trust_env=True,
                limits=httpx2.Limits(
                    max_connections=MAX_CONNECTIONS * 4,
                    max_keepalive_connections=MAX_CONNECTIONS * 4,
                    keepalive_expiry=KEEPALIVE_EXPIRY,
                ),
            )
        return self._pool

    def _check_slots(self) -> anyio.CapacityLimiter:
        if self._slots is None:  # made in the event loop that uses it
            self._slots = anyio.CapacityLimiter(MAX_CONCURRENT_CHECKS)
        return self._slots

    async def _forget(self, key: bytes, known: _Credential | None, backend: DirectBackend | None) -> None:
        if known is not None:
            if self._accepted.get(key) is known:  # else evicted (retired) while its check was in flight
                del self._accepted[key]
                await self._retire(known)
        elif backend is not None:
            await backend.aclose()

    async def _close_unknown(self, known: _Credential | None, backend: DirectBackend | None) -> None:
        """After a check without a verdict: a new backend (if one was made) is closed; a known credential
        stays as it was."""
        if known is None and backend is not None:
            await backend.aclose()

    async def _retire(self, credential: _Credential) -> None:
        self._retired.append((self._clock() + self._grace, credential))

    async def _close_retired(self) -> None:
        now = self._clock()
        due = [credential for until, credential in self._retired if until <= now]
        self._retired = [(until, credential) for until, credential in self._retired if until > now]
        for credential in due:
            await credential.executor.aclose()

    def _remember_rejected(self, key: bytes) -> None:
        self._rejected[key] = self._clock() + REJECTED_TTL
        self._rejected.move_to_end(key)
        while len(self._rejected) > MAX_REJECTED:
            self._rejected.popitem(last=False)


def _rejected() -> TokenRejectedError:
    return TokenRejectedError(
        "Sentry does not accept this token.",
        hint="Send a valid Sentry user auth token as 'Authorization: Sentry-Bearer <token>' "
        "(Sentry > Settings > Account > API > Auth Tokens).",
    )


def _unavailable(why: str, status: int | None = None) -> TokenCheckUnavailableError:
    if status is not None and 400 <= status < 500 and status != 429:  # no verdict on a token: not Sentry's API
        hint = "The server's SENTRY_HOSTNAME may not point at a Sentry API; whoever runs the server should check it."
    else:
        hint = "Sentry may be down or slow; retry in a moment."
    return TokenCheckUnavailableError(f"Could not check the token with Sentry: {why}.", hint=hint)
