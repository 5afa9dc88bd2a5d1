"""Errors an agent can act on.

Every failure the server reports is one of these. Each carries a short machine-readable ``code``, a
message that says what failed, and a hint that says what to try next: the model reads the text and
repairs its call. None of them ever holds a secret: message, hint and details are redacted when the
error is made (``redaction.py``), so ``str``, ``repr``, ``args`` and ``to_dict`` are all clean, whatever
an upstream echoed into them.
"""

from __future__ import annotations

from typing import Any

from .redaction import redact, redact_data

CLIP_LIMIT = 80


def clip(value: object, limit: int = CLIP_LIMIT) -> str:
    """A caller-supplied name as it may appear in an error: clipped, so hostile input is not echoed whole.

    Redacted before it is cut, so a cut can never leave part of a secret behind.
    """
    text = redact(str(value))
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class SentryAgentError(RuntimeError):
    """Base class: a failure with a message, a hint and a stable ``code``.

    A ``RuntimeError``, as the errors of ``airbyte_agent_sentry`` were, so code written for it still
    catches ours.
    """

    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.hint = redact(hint) if hint is not None else None

    def __str__(self) -> str:
        """``message. Hint: hint``: two sentences, so a reader (or a model) sees where the cause ends."""
        if not self.hint:
            return self.message
        ended = self.message if self.message.rstrip().endswith((".", "!", "?")) else f"{self.message.rstrip()}."
        return f"{ended} Hint: {self.hint}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description, used as MCP ``structuredContent`` and by ``call``."""
        out: dict[str, Any] = {"type": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


class ConfigurationError(SentryAgentError):
    """The environment does not describe a usable backend."""

    code = "configuration_error"


class UnknownPairError(SentryAgentError):
    """The entity or action does not exist in the catalog (or on this backend)."""

    code = "unknown_entity_action"


class InvalidParamsError(SentryAgentError):
    """The params do not fit the pair's model."""

    code = "invalid_params"

    def __init__(self, message: str, *, hint: str | None = None, errors: list[dict[str, Any]] | None = None):
        super().__init__(message, hint=hint)
        self.errors: list[dict[str, Any]] = redact_data(errors or [])

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        if self.errors:
            out["errors"] = self.errors
        return out


class WritesDisabledError(SentryAgentError):
    """A write action was called while writes are off."""

    code = "writes_disabled"


class UnsupportedOnBackendError(SentryAgentError):
    """The pair exists but the active backend does not serve it."""

    code = "unsupported_on_backend"


class UpstreamError(SentryAgentError):
    """Sentry (or the Airbyte API) answered with an error status."""

    code = "upstream_error"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        detail: str | None = None,
        hint: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.detail = redact(detail) if detail is not None else None
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["status"] = self.status
        if self.detail:
            out["detail"] = self.detail
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        return out


class RateLimitedError(UpstreamError):
    """HTTP 429: the caller must slow down."""

    code = "rate_limited"


class UpstreamTimeoutError(SentryAgentError):
    """Sentry did not answer in time."""

    code = "timeout"


class UpstreamConnectionError(SentryAgentError):
    """Sentry could not be reached at all."""

    code = "connection_error"


class TLSVerificationError(UpstreamConnectionError):
    """The server's certificate failed verification: nothing was sent, and sending again cannot help."""

    code = "tls_verification_failed"


class UpstreamProtocolError(SentryAgentError):
    """Sentry answered 2xx with something that is not the JSON it should be."""

    code = "bad_response"


class InternalError(SentryAgentError):
    """A failure of this server itself (a bug): reported, redacted, never a crash."""

    code = "internal_error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint or "This is a bug in sentry-agent-mcp; retrying will not help.")
