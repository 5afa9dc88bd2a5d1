"""Regions: on sentry.io an organization lives in ``us`` or ``de``; its calls go to its region host.

The region comes from the organization's ``links.regionUrl`` and is cached for the life of the
process. A region URL is followed only when it is https on sentry.io, ``us.sentry.io`` or
``de.sentry.io`` (default port, no path: what ``/users/me/regions/`` and ``links.regionUrl`` hold), or
exactly the configured origin (scheme, host, port and path prefix: self-hosted Sentry names itself).
Anything else, another port or path on the configured host included, would let data returned by a
server steer our token elsewhere (SSRF), so it is refused. Hosts are compared as the HTTP client
will connect to them (``hosts.canonical_host``), and the URL followed is rebuilt from what was checked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from ..errors import SentryAgentError, clip
from ..hosts import SAAS_HOSTS, BadHostError, Origin, parse_origin
from .requests import encode_segment

Fetch = Callable[[str, str], Awaitable[tuple[int, Any]]]
"""``fetch(base_url, path)`` → ``(status, decoded JSON)``; raises for transport errors."""


class RegionRefusedError(SentryAgentError):
    """A region URL that is not allowed (SSRF guard)."""

    code = "region_refused"


def _origin(url: str) -> Origin | None:
    try:
        return parse_origin(url)
    except BadHostError:
        return None


def shown(url: str) -> str:
    """A refused URL as an error shows it: scheme, host, port and path (no user, password or query), cut."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(not a valid URL)"
    return clip(f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}{parts.path.rstrip('/')}")


class RegionRouter:
    """Knows which base URL serves each organization."""

    def __init__(self, base_url: str, fetch: Fetch) -> None:
        self.base_url = base_url
        self._fetch = fetch
        self._configured = _origin(base_url)
        self._regions: list[str] | None = None
        self._regions_known = False
        self._org_bases: dict[str, str] = {}

    def allowed(self, url: str) -> bool:
        """True for https on sentry.io's region hosts (default port, no path) and for the configured origin."""
        origin = _origin(url)
        if origin is None:
            return False
        if origin.scheme == "https" and origin.host in SAAS_HOSTS and origin.port == 443 and not origin.path:
            return True
        return origin == self._configured

    def _checked(self, url: str, whose: str) -> str:
        """``url`` rebuilt from its checked parts, or ``RegionRefusedError``."""
        if not self.allowed(url):
            raise RegionRefusedError(
                f"Refusing to send {whose}'s calls to region URL {shown(url)!r}: it is not https on sentry.io, "
                "us.sentry.io or de.sentry.io, nor the configured Sentry URL (scheme, host, port and path).",
                hint="Check SENTRY_HOSTNAME; a region URL outside those hosts is never followed.",
            )
        origin = parse_origin(url)
        return self.base_url if origin == self._configured else origin.url

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
                checked = [self._checked(url, "the user") for url in urls]
                self._regions = list(dict.fromkeys(checked))  # each region asked once, however often it is named
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
