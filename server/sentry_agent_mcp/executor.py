"""The one execution path: resolve a pair, fill defaults, validate, run it on the backend.

The MCP server, the CLI and the Python API all call ``Executor.execute``; none of them validates or
routes on its own. The executor knows nothing of MCP. It is also where results take their
agent-facing shape (``views``): the compact view, ``detail: 'full'`` or a ``fields`` projection,
within the size budget, with several pages fetched when ``limit`` asks for more than one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .backends import Backend, create_backend
from .backends.demo import DEMO_BASE_URL
from .backends.retry import Deadline, call_deadline
from .catalog import CATALOG, Kind, Pair, Params, Served, callable_pairs
from .catalog.lean import lean_pair
from .catalog.resources import ResourceGet, labelled, resource_call
from .catalog.sentry_urls import SentryHosts
from .catalog.url_params import expand_urls
from .config import Settings
from .errors import (
    ConfigurationError,
    InvalidParamsError,
    UnknownPairError,
    UnsupportedOnBackendError,
    UpstreamProtocolError,
    WritesDisabledError,
    clip,
)
from .paging import ProgressCallback, collect, split_cursor
from .pinning import Pin, check_pin, check_read_object, defaults_under, fill_pin, refusal
from .views import COMPACT, OPTION_NAMES, ViewOptions, fit_object, shape_item
from .writes import run_write

__all__ = ["Executor", "callable_pairs"]


def _describe_fields(pair: Pair) -> str:
    required = set(pair.required_fields())
    names = [f"{name}{'*' if name in required else ''}" for name in pair.field_names()]
    return ", ".join(names + (list(OPTION_NAMES) if pair.takes_view_options else []))


def _format_errors(exc: ValidationError) -> tuple[str, list[dict[str, Any]]]:
    lines = []
    errors = []
    for err in exc.errors(include_url=False, include_context=False):
        loc = clip(".".join(str(part) for part in err["loc"]) or "params")
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

    @classmethod
    def for_settings(cls, settings: Settings) -> Executor:
        """The executor of a configuration, on the backend it names: how the server, the CLI and the
        Python API all make theirs."""
        return cls(settings, create_backend(settings))

    def pairs(self) -> list[Pair]:
        """The pairs callable here: served by the backend, writes only when allowed, and only the entities
        ``SENTRY_MCP_TOOLS`` names when it names some (a restricted server is restricted on every path)."""
        pairs = callable_pairs(self.backend.serves, self.settings.allow_writes)
        entities = self.settings.tool_entities()
        return pairs if entities is None else [p for p in pairs if p.entity in entities]

    def resolve(self, entity: str, action: str) -> Pair:
        """The pair for ``entity``/``action``, or an error that lists what is valid."""
        restricted = self.settings.tool_entities()
        if restricted is not None and entity not in restricted:
            raise UnknownPairError(
                f"Entity '{clip(entity)}' is not available: this server is restricted to "
                f"{', '.join(sorted(restricted))} (SENTRY_MCP_TOOLS).",
                hint=f"Valid entities: {', '.join(sorted({p.entity for p in self.pairs()})) or 'none'}. "
                "Widening the restriction is up to whoever runs the server.",
            )
        pair = CATALOG.get((entity, action))
        if pair is None:
            available = self.pairs()
            entities = sorted({p.entity for p in available})
            if any(p.entity == entity for p in available):
                actions = [p.action for p in available if p.entity == entity]
                raise UnknownPairError(
                    f"Entity '{entity}' has no action '{clip(action)}'.", hint=f"Valid actions: {', '.join(actions)}."
                )
            raise UnknownPairError(f"Unknown entity '{clip(entity)}'.", hint=f"Valid entities: {', '.join(entities)}.")
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

    def validate(self, pair: Pair, raw: Mapping[str, Any] | None, pin: Pin | None = None) -> Params:
        """Fill the pinned values and configured defaults, then validate against the pair's model
        (and, under a ``pin``, refuse values outside it: ``pinning.py``)."""
        if raw is not None and not isinstance(raw, Mapping):
            raise InvalidParamsError(
                f"params for {pair.entity}/{pair.action} must be an object, not {type(raw).__name__}.",
                hint=f"Valid params: {_describe_fields(pair)} (* = required).",
            )
        values = expand_urls(pair.params, raw or {}, self.url_hosts, f"{pair.entity}/{pair.action}")
        values = values if pin is None else fill_pin(pair, values, pin)
        for name, value in (self.defaults if pin is None else defaults_under(pin, self.defaults)).items():
            if name in pair.params.model_fields and values.get(name) in (None, ""):
                values[name] = value
        try:
            validated = pair.params.model_validate(values)
        except ValidationError as exc:
            text, errors = _format_errors(exc)
            raise InvalidParamsError(
                f"Invalid params for {pair.entity}/{pair.action}: {text}.",
                hint=f"Valid params: {_describe_fields(pair)} (* = required).",
                errors=errors,
            ) from None
        if pin is not None:
            check_pin(pair, validated, pin)
        return validated

    def split_options(self, pair: Pair, raw: Mapping[str, Any] | None) -> tuple[Mapping[str, Any] | None, ViewOptions]:
        """Take ``fields``/``detail`` out of the params (they shape the result; no backend sees them)."""
        if not pair.takes_view_options or not isinstance(raw, Mapping) or not any(k in raw for k in OPTION_NAMES):
            return raw, COMPACT
        values = {k: v for k, v in raw.items() if k not in OPTION_NAMES}
        try:
            options = ViewOptions.model_validate({k: raw[k] for k in OPTION_NAMES if k in raw})
        except ValidationError as exc:
            text, errors = _format_errors(exc)
            raise InvalidParamsError(
                f"Invalid params for {pair.entity}/{pair.action}: {text}.",
                hint="fields is a list of dotted paths such as ['id', 'metadata.type']; detail is 'compact' or 'full'.",
                errors=errors,
            ) from None
        return values, options

    async def execute(
        self,
        entity: str,
        action: str,
        params: Mapping[str, Any] | None = None,
        *,
        progress: ProgressCallback | None = None,
        pin: Pin | None = None,
    ) -> Any:
        """Run one call and return its result (list envelope or object), shaped for an agent.

        ``progress`` hears about each page when a list spans several (MCP progress notifications).
        Everything the call does upstream (lookups, every page, retries, rate-limit waits) shares one
        deadline of ``settings.timeout`` seconds, whatever the backend. ``pin`` (``/mcp/{org}[/{project}]``)
        fills and bounds the organization and project the call may name (``pinning.py``).
        """
        pair = self.resolve(entity, action)
        if pin is not None and (refused := refusal(pair, pin)) is not None:
            raise refused
        with call_deadline(self.settings.timeout) as deadline:
            try:
                return await self._run(pair, params, progress, deadline, pin)
            except RecursionError:  # an answer nested past what the views walk (the parser stops at ~1,000)
                raise UpstreamProtocolError(
                    f"Sentry's answer to {entity}/{action} is nested too deeply to read; it was dropped.",
                    hint="A proxy or a broken Sentry may be in the way; ask for less (fields, a smaller limit).",
                ) from None

    async def _run(
        self,
        pair: Pair,
        params: Mapping[str, Any] | None,
        progress: ProgressCallback | None,
        deadline: Deadline,
        pin: Pin | None = None,
    ) -> Any:
        if not pair.shapes_results:
            return await self.backend.execute(pair, self.validate(pair, params, pin))
        if pair.dispatch:
            return await self._dispatch(pair, params, progress, deadline, pin)
        values, options = self.split_options(pair, params)
        skip = 0
        if pair.kind is Kind.LIST and isinstance(values, Mapping):
            values, skip = split_cursor(values)
        validated = self.validate(pair, values, pin)
        pair = lean_pair(pair, full=options.detail == "full", fields=options.fields)  # catalog/lean.py
        budget = self.settings.max_result_chars

        def shape(item: Any) -> Any:
            return shape_item(item, pair.view, options)

        if pair.kind is Kind.LIST:
            return await collect(self.backend, pair, validated, shape, budget, progress, skip, deadline)
        if pair.kind is Kind.WRITE:
            scope = None if pin is None else functools.partial(check_read_object, pair, pin=pin)
            return await run_write(self.backend, pair, validated, scope)
        return fit_object(shape(await self.backend.execute(pair, validated)), budget)

    async def _dispatch(
        self,
        pair: Pair,
        params: Mapping[str, Any] | None,
        progress: ProgressCallback | None,
        deadline: Deadline,
        pin: Pin | None,
    ) -> Any:
        """``resources get``: run the pair the URL's kind maps to, with ``fields``/``detail`` passed on."""
        values, _ = self.split_options(pair, params)
        validated = self.validate(pair, values)  # not pinned here: the URL's own organization must reach the
        assert isinstance(validated, ResourceGet)  # target's run, which is pinned (and refuses another one)
        here = {p.key for p in self.pairs()}
        call = resource_call(validated, self.url_hosts, lambda e, a: (e, a) in here)
        target = self.resolve(call.entity, call.action)
        if pin is not None and (refused := refusal(target, pin)) is not None:
            raise refused
        options = {k: v for k, v in (params or {}).items() if k in OPTION_NAMES}
        return labelled(call.kind, await self._run(target, {**call.params, **options}, progress, deadline, pin))

    @functools.cached_property
    def url_hosts(self) -> SentryHosts:
        """The hosts whose pasted URLs name objects here: the configured one (sentry.io and its regions by
        default), and the demo Sentry's own, whose permalinks come back in its answers."""
        try:
            configured = [self.settings.base_url]
        except ConfigurationError:  # only the direct backend needs a valid SENTRY_HOSTNAME
            configured = []
        return SentryHosts.of(*configured, *([DEMO_BASE_URL] if self.backend.name == "demo" else []))

    async def aclose(self) -> None:
        await self.backend.aclose()
