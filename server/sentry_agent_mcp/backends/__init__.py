"""Backends: where a validated call goes (Sentry directly, the demo Sentry, or Airbyte)."""

from __future__ import annotations

from ..config import BackendKind, Settings
from ..errors import ConfigurationError
from .base import Backend, list_page
from .demo import demo_backend
from .direct import DirectBackend


def create_backend(settings: Settings) -> Backend:
    """The backend the settings choose (raises ConfigurationError with what to set)."""
    kind = settings.backend_kind()
    if kind is BackendKind.DEMO:
        return demo_backend(settings.timeout)
    if kind is BackendKind.DIRECT:
        assert settings.auth_token is not None  # backend_kind() checked it
        return DirectBackend(base_url=settings.base_url, token=settings.auth_token, timeout=settings.timeout)
    raise ConfigurationError(
        "The Airbyte-hosted backend is not available in this version.",
        hint="Unset AIRBYTE_CLIENT_ID/AIRBYTE_CLIENT_SECRET and set SENTRY_AUTH_TOKEN, or use --demo.",
    )


__all__ = ["Backend", "DirectBackend", "create_backend", "demo_backend", "list_page"]
