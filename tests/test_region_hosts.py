"""Region hosts on sentry.io: which region URLs are followed, and organizations merged across regions.

A region URL comes from Sentry's answers, so it must not steer the token: it is followed only when
it is https on sentry.io, us.sentry.io or de.sentry.io, or exactly the configured origin. The sentry.io
branch is exercised with real sentry.io URLs: through ``RegionRouter.allowed``, through the direct
backend over an ``httpx2.MockTransport`` that answers for sentry.io (no network), and over real HTTP to
demo Sentry servers on 127.0.0.1 that a hosts-file transport names us.sentry.io and de.sentry.io.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from sentry_agent_mcp.backends import DirectBackend
from sentry_agent_mcp.backends.regions import RegionRefusedError, RegionRouter
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.executor import Executor
from sentry_demo import DEMO_TOKEN, DemoSentryServer

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio
REGIONS = [{"name": "us", "url": "https://us.sentry.io"}, {"name": "de", "url": "https://de.sentry.io"}]


async def _no_fetch(base: str, path: str) -> tuple[int, Any]:
    raise AssertionError("allowed() must not call Sentry")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://sentry.io", True),
        ("https://us.sentry.io", True),
        ("https://de.sentry.io/", True),
        ("https://US.Sentry.IO.", True),  # the same host, as the HTTP client connects to it
        ("https://de.sentry\u3002io", True),  # an ideographic full stop is a dot to IDNA
        ("https://us.sentry.io:443", True),
        ("http://us.sentry.io", False),  # the token would travel in clear
        ("http://us.sentry.io:443", False),  # in clear, even on https's port
        ("http://sentry.io", False),
        ("https://evilsentry.io", False),  # ends in "sentry.io", is not sentry.io
        ("https://acme.sentry.io", False),  # under sentry.io, but not a region host
        ("https://eu.sentry.io", False),
        ("https://us.sentry.io:8443", False),
        ("https://us.sentry.io/elsewhere", False),
        ("https://token@us.sentry.io", False),
        ("https://us.sentry.io?next=x", False),
        ("https://sentry.io.evil.example", False),
        ("https://us.sentry.io%2eevil.example", False),
    ],
)
def test_region_urls_on_sentry_io_are_followed_only_over_https_on_its_region_hosts(url: str, allowed: bool) -> None:
    router = RegionRouter("http://127.0.0.1:9000", _no_fetch)
    assert router.allowed(url) is allowed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://sentry.example.com/prefix", True),
        ("https://SENTRY.example.com:443/prefix/", True),
        ("https://sentry.example.com:8443/prefix", False),  # the configured host, another port
        ("https://sentry.example.com", False),  # the configured host, another path
        ("https://sentry.example.com/prefix/../admin", False),
        ("http://sentry.example.com/prefix", False),
    ],
)
def test_a_self_hosted_region_url_must_be_exactly_the_configured_origin(url: str, allowed: bool) -> None:
    router = RegionRouter("https://sentry.example.com/prefix", _no_fetch)
    assert router.allowed(url) is allowed


def _saas(region_url: str, seen: list[str]) -> httpx2.MockTransport:
    """sentry.io, us.sentry.io and de.sentry.io as Sentry answers: acme lives at ``region_url``; each
    region lists an organization of its own."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        host, path = request.url.host, request.url.path
        seen.append(f"{request.url.scheme}://{request.url.netloc.decode()}{path}")
        if host == "sentry.io" and path == "/api/0/users/me/regions/":
            return httpx2.Response(200, json={"regions": REGIONS})
        if host == "sentry.io" and path == "/api/0/organizations/acme/":
            return httpx2.Response(200, json={"id": "1", "slug": "acme", "links": {"regionUrl": region_url}})
        if host in ("us.sentry.io", "de.sentry.io") and path == "/api/0/organizations/":
            region = host.split(".")[0]
            return httpx2.Response(200, json=[{"id": f"{region}-1", "slug": f"{region}-org", "name": region}])
        if path == "/api/0/organizations/acme/issues/":
            return httpx2.Response(200, json=[{"id": "7", "shortId": "WEB-7", "title": f"served by {host}"}])
        return httpx2.Response(404, json={"detail": "The requested resource does not exist"})

    return httpx2.MockTransport(handle)


def _executor(transport: httpx2.AsyncBaseTransport, base_url: str = "https://sentry.io") -> Executor:
    backend = DirectBackend(base_url=base_url, token=SecretStr(CANARY_TOKEN), timeout=5.0, transport=transport)
    return Executor(Settings(backend="direct", auth_token=CANARY_TOKEN), backend)


@pytest.mark.parametrize("region", ["https://us.sentry.io", "https://de.sentry.io"])
async def test_an_organization_on_sentry_io_is_called_in_its_region(region: str) -> None:
    seen: list[str] = []
    executor = _executor(_saas(region, seen))
    try:
        page = await executor.execute("issues", "list", {"organization_slug": "acme", "limit": 1})
    finally:
        await executor.aclose()
    assert f"{region}/api/0/organizations/acme/issues/" in seen
    assert "https://sentry.io/api/0/organizations/acme/issues/" not in seen
    assert page["data"][0]["shortId"] == "WEB-7"


@pytest.mark.parametrize(
    "region",
    ["http://us.sentry.io", "https://evilsentry.io", "https://us.sentry.io:8443", "https://sentry.io.evil.example"],
)
async def test_an_organization_region_off_sentry_ios_region_hosts_is_refused(region: str) -> None:
    seen: list[str] = []
    executor = _executor(_saas(region, seen))
    try:
        with pytest.raises(RegionRefusedError, match="Refusing to send"):
            await executor.execute("issues", "list", {"organization_slug": "acme"})
    finally:
        await executor.aclose()
    assert seen and all(url.startswith("https://sentry.io/") for url in seen), seen


async def test_organizations_are_merged_from_every_region() -> None:
    seen: list[str] = []
    executor = _executor(_saas("https://us.sentry.io", seen))
    try:
        page = await executor.execute("organizations", "list", {})
    finally:
        await executor.aclose()
    assert {org["slug"] for org in page["data"]} == {"us-org", "de-org"}
    assert {"https://us.sentry.io/api/0/organizations/", "https://de.sentry.io/api/0/organizations/"} <= set(seen)


class LocalHosts(httpx2.AsyncBaseTransport):
    """A hosts file for httpx2: requests for the named hosts go over real HTTP to servers on 127.0.0.1.

    A host it does not know fails as an unreachable one would: nothing ever leaves the machine.
    """

    def __init__(self, hosts: dict[str, str]) -> None:
        self._hosts = {name: httpx2.URL(url) for name, url in hosts.items()}
        self._inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        target = self._hosts.get(request.url.host)
        if target is None:
            raise httpx2.ConnectError(f"{request.url.host} is not a test host", request=request)
        request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture(scope="module")
def regions() -> Iterator[tuple[DemoSentryServer, DemoSentryServer, DemoSentryServer]]:
    """Demo Sentry servers playing sentry.io (control), us.sentry.io and de.sentry.io; acme lives in de."""
    with (
        DemoSentryServer(tokens=[DEMO_TOKEN, CANARY_TOKEN]) as us,
        DemoSentryServer(tokens=[DEMO_TOKEN, CANARY_TOKEN]) as de,
        DemoSentryServer(tokens=[CANARY_TOKEN], regions=REGIONS, org_region_url="https://de.sentry.io") as control,
    ):
        yield control, us, de


def _paths(server: DemoSentryServer, start: int = 0) -> list[str]:
    return [r.path for r in server.requests[start:]]


async def test_org_calls_go_to_the_orgs_region_and_the_rest_to_sentry_io(
    regions: tuple[DemoSentryServer, DemoSentryServer, DemoSentryServer],
) -> None:
    control, us, de = regions
    starts = [len(s.requests) for s in regions]
    hosts = LocalHosts({"sentry.io": control.url, "us.sentry.io": us.url, "de.sentry.io": de.url})
    executor = _executor(hosts)
    try:
        for _ in range(2):
            await executor.execute("issues", "list", {"organization_slug": "acme", "limit": 1})
        await executor.execute("users", "me", {})
        orgs = await executor.execute("organizations", "list", {})
    finally:
        await executor.aclose()
    on_control, on_us, on_de = (_paths(server, start) for server, start in zip(regions, starts, strict=True))
    assert on_de.count("/api/0/organizations/acme/issues/") == 2
    assert "/api/0/organizations/acme/issues/" not in on_control + on_us
    assert "/api/0/organizations/" in on_us and "/api/0/organizations/" in on_de, "orgs are listed in each region"
    assert "/api/0/auth/" in on_control and "/api/0/auth/" not in on_us + on_de
    assert on_control.count("/api/0/organizations/acme/") == 1, "the region is looked up once, then cached"
    assert "acme" in {org["slug"] for org in orgs["data"]}
    assert all(r.headers.get("authorization") == f"Bearer {CANARY_TOKEN}" for s in regions for r in s.requests)


async def test_a_region_url_on_the_configured_host_but_another_port_never_gets_the_token(
    regions: tuple[DemoSentryServer, DemoSentryServer, DemoSentryServer],
) -> None:
    _, other, _ = regions
    start = len(other.requests)
    with DemoSentryServer(tokens=[CANARY_TOKEN], org_region_url=other.url) as sentry:
        executor = _executor(httpx2.AsyncHTTPTransport(), base_url=sentry.url)
        try:
            with pytest.raises(RegionRefusedError, match="Refusing to send"):
                await executor.execute("issues", "list", {"organization_slug": "acme"})
        finally:
            await executor.aclose()
    assert sentry.url.split(":")[1] == other.url.split(":")[1], "same host, another port"
    assert other.requests[start:] == []
