"""Turn a validated params model into the HTTP request a route describes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import quote

from ..catalog import Pair, Params
from ..catalog.base import Host, Route
from ..errors import InvalidParamsError

QueryItems = list[tuple[str, str | int | float | bool | None]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ProjectLookup:
    """A project slug that Sentry wants as a numeric id in query param ``name``."""

    name: str
    organization: str
    slug: str


@dataclass(frozen=True)
class RequestSpec:
    method: str
    path: str
    """Under ``/api/0``, every path value percent-encoded as one segment."""
    query: QueryItems
    body: dict[str, Any] | None = None
    organization: str | None = None
    """The organization the call is scoped to: decides the region host."""
    host: Host = Host.ORGANIZATION
    lookups: list[ProjectLookup] = field(default_factory=list)
    idempotent: bool | None = None
    """Whether sending it twice does no more than sending it once (the catalog's ``Pair.idempotent``);
    None means "only if it is a GET". Decides whether it is repeated after a 5xx, a timeout or a dropped
    connection, where Sentry may or may not have acted on it."""
    endpoint: str | None = None
    """The route template (``/organizations/{organization_slug}/issues/{issue_id}/``): Sentry rate-limits
    per endpoint and method, not per id. None: the path itself."""

    @property
    def what(self) -> str:
        """How errors name the call: method and path, never the host or the query."""
        return f"{self.method} /api/0{self.path}"

    @property
    def repeatable(self) -> bool:
        """Safe to send again after an ambiguous failure."""
        return self.method in SAFE_METHODS or bool(self.idempotent)

    @property
    def limit_key(self) -> str:
        """The key client-side rate limits are kept under: method and endpoint."""
        return f"{self.method} {self.endpoint or self.path}"


def encode_segment(value: object, name: str = "a path value") -> str:
    """Percent-encode one path segment: ``/``, ``@``, ``+`` and spaces included (release versions).

    ``.`` and ``..`` survive encoding and every proxy and web server collapses them (``tags/../`` is
    the issue itself), so they are refused here whatever the params model allowed.
    """
    text = str(value)
    if text in (".", ".."):
        raise InvalidParamsError(
            f"{name} must not be '.' or '..'.", hint=f"Pass a real {name}; list them to find valid ones."
        )
    return quote(text, safe="")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def choose_route(pair: Pair, values: dict[str, Any]) -> Route:
    """The first route whose path params are all given (routes are listed most specific first)."""
    routes = pair.routes
    if not routes:
        raise ValueError(f"{pair.entity}/{pair.action} has no direct route")
    for route in routes:
        if all(values.get(name) not in (None, "") for name in route.path_params):
            return route
    missing = [name for name in routes[-1].path_params if values.get(name) in (None, "")]
    raise InvalidParamsError(
        f"{pair.entity}/{pair.action} needs {', '.join(missing)}.",
        hint="Pass it, or configure its default (SENTRY_ORG / SENTRY_PROJECT).",
    )


def build_request(pair: Pair, params: Params) -> tuple[Route, RequestSpec]:
    """Map params to path, query and body, as the pair's route says."""
    values = params.model_dump(exclude_none=True)
    route = choose_route(pair, values)
    path = route.path.format(**{name: encode_segment(values[name], name) for name in route.path_params})
    query: QueryItems = [*route.fixed_query.items(), *route.lean_query]
    for name, sentry_name in route.query.items():
        if name in values:
            value = values[name]
            items = value if isinstance(value, list | tuple) else [value]
            query.extend((sentry_name, _query_value(item)) for item in items)
    query.extend((sentry_name, "1") for name, sentry_name in route.flags.items() if values.get(name) is True)
    organization = values.get("organization_slug")
    lookups = []
    for name, sentry_name in route.project_ids.items():
        slug = values.get(name)
        if slug is None:
            continue
        if str(slug).isdigit() or organization is None:
            query.append((sentry_name, str(slug)))
        else:
            lookups.append(ProjectLookup(sentry_name, str(organization), str(slug)))
    body: dict[str, Any] | None = None
    if route.build_body is not None:
        body = route.build_body(params.model_dump(exclude_none=True, mode="json"))
    elif route.body:
        body = {sentry_name: values[name] for name, sentry_name in route.body.items() if name in values}
    return route, RequestSpec(
        method=route.method,
        path=path,
        query=query,
        body=body,
        organization=str(organization) if organization is not None and route.host is Host.ORGANIZATION else None,
        host=route.host,
        lookups=lookups,
        idempotent=route.method in SAFE_METHODS or (pair.idempotent if route.idempotent is None else route.idempotent),
        endpoint=route.path,
    )
