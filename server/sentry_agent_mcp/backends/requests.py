"""Turn a validated params model into the HTTP request a route describes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import quote

from ..catalog import Pair, Params
from ..errors import InvalidParamsError


@dataclass(frozen=True)
class RequestSpec:
    method: str
    path: str
    """Under ``/api/0``, every path value percent-encoded as one segment."""
    query: list[tuple[str, str | int | float | bool | None]]
    body: dict[str, Any] | None


def encode_segment(value: object) -> str:
    """Percent-encode one path segment: ``/``, ``@``, ``+`` and spaces included (release versions)."""
    return quote(str(value), safe="")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def build_request(pair: Pair, params: Params) -> RequestSpec:
    """Map params to path, query and body, as the pair's route says."""
    route = pair.route
    if route is None:
        raise ValueError(f"{pair.entity}/{pair.action} has no direct route")
    values = params.model_dump(exclude_none=True)
    path_values: dict[str, str] = {}
    for name in route.path_params:
        value = values.get(name)
        if value is None or str(value) == "":
            raise InvalidParamsError(
                f"{pair.entity}/{pair.action} needs '{name}'.",
                hint=f"Pass {name}, or configure its default.",
            )
        path_values[name] = encode_segment(value)
    query: list[tuple[str, str | int | float | bool | None]] = list(route.fixed_query.items())
    for name, sentry_name in route.query.items():
        if name not in values:
            continue
        value = values[name]
        items = value if isinstance(value, list | tuple) else [value]
        query.extend((sentry_name, _query_value(item)) for item in items)
    query.extend((sentry_name, "1") for name, sentry_name in route.flags.items() if values.get(name) is True)
    body = {sentry_name: values[name] for name, sentry_name in route.body.items() if name in values}
    return RequestSpec(
        method=route.method,
        path=route.path.format(**path_values),
        query=query,
        body=body if route.body else None,
    )
