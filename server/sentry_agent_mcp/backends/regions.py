"""Regions: on sentry.io an organization lives in ``us`` or ``de``; its calls go to its region host.

The region comes from the organization's ``links.regionUrl`` and is cached for the life of the
process. A region URL is followed only when it is https on sentry.io, ``us.sentry.io`` or
``de.sentry.io``, or on the configured host itself: anything else would let data returned by a
server steer our token to another host (SSRF), so it is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from ..errors import SentryAgentError
from .requests import encode_segment

SAAS_HOSTS = frozenset({"sentry.io", "us.sentry.io", "de.sentry.io"})

Fetch = Callable[[str, str], Awaitable[tuple[int, Any]]]
"""``fetch(base_url, path)`` → ``(status, decoded JSON)``; raises for transport errors."""


class RegionRefusedError(SentryAgentError):
    """A region URL that is not allowed (SSRF guard)."""

    code = "region_refused"


def normalise(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


class RegionRouter:
    """Knows which base URL serves each organization."""

    def __init__(self, base_url: str, fetch: Fetch) -> None:
        self.base_url = base_url
        self._fetch = fetch
        configured = urlsplit(base_url)
        self._configured = (configured.scheme, (configured.hostname or "").lower())
        self._regions: list[str] | None = None
        self._regions_known = False
        self._org_bases: dict[str, str] = {}

    def allowed(self, url: str) -> bool:
        """True for https sentry.io region hosts and for the configured host (any port)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.username or parts.password or parts.query or parts.fragment:
            return False
        if parts.scheme == "https" and host in SAAS_HOSTS:
            return True
        return (parts.scheme, host) == self._configured

    def _checked(self, url: str, whose: str) -> str:
        if not self.allowed(url):
            raise RegionRefusedError(
                f"Refusing to send {whose}'s calls to region URL {normalise(url)!r}: it is not sentry.io, "
                "us.sentry.io, de.sentry.io or the configured host.",
                hint="Check SENTRY_HOSTNAME; a region URL outside those hosts is never followed.",
            )
        return normalise(url)

    async def regions(self) -> list[str] | None:
        """The region base URLs, or None when the server has no regions (self-hosted: 404)."""
        if not self._regions_known:
            status, body = await self._fetch(self.base_url, "/users/me/regions/")
            if status == 404:
                self._regions = None
            elif status >= 300:
                return None  # not cached: a transient failure must not switch regions off for good
            else:
                entries = body.get("regions", []) if isinstance(body, dict) else []
                urls = [str(r["url"]) for r in entries if isinstance(r, dict) and r.get("url")]
                self._regions = [self._checked(url, "the user") for url in urls]
            self._regions_known = True
        return self._regions

    async def base_for(self, organization: str) -> str:
        """The base URL for calls about ``organization`` (cached after the first lookup)."""
        cached = self._org_bases.get(organization)
        if cached is not None:
            return cached
        base = self.base_url
        if await self.regions():
            status, body = await self._fetch(self.base_url, f"/organizations/{encode_segment(organization)}/")
            if status >= 300:
                return self.base_url  # let the real call report the error in its own words
            links = body.get("links") if isinstance(body, dict) else None
            region_url = links.get("regionUrl") if isinstance(links, dict) else None
            if region_url:
                base = self._checked(str(region_url), f"organization {organization!r}")
        self._org_bases[organization] = base
        return base
