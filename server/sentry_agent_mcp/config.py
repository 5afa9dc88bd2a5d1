"""Configuration from the environment (README "Configuration"): a pydantic model read from ``os.environ``.

Secrets are ``SecretStr`` so that ``repr``, logs and tracebacks show ``**********``. Reading the
settings does no I/O beyond the environment; choosing a backend is a pure function of them.

Every setting is a scalar under one or two upper-case names, so a plain model with validation aliases
reads them; pydantic-settings did the same at 100 ms of import time, paid before Claude Desktop gets
its ``initialize`` answer (``bench/startup.py``).
"""

from __future__ import annotations

import os
from dataclasses import replace
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import InitErrorDetails

from .errors import ConfigurationError
from .hosts import BadHostError, is_loopback, is_saas, parse_origin
from .redaction import MASK

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
    sentry.io would send the token in clear, so it is refused. The rule judges the host the HTTP client
    will connect to (IDNA-mapped, lower-case, without trailing dots: ``http://sentry。io.`` is sentry.io),
    and the base URL is rebuilt from that host, so what was checked is what is called.
    """
    value = hostname.strip()
    if not value.rstrip("/"):
        raise ConfigurationError("SENTRY_HOSTNAME is empty.", hint="Leave it unset for sentry.io.")
    if "://" not in value:
        value = f"https://{value}"
    try:
        origin = parse_origin(value)
    except BadHostError as exc:
        raise ConfigurationError(
            f"SENTRY_HOSTNAME is not usable: {exc}.",
            hint="Use a host like 'sentry.io', 'sentry.example.com:9000' or 'https://sentry.example.com': "
            "scheme, host, port and an optional path prefix only.",
        ) from None
    if origin.scheme == "http" and is_saas(origin.host):
        raise ConfigurationError(
            f"SENTRY_HOSTNAME: plain http to {origin.host} is refused: the auth token would travel unencrypted.",
            hint="Use 'sentry.io' (https) or an https:// URL.",
        )
    path = origin.path.removesuffix("/api/0")
    return replace(origin, path=path).url


def airbyte_api_base_url(url: str) -> str:
    """``AIRBYTE_API_URL`` as the client calls it: https, or http on loopback only (a local fake or proxy).

    The client secret is posted to it, so plain http elsewhere, a user or password in the URL, a query
    or a fragment are configuration errors.
    """
    try:
        origin = parse_origin(url)
    except BadHostError as exc:
        raise ConfigurationError(
            f"AIRBYTE_API_URL is not usable: {exc}.",
            hint=f"Leave it unset for {DEFAULT_AIRBYTE_API_URL}, or give an https:// URL without user, password, "
            "query or fragment.",
        ) from None
    if origin.scheme != "https" and not is_loopback(origin.host):
        raise ConfigurationError(
            f"AIRBYTE_API_URL: plain http to {origin.host} is refused: the client secret would travel unencrypted.",
            hint="Use an https:// URL; http is accepted only on loopback (127.0.0.1, ::1, localhost).",
        )
    return origin.url


def _env(*names: str) -> AliasChoices:
    """The environment variables that set a field, the first one set winning (the field's own name is
    accepted too: ``populate_by_name``)."""
    return AliasChoices(*names)


def without_inputs(exc: ValidationError, title: str) -> ValidationError:
    """The same validation errors with every input value masked (``errors()`` and ``json()`` included).

    ``hide_input_in_errors`` keeps inputs out of ``str`` only; ``errors()`` still holds them, and a web
    framework or a log line may print that. Configuration holds secrets, so its errors hold no inputs.
    """
    details = [
        InitErrorDetails(type=e["type"], loc=e["loc"], input=MASK, ctx=e.get("ctx", {}))
        for e in exc.errors(include_url=False)
    ]
    return ValidationError.from_exception_data(title, details, hide_input=True)


class QuietModel(BaseModel):
    """A model whose validation errors never repeat what it was given (it is given secrets)."""

    model_config = ConfigDict(hide_input_in_errors=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise without_inputs(exc, type(self).__name__) from None


def header_safe(secret: SecretStr, name: str) -> SecretStr:
    """``secret`` without surrounding whitespace, or an error naming ``name`` (never the value).

    A token is sent in an HTTP header, which takes visible ASCII only. A trailing newline or ``\\r`` from
    a copied file is dropped; anything else that cannot be sent is a configuration error here, not a
    codec error (whose message would hold the token) on the first call.
    """
    value = secret.get_secret_value().strip()
    for position, char in enumerate(value, 1):
        if not "!" <= char <= "~":
            kind = "a space" if char == " " else "a non-ASCII character" if ord(char) > 127 else "a control character"
            raise ValueError(
                f"{name} contains {kind} (at position {position} of {len(value)}), so it cannot be sent in an "
                "HTTP header; copy the token again"
            )
    if not value:
        raise ValueError(f"{name} is empty")
    return secret if value == secret.get_secret_value() else SecretStr(value)


class Settings(QuietModel):
    """Everything the server, the CLI and the Python API read from the environment.

    ``Settings()`` reads the environment (the upper-case names below); keyword arguments by field name
    override it. Empty variables count as unset.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)  # QuietModel hides inputs

    def __init__(self, **overrides: Any) -> None:
        values: dict[str, Any] = {}
        for name, field in type(self).model_fields.items():
            if name in overrides:
                values[name] = overrides[name]
                continue
            choices = field.validation_alias.choices if isinstance(field.validation_alias, AliasChoices) else []
            for env_name in choices:
                if isinstance(env_name, str) and os.environ.get(env_name):
                    values[name] = os.environ[env_name]
                    break
        super().__init__(**values)

    auth_token: SecretStr | None = Field(None, validation_alias=_env("SENTRY_AUTH_TOKEN", "SENTRY_ACCESS_TOKEN"))
    hostname: str = Field(DEFAULT_HOSTNAME, validation_alias=_env("SENTRY_HOSTNAME", "SENTRY_HOST"))
    org: str | None = Field(None, validation_alias=_env("SENTRY_ORG"))
    project: str | None = Field(None, validation_alias=_env("SENTRY_PROJECT"))
    backend: Literal["auto", "direct", "hosted", "demo"] = Field("auto", validation_alias=_env("SENTRY_MCP_BACKEND"))
    allow_writes: bool = Field(False, validation_alias=_env("SENTRY_MCP_ALLOW_WRITES"))
    tools: str = Field("all", validation_alias=_env("SENTRY_MCP_TOOLS"))
    http_token: SecretStr | None = Field(None, validation_alias=_env("SENTRY_MCP_HTTP_TOKEN"))
    http_auth: Literal["shared", "per-user"] = Field(
        "shared",
        validation_alias=_env("SENTRY_MCP_HTTP_AUTH"),
        description="HTTP transports: 'shared' (the server's credentials serve every client) or 'per-user' "
        "(each request brings its caller's Sentry token; README 'Per-user credentials').",
    )
    http_allowed_hosts: str | None = Field(
        None,
        validation_alias=_env("SENTRY_MCP_HTTP_ALLOWED_HOSTS"),
        description="Extra Host names (comma list, optional :port) the HTTP transports accept.",
    )
    http_streaming: bool = Field(
        False,
        validation_alias=_env("SENTRY_MCP_HTTP_STREAMING"),
        description="Streamable HTTP: answer each POST with an event stream (progress notifications reach the "
        "client during a call) instead of one JSON body (cheaper; the default).",
    )
    http_host: str = Field(
        "127.0.0.1",
        validation_alias=_env("SENTRY_MCP_HTTP_HOST"),
        description="HTTP transports: the address to bind (also for `mcp run -t streamable-http|sse`).",
    )
    http_port: int = Field(8000, ge=0, le=65535, validation_alias=_env("SENTRY_MCP_HTTP_PORT"))
    # The HTTP limits below are sized for a team server: tens of people, each with a few MCP clients open.
    # A session costs little while idle, and a client whose session has expired starts a new one (the
    # SDK's defaults of 10,000 sessions kept for 30 minutes let a burst of `initialize`s lock out every new
    # client for half an hour; here such a burst ends when its sessions go idle, after 10 minutes).
    http_max_sessions: int = Field(
        1000,
        ge=1,
        validation_alias=_env("SENTRY_MCP_HTTP_MAX_SESSIONS"),
        description="Streamable HTTP: open sessions at most; one more `initialize` gets 503 until one ends.",
    )
    http_session_idle_timeout: float = Field(
        600.0,
        gt=0,
        le=86_400,
        validation_alias=_env("SENTRY_MCP_HTTP_SESSION_IDLE_TIMEOUT"),
        description="Streamable HTTP: seconds a session lives with no request in flight and no open stream.",
    )
    http_max_connections: int = Field(
        4096,
        ge=1,
        validation_alias=_env("SENTRY_MCP_HTTP_MAX_CONNECTIONS"),
        description="Open connections (or requests in flight) at most; beyond it a request gets 503. "
        "Room for a GET stream and a call in flight for each of the maximum sessions, twice over.",
    )
    http_header_timeout: float = Field(
        10.0,
        gt=0,
        le=600,
        validation_alias=_env("SENTRY_MCP_HTTP_HEADER_TIMEOUT"),
        description="Seconds a connection has to send a complete request line and headers, else it is closed.",
    )
    http_keep_alive_timeout: int = Field(
        5,
        ge=1,
        le=600,
        validation_alias=_env("SENTRY_MCP_HTTP_KEEP_ALIVE_TIMEOUT"),
        description="Seconds an idle keep-alive connection stays open after a response.",
    )
    # Scale-out and operations (README "Deploy for a team").
    http_stateless: bool = Field(
        False,
        validation_alias=_env("SENTRY_MCP_HTTP_STATELESS"),
        description="Streamable HTTP without server-side sessions: any process or replica answers any request.",
    )
    http_workers: int = Field(
        1,
        ge=1,
        le=64,
        validation_alias=_env("SENTRY_MCP_HTTP_WORKERS"),
        description="Server processes sharing the port (uvicorn's process manager); more than one needs stateless.",
    )
    http_shutdown_timeout: float = Field(
        10.0,
        ge=0,
        le=600,
        validation_alias=_env("SENTRY_MCP_HTTP_SHUTDOWN_TIMEOUT"),
        description="On SIGTERM: seconds in-flight requests have to finish before they are cancelled.",
    )
    access_log: bool = Field(
        True,
        validation_alias=_env("SENTRY_MCP_ACCESS_LOG"),
        description="HTTP transports: one stderr line per tool call (tool, status, milliseconds; never arguments).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "WARNING", validation_alias=_env("SENTRY_MCP_LOG_LEVEL")
    )
    timeout: float = Field(
        30.0,
        gt=0,
        le=600,
        validation_alias=_env("SENTRY_MCP_TIMEOUT"),
        description="Per-call deadline in seconds.",
    )
    max_result_chars: int = Field(
        20_000,
        ge=2_000,
        le=1_000_000,
        validation_alias=_env("SENTRY_MCP_MAX_RESULT_CHARS"),
        description="Size budget of one result (characters of JSON); lists past it are trimmed.",
    )
    list_format: Literal["objects", "columns"] = Field(
        "objects",
        validation_alias=_env("SENTRY_MCP_LIST_FORMAT"),
        description="MCP list results: rows as objects (default) or as arrays under one 'columns' header "
        "(~30% fewer characters for 25 issues).",
    )

    airbyte_client_id: str | None = Field(None, validation_alias=_env("AIRBYTE_CLIENT_ID"))
    airbyte_client_secret: SecretStr | None = Field(None, validation_alias=_env("AIRBYTE_CLIENT_SECRET"))
    airbyte_customer_name: str | None = Field(None, validation_alias=_env("AIRBYTE_CUSTOMER_NAME"))
    airbyte_organization_id: str | None = Field(None, validation_alias=_env("AIRBYTE_ORGANIZATION_ID"))
    airbyte_connector_id: str | None = Field(None, validation_alias=_env("AIRBYTE_CONNECTOR_ID"))
    airbyte_api_url: str = Field(DEFAULT_AIRBYTE_API_URL, validation_alias=_env("AIRBYTE_API_URL"))

    @classmethod
    def read(cls, **overrides: Any) -> Settings:
        """``Settings(**overrides)``, with invalid values as one ``ConfigurationError`` that names them."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors(include_url=False)
            )
            raise ConfigurationError(f"Invalid configuration: {problems}.") from None

    @field_validator("tools")
    @classmethod
    def _tools_mode(cls, value: str) -> str:
        return value.strip() or "all"

    @field_validator("auth_token", "airbyte_client_secret", "http_token")
    @classmethod
    def _sendable_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        variables = {
            "auth_token": "SENTRY_AUTH_TOKEN",
            "airbyte_client_secret": "AIRBYTE_CLIENT_SECRET",
            "http_token": "SENTRY_MCP_HTTP_TOKEN",
        }
        return None if value is None else header_safe(value, variables[str(info.field_name)])

    @property
    def base_url(self) -> str:
        """The Sentry base URL (without ``/api/0``)."""
        return sentry_base_url(self.hostname)

    def backend_kind(self) -> BackendKind:
        """Resolve ``auto`` and check that the chosen backend has what it needs."""
        hosted_ready = bool(self.airbyte_client_id and self.airbyte_client_secret)
        if self.http_auth == "per-user":
            from .per_user_config import check_per_user

            check_per_user(self)
            self.base_url  # noqa: B018 - validates SENTRY_HOSTNAME early, with a clear message
            return BackendKind.DIRECT
        if self.backend == "auto":
            if hosted_ready:
                kind = BackendKind.HOSTED
            elif self.auth_token is not None:
                kind = BackendKind.DIRECT
            else:
                raise ConfigurationError(
                    "No Sentry backend is configured.",
                    hint=(
                        "Set SENTRY_AUTH_TOKEN (and SENTRY_HOSTNAME for self-hosted) to call Sentry directly, "
                        "or AIRBYTE_CLIENT_ID and AIRBYTE_CLIENT_SECRET for the Airbyte-hosted connector, "
                        "or pass --demo (SENTRY_MCP_BACKEND=demo) to try the embedded demo Sentry."
                    ),
                )
        else:
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
        if kind is BackendKind.HOSTED:
            airbyte_api_base_url(self.airbyte_api_url)  # validates AIRBYTE_API_URL early, with a clear message
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
