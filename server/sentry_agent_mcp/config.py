"""Configuration from the environment (SPEC section 4): a pydantic model read from ``os.environ``.

Secrets are ``SecretStr`` so that ``repr``, logs and tracebacks show ``**********``. Reading the
settings does no I/O beyond the environment; choosing a backend is a pure function of them.

Every setting is a scalar under one or two upper-case names, so a plain model with validation aliases
reads them; pydantic-settings did the same at 100 ms of import time, paid before Claude Desktop gets
its ``initialize`` answer (``bench/startup.py``).
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator

from .errors import ConfigurationError

DEFAULT_HOSTNAME = "sentry.io"
DEFAULT_AIRBYTE_API_URL = "https://api.airbyte.ai"


class BackendKind(StrEnum):
    """Where calls go."""

    DIRECT = "direct"
    HOSTED = "hosted"
    DEMO = "demo"


def sentry_base_url(hostname: str) -> str:
    """Turn ``SENTRY_HOSTNAME`` into a base URL such as ``https://sentry.io``.

    ``host`` or ``host:port`` means https. A full ``https://`` URL is kept (path included, for
    self-hosted Sentry behind a prefix). ``http://`` is accepted for self-hosted only: plain http to
    sentry.io would send the token in clear, so it is refused.
    """
    value = hostname.strip()
    if not value.rstrip("/"):
        raise ConfigurationError("SENTRY_HOSTNAME is empty.", hint="Leave it unset for sentry.io.")
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"SENTRY_HOSTNAME {hostname!r} is not a host name or an http(s) URL.",
            hint="Use a host like 'sentry.io', 'sentry.example.com:9000' or 'https://sentry.example.com'.",
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError(
            "SENTRY_HOSTNAME must not carry credentials, a query or a fragment.",
            hint="Give only scheme, host, port and an optional path prefix.",
        )
    host = parts.hostname.lower()
    if parts.scheme == "http" and (host == "sentry.io" or host.endswith(".sentry.io")):
        raise ConfigurationError(
            "Plain http to sentry.io is refused: the auth token would travel unencrypted.",
            hint="Use 'sentry.io' (https) or an https:// URL.",
        )
    path = parts.path.rstrip("/")
    if path.endswith("/api/0"):
        path = path[: -len("/api/0")]
    return f"{parts.scheme}://{parts.netloc.lower()}{path}"


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseModel):
    """Everything the server, the CLI and the Python API read from the environment.

    ``Settings()`` reads the environment (the upper-case names below); keyword arguments by field name
    override it. Empty variables count as unset.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def __init__(self, **overrides: Any) -> None:
        values: dict[str, Any] = {}
        for name, field in type(self).model_fields.items():
            if name in overrides:
                values[name] = overrides[name]
                continue
            choices = field.validation_alias.choices if isinstance(field.validation_alias, AliasChoices) else []
            for env_name in choices:
                if isinstance(env_name, str) and env_name.isupper() and os.environ.get(env_name):
                    values[name] = os.environ[env_name]
                    break
        super().__init__(**values)

    auth_token: SecretStr | None = Field(
        None, validation_alias=_alias("SENTRY_AUTH_TOKEN", "SENTRY_ACCESS_TOKEN", "auth_token")
    )
    hostname: str = Field(DEFAULT_HOSTNAME, validation_alias=_alias("SENTRY_HOSTNAME", "SENTRY_HOST", "hostname"))
    org: str | None = Field(None, validation_alias=_alias("SENTRY_ORG", "org"))
    project: str | None = Field(None, validation_alias=_alias("SENTRY_PROJECT", "project"))
    backend: Literal["auto", "direct", "hosted", "demo"] = Field(
        "auto", validation_alias=_alias("SENTRY_MCP_BACKEND", "backend")
    )
    allow_writes: bool = Field(False, validation_alias=_alias("SENTRY_MCP_ALLOW_WRITES", "allow_writes"))
    tools: str = Field("all", validation_alias=_alias("SENTRY_MCP_TOOLS", "tools"))
    http_token: SecretStr | None = Field(None, validation_alias=_alias("SENTRY_MCP_HTTP_TOKEN", "http_token"))
    http_allowed_hosts: str | None = Field(
        None,
        validation_alias=_alias("SENTRY_MCP_HTTP_ALLOWED_HOSTS", "http_allowed_hosts"),
        description="Extra Host names (comma list, optional :port) the HTTP transports accept.",
    )
    http_streaming: bool = Field(
        False,
        validation_alias=_alias("SENTRY_MCP_HTTP_STREAMING", "http_streaming"),
        description="Streamable HTTP: answer each POST with an event stream (progress notifications reach the "
        "client during a call) instead of one JSON body (cheaper; the default).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "WARNING", validation_alias=_alias("SENTRY_MCP_LOG_LEVEL", "log_level")
    )
    timeout: float = Field(
        30.0,
        gt=0,
        le=600,
        validation_alias=_alias("SENTRY_MCP_TIMEOUT", "timeout"),
        description="Per-call deadline in seconds.",
    )
    max_result_chars: int = Field(
        20_000,
        ge=2_000,
        le=1_000_000,
        validation_alias=_alias("SENTRY_MCP_MAX_RESULT_CHARS", "max_result_chars"),
        description="Size budget of one result (characters of JSON); lists past it are trimmed.",
    )
    list_format: Literal["objects", "columns"] = Field(
        "objects",
        validation_alias=_alias("SENTRY_MCP_LIST_FORMAT", "list_format"),
        description="MCP list results: rows as objects (default) or as arrays under one 'columns' header "
        "(~30% fewer characters for 25 issues).",
    )

    airbyte_client_id: str | None = Field(None, validation_alias=_alias("AIRBYTE_CLIENT_ID", "airbyte_client_id"))
    airbyte_client_secret: SecretStr | None = Field(
        None, validation_alias=_alias("AIRBYTE_CLIENT_SECRET", "airbyte_client_secret")
    )
    airbyte_customer_name: str | None = Field(
        None, validation_alias=_alias("AIRBYTE_CUSTOMER_NAME", "airbyte_customer_name")
    )
    airbyte_organization_id: str | None = Field(
        None, validation_alias=_alias("AIRBYTE_ORGANIZATION_ID", "airbyte_organization_id")
    )
    airbyte_connector_id: str | None = Field(
        None, validation_alias=_alias("AIRBYTE_CONNECTOR_ID", "airbyte_connector_id")
    )
    airbyte_api_url: str = Field(DEFAULT_AIRBYTE_API_URL, validation_alias=_alias("AIRBYTE_API_URL", "airbyte_api_url"))

    @field_validator("tools")
    @classmethod
    def _tools_mode(cls, value: str) -> str:
        return value.strip() or "all"

    @property
    def base_url(self) -> str:
        """The Sentry base URL (without ``/api/0``)."""
        return sentry_base_url(self.hostname)

    def backend_kind(self) -> BackendKind:
        """Resolve ``auto`` and check that the chosen backend has what it needs."""
        hosted_ready = bool(self.airbyte_client_id and self.airbyte_client_secret)
        if self.backend == "auto":
            if hosted_ready:
                return BackendKind.HOSTED
            if self.auth_token is not None:
                return BackendKind.DIRECT
            raise ConfigurationError(
                "No Sentry backend is configured.",
                hint=(
                    "Set SENTRY_AUTH_TOKEN (and SENTRY_HOSTNAME for self-hosted) to call Sentry directly, "
                    "or AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET for the Airbyte-hosted connector, "
                    "or pass --demo (SENTRY_MCP_BACKEND=demo) to try the embedded demo Sentry."
                ),
            )
        kind = BackendKind(self.backend)
        if kind is BackendKind.DIRECT and self.auth_token is None:
            raise ConfigurationError(
                "SENTRY_MCP_BACKEND=direct needs SENTRY_AUTH_TOKEN.",
                hint="Create a token at Settings > Account > API > Auth Tokens in Sentry.",
            )
        if kind is BackendKind.HOSTED and not hosted_ready:
            raise ConfigurationError(
                "SENTRY_MCP_BACKEND=hosted needs AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET.",
            )
        if kind is BackendKind.DIRECT:
            self.base_url  # noqa: B018 - validates SENTRY_HOSTNAME early, with a clear message
        return kind

    @property
    def scoping_defaults(self) -> dict[str, str]:
        """Params filled in when a call leaves them out (``SENTRY_ORG``/``SENTRY_PROJECT``)."""
        pairs = (("organization_slug", self.org), ("project_slug", self.project))
        return {name: value for name, value in pairs if value}

    def tool_entities(self) -> frozenset[str] | None:
        """The entity filter of ``SENTRY_MCP_TOOLS`` (None for ``all`` and ``execute``)."""
        if self.tools in ("all", "execute"):
            return None
        return frozenset(part.strip() for part in self.tools.split(",") if part.strip())
