"""The Python API: ``SentryConnector``, a drop-in for ``airbyte_agent_sentry.SentryConnector``.

It runs every call through the same ``Executor`` as the MCP server, so params, defaults, errors and
envelopes are identical. Constructing one does no I/O: no network, no files, no telemetry; the HTTP
client is made on the first call and closed by ``close()`` / ``async with``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from .backends.airbyte_api import SENTRY_DEFINITION_ID, AirbyteAPI
from .catalog import CATALOG, Kind, Pair, entities
from .catalog.schema import input_schema
from .config import DEFAULT_AIRBYTE_API_URL, Settings
from .errors import ConfigurationError, SentryAgentError, UpstreamProtocolError
from .executor import Executor, callable_pairs
from .models import AirbyteAuthConfig, SentryAuthConfig, SentryReplicationConfig


class ListMeta(BaseModel):
    """Pagination of a list result; pass ``next_cursor`` back as ``cursor`` while ``has_more``."""

    model_config = ConfigDict(extra="allow")

    has_more: bool
    next_cursor: str | None = None


class ListResult(BaseModel):
    """A page of records, as the typed methods return it (``meta`` kept)."""

    data: list[Any]
    meta: ListMeta


class CheckResult(BaseModel):
    """What ``check()`` found: healthy, or unhealthy with the reason."""

    status: str = Field(description="'healthy' or 'unhealthy'.")
    backend: str
    message: str | None = None
    error: str | None = None
    checked_entity: str = "projects"
    checked_action: str = "list"


def _settings_for(
    auth_config: SentryAuthConfig | AirbyteAuthConfig | None,
    hostname: str | None,
    replication_config: SentryReplicationConfig | None,
) -> Settings:
    overrides: dict[str, Any] = {}
    if isinstance(auth_config, SentryAuthConfig):
        overrides.update(backend="direct", auth_token=auth_config.auth_token)
    elif isinstance(auth_config, AirbyteAuthConfig):
        overrides.update(
            backend="hosted",
            airbyte_client_id=auth_config.airbyte_client_id,
            airbyte_client_secret=auth_config.airbyte_client_secret,
            airbyte_customer_name=auth_config.customer_name,
            airbyte_organization_id=auth_config.organization_id,
            airbyte_connector_id=auth_config.connector_id,
        )
    elif auth_config is not None:
        raise TypeError(
            f"Unsupported auth_config type: {type(auth_config).__name__}. "
            "Expected SentryAuthConfig or AirbyteAuthConfig."
        )
    if hostname:
        overrides["hostname"] = hostname
    if replication_config is not None:
        overrides.update(org=replication_config.organization, project=replication_config.project)
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    settings.backend_kind()  # a clear ConfigurationError now, not on the first call
    return settings


class EntityMethods:
    """``connector.<entity>.<action>(**params)``: one coroutine per pair, signature from its model."""

    def __init__(self, connector: SentryConnector, entity: str) -> None:
        self._connector = connector
        self._entity = entity

    def __dir__(self) -> list[str]:
        return [action for (entity, action) in CATALOG if entity == self._entity]

    def __getattr__(self, action: str) -> Callable[..., Awaitable[Any]]:
        pair = CATALOG.get((self._entity, action))
        if pair is None:
            raise AttributeError(f"{self._entity} has no action {action!r}; it has: {', '.join(dir(self))}")
        return _method(self._connector, pair)


def _method(connector: SentryConnector, pair: Pair) -> Callable[..., Awaitable[Any]]:
    async def call(**params: Any) -> Any:
        result = await connector.execute(pair.entity, pair.action, {k: v for k, v in params.items() if v is not None})
        return ListResult.model_validate(result) if pair.kind is Kind.LIST else result

    fields = pair.params.model_fields
    call.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if fields[name].is_required() else None,
                annotation=fields[name].annotation,
            )
            for name in pair.field_names()
        ]
    )
    call.__name__ = pair.action
    call.__qualname__ = f"{pair.entity}.{pair.action}"
    call.__doc__ = pair.description
    return call


class SentryConnector:
    """Sentry for agents, directly with a token, or through the Airbyte-hosted connector."""

    connector_name: ClassVar[str] = "sentry"

    def __init__(
        self,
        auth_config: SentryAuthConfig | AirbyteAuthConfig | None = None,
        *,
        hostname: str | None = None,
        replication_config: SentryReplicationConfig | None = None,
        settings: Settings | None = None,
    ) -> None:
        """``auth_config`` picks the backend; without it, the environment does (as for the server)."""
        self.settings = settings if settings is not None else _settings_for(auth_config, hostname, replication_config)
        self._executor: Executor | None = None

    def __repr__(self) -> str:
        return f"SentryConnector(backend={self.settings.backend_kind().value!r})"

    def __getattr__(self, entity: str) -> EntityMethods:
        if entity.startswith("_") or entity not in entities():
            raise AttributeError(f"SentryConnector has no attribute {entity!r}")
        return EntityMethods(self, entity)

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = Executor.for_settings(self.settings)
        return self._executor

    async def execute(self, entity: str, action: str, params: Mapping[str, Any] | None = None) -> Any:
        """Run one pair: a list gives ``{"data", "meta": {"has_more", "next_cursor"}}``, a get the object."""
        return await self.executor.execute(entity, action, params)

    async def check(self) -> CheckResult:
        """One cheap call that proves configuration and credentials; never raises for them."""
        backend = self.settings.backend_kind().value
        try:
            message = await self.executor.backend.check()
        except SentryAgentError as exc:
            return CheckResult(status="unhealthy", backend=backend, error=str(exc))
        return CheckResult(status="healthy", backend=backend, message=message)

    def _pairs(self) -> list[Pair]:
        serves = self.executor.backend.serves
        return callable_pairs(serves, self.settings.allow_writes)

    def list_entities(self) -> list[dict[str, Any]]:
        """Entities callable here, their actions and params (with real descriptions)."""
        out: dict[str, dict[str, Any]] = {}
        for pair in self._pairs():
            entry = out.setdefault(
                pair.entity,
                {
                    "entity_name": pair.entity,
                    "description": pair.description,
                    "available_actions": [],
                    "parameters": {},
                },
            )
            entry["available_actions"].append(pair.action)
            schema = input_schema(pair, self.settings.scoping_defaults)
            required = set(schema.get("required", []))
            route = pair.routes[0] if pair.routes else None
            entry["parameters"][pair.action] = [
                {
                    "name": name,
                    "in": _location(route, name),
                    "required": name in required,
                    "type": prop.get("type", "object"),
                    "description": prop.get("description", ""),
                }
                for name, prop in schema["properties"].items()
            ]
        return list(out.values())

    def entity_schema(self, entity: str) -> dict[str, Any] | None:
        """The params schema of each action of ``entity`` (None when there is no such entity)."""
        pairs = [p for p in self._pairs() if p.entity == entity]
        if not pairs:
            return None
        defaults = self.settings.scoping_defaults
        return {"entity": entity, "actions": {p.action: input_schema(p, defaults) for p in pairs}}

    @classmethod
    async def create(
        cls,
        *,
        airbyte_config: AirbyteAuthConfig,
        auth_config: SentryAuthConfig,
        replication_config: SentryReplicationConfig | None = None,
        name: str | None = None,
        source_template_id: str | None = None,
        api_url: str | None = None,
    ) -> SentryConnector:
        """Create a hosted connector for ``airbyte_config.customer_name`` and return a connector bound to it."""
        client_id, secret = airbyte_config.airbyte_client_id, airbyte_config.airbyte_client_secret
        if not (airbyte_config.customer_name and client_id and secret):
            raise ConfigurationError("create() needs customer_name, airbyte_client_id and airbyte_client_secret.")
        url = api_url or Settings().airbyte_api_url or DEFAULT_AIRBYTE_API_URL
        body: dict[str, Any] = {
            "name": name or f"sentry - {airbyte_config.customer_name}",
            "definition_id": SENTRY_DEFINITION_ID,
            "customer_name": airbyte_config.customer_name,
            "credentials": {"auth_token": auth_config.auth_token.get_secret_value()},
        }
        if replication_config is not None:
            body["replication_config"] = replication_config.model_dump()
        if source_template_id:
            body["source_template_id"] = source_template_id
        api = AirbyteAPI(
            api_url=url,
            client_id=client_id,
            client_secret=secret,
            organization_id=airbyte_config.organization_id,
        )
        try:
            created = await api.create_connector(body)
        finally:
            await api.aclose()
        connector_id = created.get("id") if isinstance(created, dict) else None
        if not connector_id:
            raise UpstreamProtocolError("The Airbyte API created the connector but returned no id.")
        bound = airbyte_config.model_copy(update={"connector_id": str(connector_id)})
        connector = cls(auth_config=bound, replication_config=replication_config)
        connector.settings = connector.settings.model_copy(update={"airbyte_api_url": url})
        return connector

    @classmethod
    def tool_utils(cls, func: Any = None, **options: Any) -> Any:
        """Decorate an agent tool: describe the catalog in its docstring and guard its output size."""
        from .tool_utils import tool_utils

        return tool_utils(func, **options)

    @property
    def connector_id(self) -> str | None:
        return self.settings.airbyte_connector_id

    async def close(self) -> None:
        if self._executor is not None:
            await self._executor.aclose()
            self._executor = None

    async def __aenter__(self) -> SentryConnector:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


def _location(route: Any, name: str) -> str:
    if route is None:
        return "body"
    if name in route.path_params:
        return "path"
    if name in route.body or (route.build_body is not None and route.method != "GET"):
        return "body"
    return "query"
