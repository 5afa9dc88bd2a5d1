"""The one execution path: resolve a pair, fill defaults, validate, run it on the backend.

The MCP server, the CLI and the Python API all call ``Executor.execute``; none of them validates or
routes on its own. The executor knows nothing of MCP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .backends import Backend
from .catalog import CATALOG, Kind, Pair, Params, Served
from .config import Settings
from .errors import (
    InvalidParamsError,
    UnknownPairError,
    UnsupportedOnBackendError,
    WritesDisabledError,
)


def callable_pairs(serves: Served, allow_writes: bool) -> list[Pair]:
    """The pairs a backend family serves, writes only when allowed, in catalog order."""
    return [p for p in CATALOG.values() if serves in p.served_by and (p.read_only or allow_writes)]


def _describe_fields(pair: Pair) -> str:
    required = set(pair.required_fields())
    return ", ".join(f"{name}{'*' if name in required else ''}" for name in pair.field_names())


def _format_errors(exc: ValidationError) -> tuple[str, list[dict[str, Any]]]:
    lines = []
    errors = []
    for err in exc.errors(include_url=False, include_context=False):
        loc = ".".join(str(part) for part in err["loc"]) or "params"
        if err["type"] == "extra_forbidden":
            text = "unknown parameter"
        elif err["type"] == "missing":
            text = "required"
        else:
            text = err["msg"]
        lines.append(f"{loc}: {text}")
        errors.append({"field": loc, "problem": text})
    return "; ".join(lines), errors


class Executor:
    """Validates and runs calls for one configuration and one backend."""

    def __init__(self, settings: Settings, backend: Backend) -> None:
        self.settings = settings
        self.backend = backend
        self.defaults = settings.scoping_defaults

    def pairs(self) -> list[Pair]:
        """The pairs callable here: served by the backend, writes only when allowed."""
        return callable_pairs(self.backend.serves, self.settings.allow_writes)

    def resolve(self, entity: str, action: str) -> Pair:
        """The pair for ``entity``/``action``, or an error that lists what is valid."""
        pair = CATALOG.get((entity, action))
        if pair is None:
            available = self.pairs()
            entities = sorted({p.entity for p in available})
            if any(p.entity == entity for p in available):
                actions = [p.action for p in available if p.entity == entity]
                raise UnknownPairError(
                    f"Entity '{entity}' has no action '{action}'.", hint=f"Valid actions: {', '.join(actions)}."
                )
            raise UnknownPairError(f"Unknown entity '{entity}'.", hint=f"Valid entities: {', '.join(entities)}.")
        if self.backend.serves not in pair.served_by:
            served = " or ".join(sorted(s.value for s in pair.served_by))
            raise UnsupportedOnBackendError(
                f"{entity}/{action} is not served by the {self.backend.name} backend (only by {served}).",
                hint=(
                    "context_store_search needs the Airbyte-hosted backend (AIRBYTE_CLIENT_ID/SECRET); "
                    "use the entity's list action with a query instead."
                    if pair.served_by == frozenset({Served.HOSTED})
                    else "Switch backend to use it."
                ),
            )
        if pair.kind is Kind.WRITE and not self.settings.allow_writes:
            raise WritesDisabledError(
                f"{entity}/{action} changes data in Sentry, and writes are disabled.",
                hint="Set SENTRY_MCP_ALLOW_WRITES=true in the server's environment to enable write actions.",
            )
        return pair

    def validate(self, pair: Pair, raw: Mapping[str, Any] | None) -> Params:
        """Fill configured defaults, then validate against the pair's model."""
        if raw is not None and not isinstance(raw, Mapping):
            raise InvalidParamsError(
                f"params for {pair.entity}/{pair.action} must be an object, not {type(raw).__name__}.",
                hint=f"Valid params: {_describe_fields(pair)} (* = required).",
            )
        values = dict(raw or {})
        for name, value in self.defaults.items():
            if name in pair.params.model_fields and values.get(name) in (None, ""):
                values[name] = value
        try:
            return pair.params.model_validate(values)
        except ValidationError as exc:
            text, errors = _format_errors(exc)
            raise InvalidParamsError(
                f"Invalid params for {pair.entity}/{pair.action}: {text}.",
                hint=f"Valid params: {_describe_fields(pair)} (* = required).",
                errors=errors,
            ) from None

    async def execute(self, entity: str, action: str, params: Mapping[str, Any] | None = None) -> Any:
        """Run one call and return its result (list envelope or object)."""
        pair = self.resolve(entity, action)
        return await self.backend.execute(pair, self.validate(pair, params))

    async def aclose(self) -> None:
        await self.backend.aclose()
