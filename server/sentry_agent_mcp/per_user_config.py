"""What per-user mode (README "Per-user credentials") refuses at startup, each with what to change.

In per-user mode the server holds no Sentry token: every HTTP request brings its caller's. So it is the
direct backend (the hosted and demo backends have one identity for everyone), over HTTP only (stdio,
``call`` and ``check`` have no request to take a token from), without a server token of its own, and
without ``SENTRY_MCP_HTTP_TOKEN``: a request has one ``Authorization`` header, and it carries the Sentry
token. Kept apart from ``config.py`` so that ``Settings`` stays a plain model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .config import Settings

PER_USER = "SENTRY_MCP_HTTP_AUTH=per-user"


def check_per_user(settings: Settings) -> None:
    """Raise ``ConfigurationError`` when the settings cannot run in per-user mode."""
    if settings.backend in ("hosted", "demo"):
        raise ConfigurationError(
            f"{PER_USER} applies to the direct backend only, not SENTRY_MCP_BACKEND={settings.backend}: "
            f"the {settings.backend} backend has one identity for every client.",
            hint="Use SENTRY_MCP_BACKEND=direct (or auto) with per-user mode, or unset SENTRY_MCP_HTTP_AUTH "
            "(shared mode) for the hosted or demo backend.",
        )
    if settings.backend == "auto" and settings.airbyte_client_id and settings.airbyte_client_secret:
        raise ConfigurationError(
            f"{PER_USER} calls Sentry directly with each caller's token, but AIRBYTE_CLIENT_ID and "
            "AIRBYTE_CLIENT_SECRET are set, which would choose the hosted backend.",
            hint="Unset the AIRBYTE_* variables, or set SENTRY_MCP_BACKEND=direct.",
        )
    if settings.auth_token is not None:
        raise ConfigurationError(
            f"{PER_USER} holds no Sentry token of its own, but SENTRY_AUTH_TOKEN is set.",
            hint="Unset SENTRY_AUTH_TOKEN: each client sends its own as 'Authorization: Sentry-Bearer <token>'.",
        )
    if settings.http_token is not None:
        raise ConfigurationError(
            f"{PER_USER} and SENTRY_MCP_HTTP_TOKEN cannot be combined: a request's one Authorization header "
            "carries the caller's Sentry token.",
            hint="Unset SENTRY_MCP_HTTP_TOKEN: in per-user mode every request authenticates itself against Sentry.",
        )


def refuse_without_http(what: str) -> ConfigurationError:
    """The error for a way in that has no HTTP request to take a caller's token from."""
    return ConfigurationError(
        f"{PER_USER} serves the HTTP transports only; {what} has no request to take a caller's token from.",
        hint="Serve --transport streamable-http (or sse), or unset SENTRY_MCP_HTTP_AUTH and set SENTRY_AUTH_TOKEN.",
    )
