"""The direct backend: Sentry's REST API over one pooled ``httpx.AsyncClient``."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from pydantic import SecretStr

from .. import __version__
from ..catalog import Kind, Pair, Params, Served
from ..catalog.base import Host, Route
from ..errors import UpstreamConnectionError, UpstreamProtocolError, UpstreamTimeoutError
from .base import list_page
from .pagination import next_page
from .regions import RegionRouter
from .requests import ProjectLookup, RequestSpec, build_request, encode_segment
from .results import shape
from .upstream_errors import describe_body, error_from_response

CONNECT_TIMEOUT = 5.0
REGION_PAGE_CAP = 10
"""Pages fetched per region when merging organizations across regions (100 orgs a page)."""


class DirectBackend:
    """Calls ``{base_url}/api/0`` (or an organization's region) with a bearer token.

    One client per backend (and so per server process): connections are pooled and reused. Redirects
    are not followed: Sentry's 302 means "project renamed", which the agent must hear about. Project
    ids and organization regions are looked up once and cached for the life of the process.
    """

    serves = Served.DIRECT

    def __init__(
        self,
        *,
        base_url: str,
        token: SecretStr,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "direct",
    ) -> None:
        self.name = name
        self.base_url = base_url
        self._timeout = timeout
        self._client = httpx.AsyncClient(
            headers={
                "Authorization": f"Bearer {token.get_secret_value()}",
                "Accept": "application/json",
                "User-Agent": f"sentry-agent-mcp/{__version__}",
            },
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            follow_redirects=False,
            transport=transport,
        )
        self.regions = RegionRouter(base_url, self._fetch_json)
        self._project_ids: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"DirectBackend(name={self.name!r}, base_url={self.base_url!r})"

    async def execute(self, pair: Pair, params: Params) -> Any:
        route, spec = build_request(pair, params)
        if route.across_regions:
            return await self._across_regions(route, spec)
        spec = await self._resolve_projects(spec)
        base = await self._base_for(spec)
        response = await self._send(base, spec)
        return shape(route, pair.kind, self._decoded(spec, response), response.headers.get("link"))

    async def check(self) -> str:
        spec = RequestSpec("GET", "/projects/", [("per_page", "1")])
        data = self._decoded(spec, await self._send(self.base_url, spec))
        seen = "at least one project" if data else "no projects yet"
        return f"{self.name} backend at {self.base_url}: token accepted, {seen} visible"

    async def aclose(self) -> None:
        await self._client.aclose()

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
        return RequestSpec(spec.method, spec.path, query, spec.body, spec.organization, spec.host)

    async def _project_id(self, lookup: ProjectLookup) -> str:
        key = (lookup.organization, lookup.slug)
        if key not in self._project_ids:
            spec = RequestSpec(
                "GET",
                f"/projects/{encode_segment(lookup.organization)}/{encode_segment(lookup.slug)}/",
                [],
                organization=lookup.organization,
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
            return shape(route, Kind.LIST, self._decoded(spec, response), response.headers.get("link"))
        merged: dict[str, Any] = {}
        first_page = [item for item in spec.query if item[0] != "cursor"]
        for base in regions:
            query = first_page
            for _ in range(REGION_PAGE_CAP):
                response = await self._send(base, RequestSpec(spec.method, spec.path, query))
                for org in self._decoded(spec, response) or []:
                    merged.setdefault(str(org.get("id")), org)
                has_more, cursor = next_page(response.headers.get("link"))
                if not has_more or cursor is None:
                    break
                query = [*first_page, ("cursor", cursor)]
        return list_page(list(merged.values()), has_more=False, next_cursor=None)

    async def _fetch_json(self, base: str, path: str) -> tuple[int, Any]:
        response = await self._send(base, RequestSpec("GET", path, []))
        try:
            return response.status_code, json.loads(response.content or b"null")
        except (ValueError, UnicodeDecodeError):
            return response.status_code, None

    async def _send(self, base: str, spec: RequestSpec) -> httpx.Response:
        try:
            return await self._client.request(
                spec.method, f"{base}/api/0{spec.path}", params=spec.query, json=spec.body
            )
        except httpx.TimeoutException as exc:
            raise UpstreamTimeoutError(
                f"Sentry did not answer {spec.what} within {self._timeout:g} s ({type(exc).__name__}).",
                hint="Sentry may be slow or overloaded: narrow the query (shorter period, fewer fields) or retry.",
            ) from None
        except httpx.TransportError as exc:
            raise UpstreamConnectionError(
                f"Could not reach Sentry at {base} for {spec.what}: {type(exc).__name__}: {str(exc)[:200]}",
                hint="Check SENTRY_HOSTNAME and the network; retry in a moment.",
            ) from None

    def _decoded(self, spec: RequestSpec, response: httpx.Response) -> Any:
        if response.status_code >= 300:
            raise error_from_response(
                status=response.status_code,
                headers=response.headers,
                body=response.content,
                what=spec.what,
                now=time.time(),
            )
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            detail = describe_body(response.content, response.headers.get("content-type"))
            raise UpstreamProtocolError(
                f"Sentry answered {spec.what} with HTTP {response.status_code} but not with JSON: {detail}",
                hint="A proxy or an outage may be in the way; retry in a moment.",
            ) from None
