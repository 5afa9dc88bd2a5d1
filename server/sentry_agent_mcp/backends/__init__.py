"""Backends: where a validated call goes (Sentry directly, the demo Sentry, or Airbyte)."""

from __future__ import annotations

import httpx2

from ..config import BackendKind, Settings
from ..errors import ConfigurationError
from .airbyte_api import AirbyteAPI
from .base import Backend, list_page
from .demo import demo_backend
from .direct import DirectBackend
from .hosted import HostedBackend


def create_backend(settings: Settings) -> Backend:
    """The backend the settings choose (raises ConfigurationError with what to set)."""
    kind = settings.backend_kind()
    if settings.http_auth == "per-user":  # no token of its own: HTTP requests bring theirs (credentials.py)
        from ..per_user_config import refuse_without_http

        raise refuse_without_http("a call outside an HTTP request (stdio, call, check, the Python API)")
    if kind is BackendKind.DEMO:
        return demo_backend(settings.timeout)
    if kind is BackendKind.DIRECT:
        assert settings.auth_token is not None  # backend_kind() checked it
        return DirectBackend(base_url=settings.base_url, token=settings.auth_token, timeout=settings.timeout)
    return hosted_backend(settings)


def hosted_backend(settings: Settings, transport: httpx2.AsyncBaseTransport | None = None) -> HostedBackend:
    """The Airbyte-hosted backend of the settings (its connector id given or looked up by customer)."""
    assert settings.airbyte_client_id and settings.airbyte_client_secret  # backend_kind() checked them
    if not settings.airbyte_connector_id and not settings.airbyte_customer_name:
        raise ConfigurationError(
            "The hosted backend needs AIRBYTE_CONNECTOR_ID, or AIRBYTE_CUSTOMER_NAME to look the connector up.",
        )
    api = AirbyteAPI(
        api_url=settings.airbyte_api_url,
        client_id=settings.airbyte_client_id,
        client_secret=settings.airbyte_client_secret,
        organization_id=settings.airbyte_organization_id,
        timeout=settings.timeout,
        transport=transport,
    )
    return HostedBackend(api, connector_id=settings.airbyte_connector_id, customer_name=settings.airbyte_customer_name)


__all__ = [
    "AirbyteAPI",
    "Backend",
    "DirectBackend",
    "HostedBackend",
    "create_backend",
    "demo_backend",
    "hosted_backend",
    "list_page",
]
