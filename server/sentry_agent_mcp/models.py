"""Configuration models of the Python API, named as in ``airbyte_agent_sentry.models``.

Secrets are ``SecretStr``: ``repr``, ``str``, logs and tracebacks show ``**********``, and no validation
error repeats an input (``QuietModel``): ``SentryAuthConfig(token="...")`` names the wrong keyword,
not the token.
"""

from __future__ import annotations

from pydantic import AliasChoices, ConfigDict, Field, SecretStr, field_validator

from .config import QuietModel, header_safe


class SentryAuthConfig(QuietModel):
    """Direct mode: a Sentry auth token (Settings > Account > API > Auth Tokens)."""

    model_config = ConfigDict(extra="forbid")

    auth_token: SecretStr = Field(description="Sentry authentication token.")

    @field_validator("auth_token")
    @classmethod
    def _sendable(cls, value: SecretStr) -> SecretStr:
        return header_safe(value, "auth_token")


class AirbyteAuthConfig(QuietModel):
    """Hosted mode: an Airbyte application's client credentials, and which connector to use."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    customer_name: str | None = Field(
        None,
        validation_alias=AliasChoices("customer_name", "external_user_id", "workspace_name"),
        description="Customer name the hosted connector was created for (used to look it up).",
    )
    organization_id: str | None = Field(None, description="Airbyte organization id, for multi-organization clients.")
    airbyte_client_id: str | None = Field(None, description="Airbyte application client id.")
    airbyte_client_secret: SecretStr | None = Field(None, description="Airbyte application client secret.")
    connector_id: str | None = Field(None, description="The hosted connector's id; skips the lookup when given.")

    @field_validator("airbyte_client_secret")
    @classmethod
    def _sendable(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else header_safe(value, "airbyte_client_secret")


class SentryReplicationConfig(QuietModel):
    """What a hosted connector syncs, and the default scope of calls."""

    model_config = ConfigDict(extra="forbid")

    organization: str = Field(description="The slug of the organization to replicate data from.")
    project: str = Field(description="The slug of the project to replicate data from.")
