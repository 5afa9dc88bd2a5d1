"""The direct backend: Sentry's REST API over one pooled ``httpx2.AsyncClient`` (``http_client.py``)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
from pydantic import SecretStr

from .._version import __version__
from ..catalog import Kind, Pair, Params, Served
from ..catalog.base import Companion, Host, Route
from ..errors import TLSVerificationError, UpstreamConnectionError, UpstreamProtocolError, UpstreamTimeoutError, clip
from ..redaction import SECRETS, loads, redact, register
from .base import list_page
from .bodies import MAX_BODY_BYTES, read_capped
from .companions import read_text, with_companions
from .http_client import CONNECT_TIMEOUT, PooledClient
from .ratelimit import HostLimiter, RateLimits, retry_after_seconds
from .regions import RegionRefusedError, RegionRouter
from .requests import ProjectLookup, RequestSpec, build_request, encode_segment
from .results import shape
from .retry import (
    DEFAULT_POLICY,
    RETRY_STATUSES,
    Attempts,
    Deadline,
    RetryPolicy,
    call_deadline,
    certificate_failure,
    current_deadline,
    never_sent,
    spread,
)
from .upstream_errors import describe_body, error_from_response

logger = logging.getLogger(__name__)

MAX_CONNECTIONS = 32
"""Pooled connections to all Sentry hosts together (at most 16 requests in flight per host)."""
REGION_PAGE_CAP = 10
"""Pages fetched per region when merging organizations across regions (100 orgs a page)."""
_ATTEMPTS = "sentry_agent_mcp.attempts"
"""``httpx2.Response.extensions`` key under which ``_send`` leaves the ``Attempts`` record."""
_UNKNOWN_EFFECT = (
    "The connection failed after the request was sent. This write is not idempotent, so it was not sent "
    "again: it may or may not have taken effect. Read the current state before calling again."
)


class _DeadlineReached(Exception):
    """The call's deadline ran out during an attempt."""


def _link(response: httpx2.Response) -> str | None:
    """The ``Link`` header, secrets masked: its cursor becomes ``meta.next_cursor``, which the agent reads."""
    link = response.headers.get("link")
    return None if link is None else redact(link)


class DirectBackend:
    """Calls ``{base_url}/api/0`` (or an organization's region) with a bearer token.

    One client per backend (and so per server process): connections are pooled and reused, and
    redirects are not followed (``http_client.py``). Project ids and organization regions are looked up
    once and cached for the life of the process. Each call runs under one deadline (``timeout`` seconds,
    or the executor's for the whole tool call) that bounds its lookups, attempts and waits; requests are
    retried and rate limits honoured as ``retry.py`` and ``ratelimit.py`` say. Bodies are read streamed,
    up to ``max_body_bytes`` (``bodies.py``).
    """

    serves = Served.DIRECT

    def __init__(
        self,
        *,
        base_url: str,
        token: SecretStr,
        timeout: float = 30.0,
        transport: httpx2.AsyncBaseTransport | None = None,
        name: str = "direct",
        retry: RetryPolicy = DEFAULT_POLICY,
        limits: RateLimits | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        token_held: bool = False,
    ) -> None:
        self.name = name
        self._max_body_bytes = max_body_bytes
        self.base_url = base_url
        self._timeout = timeout
        self._policy = retry
        self._limits = limits if limits is not None else RateLimits()
        # Whatever path built this backend, its token is masked in all output from now on; a caller's token
        # in per-user mode (``token_held``) only until the backend is closed, so the set of secrets stays bounded.
        self._held = token if token_held else None
        (SECRETS.hold if token_held else register)(token)
        self._http = PooledClient(
            headers={
                "Authorization": f"Bearer {token.get_secret_value()}",
                "Accept": "application/json",
                "User-Agent": f"sentry-agent-mcp/{__version__}",
            },
            timeout=timeout,
            max_connections=MAX_CONNECTIONS,
            transport=transport,
        )
        self.regions = RegionRouter(base_url, self._fetch_json)
        self._project_ids: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"DirectBackend(name={self.name!r}, base_url={self.base_url!r})"

    async def execute(self, pair: Pair, params: Params) -> Any:
        route, spec = build_request(pair, params)
        with call_deadline(self._timeout):
            if route.across_regions:
                return await self._across_regions(route, spec)
            spec = await self._resolve_projects(spec)
            base = await self._base_for(spec)
            response = await self._send(base, spec)
            if response.status_code == 204 and pair.kind is Kind.GET:
                raise UpstreamProtocolError(
                    f"Sentry answered {spec.what} with HTTP 204 (no content) instead of the object.",
                    hint="It may just have been deleted or merged; list again to find it.",
                )
            result = shape(route, pair.kind, self._decoded(spec, response), _link(response), spec.what)
            if route.wrap is None and not route.companions:
                return result
            return await with_companions(pair, params, route, result, self._companion)

    async def _companion(self, spec: RequestSpec, companion: Companion) -> Any:
        """One companion request's answer: JSON, or a file's text when ``companion.text_chars`` is set."""
        spec = await self._resolve_projects(spec)
        response = await self._send(await self._base_for(spec), spec)
        if companion.text_chars is not None and response.status_code < 300:
            return read_text(spec, response, companion.text_chars)
        return self._decoded(spec, response)

    async def check(self) -> str:
        spec = RequestSpec("GET", "/projects/", [("per_page", "1")])
        with call_deadline(self._timeout):
            data = self._decoded(spec, await self._send(self.base_url, spec))
        seen = "at least one project" if data else "no projects yet"
        return f"{self.name} backend at {self.base_url}: token accepted, {seen} visible"

    async def current_user(self) -> Any:
        """``GET /api/0/auth/`` on the control host: the token's user (per-user mode checks tokens with it)."""
        spec = RequestSpec("GET", "/auth/", [], host=Host.CONTROL, endpoint="/auth/")
        with call_deadline(self._timeout):
            return self._decoded(spec, await self._send(self.base_url, spec))

    async def aclose(self) -> None:
        try:
            await self._http.aclose()
        finally:
            if self._held is not None:
                SECRETS.release(self._held)
                self._held = None

    async def _base_for(self, spec: RequestSpec) -> str:
        if spec.host is Host.CONTROL or spec.organization is None:
            return self.base_url
        return await self.regions.base_for(spec.organization)

    async def _resolve_projects(self, spec: RequestSpec) -> RequestSpec:
        if not spec.lookups:
            return spec
        query = list(spec.query)
        for lookup in spec.lookups:
            query.append((lookup.name, await self._project_id(lookup)))
        return replace(spec, query=query, lookups=[])

    async def _project_id(self, lookup: ProjectLookup) -> str:
        key = (lookup.organization, lookup.slug)
        if key not in self._project_ids:
            spec = RequestSpec(
                "GET",
                f"/projects/{encode_segment(lookup.organization)}/{encode_segment(lookup.slug)}/",
                [],
                organization=lookup.organization,
                endpoint="/projects/{organization_slug}/{project_slug}/",
            )
            project = self._decoded(spec, await self._send(await self._base_for(spec), spec))
            if not isinstance(project, dict) or not str(project.get("id", "")).isdigit():
                raise UpstreamProtocolError(
                    f"Sentry answered {spec.what} without a project id.", hint="Pass the numeric project id instead."
                )
            self._project_ids[key] = str(project["id"])
        return self._project_ids[key]

    async def _across_regions(self, route: Route, spec: RequestSpec) -> Any:
        """Organizations live in regions: ask each region and merge (one region: a normal page)."""
        regions = await self.regions.regions()
        if not regions or len(regions) == 1:
            response = await self._send(regions[0] if regions else self.base_url, spec)
            return shape(route, Kind.LIST, self._decoded(spec, response), _link(response), spec.what)
        merged: dict[str, Any] = {}
        first_page = [item for item in spec.query if item[0] != "cursor"]
        for base in regions:
            query = first_page
            for _ in range(REGION_PAGE_CAP):
                response = await self._send(base, replace(spec, query=query))
                page = shape(route, Kind.LIST, self._decoded(spec, response), _link(response), spec.what)
                for org in page["data"]:
                    if isinstance(org, dict):
                        merged.setdefault(str(org.get("id")), org)
                cursor = page["meta"]["next_cursor"]  # None unless Sentry says more follow
                if cursor is None:
                    break
                query = [*first_page, ("cursor", cursor)]
        return list_page(list(merged.values()), has_more=False, next_cursor=None)

    async def _fetch_json(self, base: str, path: str) -> tuple[int, Any]:
        response = await self._send(base, RequestSpec("GET", path, []))
        try:
            return response.status_code, loads(response.content or b"null")
        except (ValueError, UnicodeDecodeError):
            return response.status_code, None

    async def _send(self, base: str, spec: RequestSpec) -> httpx2.Response:
        """Send ``spec`` to ``base`` within the call's deadline, retrying what may be retried.

        Returns Sentry's final answer whatever its status (``_decoded`` judges it), with the attempts
        recorded in ``response.extensions``; raises ``UpstreamTimeoutError`` or
        ``UpstreamConnectionError`` when no answer came. 5xx, timeouts and dropped connections are
        retried only when ``spec.repeatable``; connect failures and 429s (Sentry did nothing) always.
        """
        if base != self.base_url and not self.regions.allowed(base):
            raise RegionRefusedError(f"Refusing to send {spec.what} outside the configured Sentry host.")
        deadline = current_deadline(self._timeout)
        limiter = self._limits.for_url(base)
        tries = Attempts([], deadline)
        failures = throttled = 0
        while True:
            delay: float | None = None
            try:
                response = await self._attempt(base, spec, limiter, deadline)
            except _DeadlineReached:
                tries.note("deadline")
                raise self._deadline_error(spec, tries, deadline) from None
            except httpx2.TransportError as exc:
                tries.note(type(exc).__name__)
                failures += 1
                if deadline.remaining() < 0.01:
                    raise self._deadline_error(spec, tries, deadline) from None
                retryable = (spec.repeatable or never_sent(exc)) and certificate_failure(exc) is None
                if retryable and failures < self._policy.max_attempts:
                    delay = self._policy.backoff(failures)
                if delay is None or not deadline.fits(delay):
                    raise self._transport_error(base, spec, exc, tries) from None
                await anyio.sleep(delay)
                continue
            except httpx2.RequestError as exc:  # e.g. a body that cannot be decoded
                raise UpstreamProtocolError(
                    f"Sentry's answer to {spec.what} could not be read: {type(exc).__name__}: {clip(exc, 200)}",
                    hint="A proxy may be in the way; retry in a moment.",
                ) from None
            status = response.status_code
            tries.note(f"HTTP {status}")
            if status == 429:
                throttled += 1
                wait = retry_after_seconds(response.headers, time.time())
                pause = spread(wait) if wait is not None else self._policy.rate_limit_backoff(throttled)
                limiter.pause(spec.limit_key, pause)
                if throttled <= self._policy.max_rate_limit_waits:
                    delay = pause
            elif status in RETRY_STATUSES and spec.repeatable:
                failures += 1
                if failures < self._policy.max_attempts:
                    delay = self._policy.backoff(failures)
            if delay is None or not deadline.fits(delay):
                response.extensions[_ATTEMPTS] = tries
                return response
            await anyio.sleep(delay)

    async def _attempt(self, base: str, spec: RequestSpec, limiter: HostLimiter, deadline: Deadline) -> httpx2.Response:
        """One send: wait for the endpoint's pause and a concurrency slot, then the request and its body
        (read up to ``max_body_bytes``), all bounded by the deadline."""
        with anyio.move_on_after(deadline.remaining()):
            async with limiter.slot(spec.limit_key, deadline):
                remaining = max(deadline.remaining(), 0.001)
                started = time.perf_counter()
                client = self._http.current()
                request = client.build_request(
                    spec.method,
                    f"{base}/api/0{spec.path}",
                    params=spec.query,
                    json=spec.body,
                    timeout=httpx2.Timeout(remaining, connect=min(CONNECT_TIMEOUT, remaining)),
                )
                opened = await client.send(request, stream=True)
                response = await read_capped(opened, cap=self._max_body_bytes, who="Sentry", what=spec.what)
            limiter.observe(spec.limit_key, response.headers, time.time())
            if logger.isEnabledFor(logging.DEBUG):
                took = (time.perf_counter() - started) * 1000
                logger.debug("%s %s%s: HTTP %s in %.0f ms", spec.method, base, spec.path, response.status_code, took)
            return response
        raise _DeadlineReached

    def _deadline_error(self, spec: RequestSpec, tries: Attempts, deadline: Deadline) -> UpstreamTimeoutError:
        return UpstreamTimeoutError(
            f"Sentry did not answer {spec.what} within the call's {deadline.seconds:g} s deadline ({tries.summary()}).",
            hint="Sentry may be slow or overloaded: narrow the query (shorter period, fewer fields) or retry "
            + ("later." if spec.repeatable else "after checking whether the change was made."),
        )

    def _transport_error(
        self, base: str, spec: RequestSpec, exc: httpx2.TransportError, tries: Attempts
    ) -> UpstreamTimeoutError | UpstreamConnectionError:
        rejected = certificate_failure(exc)
        if rejected is not None:
            return TLSVerificationError(
                f"TLS certificate verification failed for {urlsplit(base).netloc}: "
                f"{getattr(rejected, 'verify_message', None) or rejected.reason} ({tries.summary()}).",
                hint="Nothing was sent, and retrying will not help. If this Sentry's certificate comes from a "
                "private or corporate CA, set SSL_CERT_FILE (or SSL_CERT_DIR) in the server's environment to "
                "that CA's certificate; otherwise check SENTRY_HOSTNAME: the certificate may be for another "
                "host, or something is intercepting the connection.",
            )
        unknown_effect = not spec.repeatable and not never_sent(exc)
        if isinstance(exc, httpx2.TimeoutException):
            return UpstreamTimeoutError(
                f"Sentry did not answer {spec.what} in time ({tries.summary()}).",
                hint=_UNKNOWN_EFFECT
                if unknown_effect
                else "Sentry may be slow or overloaded: narrow the query (shorter period, fewer fields) or retry.",
            )
        if never_sent(exc):
            message = f"Could not reach Sentry at {base} for {spec.what}"
        else:
            message = f"The connection to Sentry broke during {spec.what}"
        return UpstreamConnectionError(
            f"{message}: {type(exc).__name__}: {clip(exc, 200)} ({tries.summary()}).",
            hint=_UNKNOWN_EFFECT if unknown_effect else "Check SENTRY_HOSTNAME and the network; retry in a moment.",
        )

    def _decoded(self, spec: RequestSpec, response: httpx2.Response) -> Any:
        if response.status_code >= 300:
            tries = response.extensions.get(_ATTEMPTS)
            raise error_from_response(
                status=response.status_code,
                headers=response.headers,
                body=response.content,
                what=spec.what,
                now=time.time(),
                attempts=tries.summary() if isinstance(tries, Attempts) and tries.count > 1 else None,
                repeatable=spec.repeatable,
            )
        if not response.content.strip():
            return None
        try:
            return loads(response.content)
        except (ValueError, UnicodeDecodeError):
            detail = describe_body(response.content, response.headers.get("content-type"))
            raise UpstreamProtocolError(
                f"Sentry answered {spec.what} with HTTP {response.status_code} but not with JSON: {detail}",
                hint="A proxy or an outage may be in the way; retry in a moment.",
            ) from None
