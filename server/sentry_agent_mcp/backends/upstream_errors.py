"""Sentry's error answers, turned into errors an agent can act on.

Sentry's bodies come in several shapes: ``{"detail": "text"}``, ``{"detail": {"code", "message",
"extra"}}``, a serializer field map ``{"status": ["..."]}``, and (behind proxies, or on a 429) bodies
that are not labelled JSON or are not JSON at all. Parse all of them defensively.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..errors import RateLimitedError, UpstreamError, clip
from ..redaction import loads, redact_bytes
from .ratelimit import retry_after_seconds

__all__ = ["describe_body", "error_from_response", "retry_after_seconds", "said"]

_HINTS: dict[int, str] = {
    400: "Fix the parameters named in Sentry's message and call again.",
    401: (
        "The Sentry token was rejected: check SENTRY_AUTH_TOKEN (create one at Settings > Account > API > Auth Tokens)."
    ),
    403: "The token lacks the scope for this call (for example event:read), or its user is not a member here.",
    404: (  # the organization first: with a wrong one, every list below it fails with this same 404
        "Check the organization slug first (sentry_organizations_list shows the ones the token sees), then the "
        "project, issue or event id (sentry_projects_list and sentry_issues_list show valid ones)."
    ),
    409: "The resource changed meanwhile; read it again before retrying.",
    413: "The request is too large; narrow it.",
    429: "Sentry is rate-limiting these calls; wait before calling again, and narrow or batch the work.",
}
_SERVER_HINT = "Sentry failed on its side; try again in a moment."
_UNKNOWN_EFFECT_HINT = (
    "Sentry failed on its side. This write is not idempotent, so it was not sent again: it may or may not "
    "have taken effect. Read the current state (for example list the notes) before calling again."
)
_MAX_SNIPPET = 200
MAX_DETAIL = 1_000
"""Characters of an upstream's own words an error repeats (its body may be megabytes)."""


def _decode(body: bytes) -> Any:
    try:
        return loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _text_snippet(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text[:_MAX_SNIPPET] + ("..." if len(text) > _MAX_SNIPPET else "")


def describe_body(body: bytes, content_type: str | None) -> str | None:
    """Sentry's own words for the failure, as one line (or None for an empty body).

    Secrets are masked in the whole body first, so that clipping it can never leave half of one.
    """
    body = redact_bytes(body)
    if not body.strip():
        return None
    data = _decode(body)
    if data is None:
        snippet = _text_snippet(body)
        kind = (content_type or "unknown content type").split(";")[0]
        return f"non-JSON response ({kind}): {snippet}" if snippet else f"non-JSON response ({kind})"
    if isinstance(data, Mapping):
        detail = data.get("detail")
        if isinstance(detail, str):
            return detail
        if isinstance(detail, Mapping):
            message = str(detail.get("message") or detail.get("code") or "error")
            code = detail.get("code")
            return f"{message} ({code})" if code and code != message else message
        parts = []
        for field, problems in data.items():
            if isinstance(problems, list):
                text = "; ".join(str(p) for p in problems)
            elif isinstance(problems, Mapping):
                text = json.dumps(problems, separators=(",", ":"))[:_MAX_SNIPPET]
            else:
                text = str(problems)
            parts.append(f"{field}: {text}")
        return ", ".join(parts) if parts else None
    if isinstance(data, list):
        return "; ".join(str(item) for item in data)[:_MAX_SNIPPET]
    return str(data)[:_MAX_SNIPPET]


def said(detail: str | None) -> str | None:
    """An upstream's words as an error repeats them: cut to ``MAX_DETAIL`` characters (and redacted)."""
    return None if detail is None else clip(detail, MAX_DETAIL)


def _moved_hint(body: bytes) -> str | None:
    data = _decode(body)
    if not isinstance(data, Mapping) or not isinstance(data.get("detail"), Mapping):
        return None
    extra = data["detail"].get("extra")
    if isinstance(extra, Mapping) and extra.get("slug"):
        return f"The project was renamed: call again with project_slug='{clip(extra['slug'], 100)}'."
    return None


def error_from_response(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    what: str,
    now: float,
    attempts: str | None = None,
    repeatable: bool = True,
) -> UpstreamError:
    """Build the error for a non-2xx answer; ``what`` names the call (e.g. ``GET /projects/``).

    ``attempts`` summarises the tries when there were several; ``repeatable`` False marks a write that
    was not sent again after a failure that leaves its effect unknown (a 5xx), and the hint says so.
    """
    detail = said(describe_body(body, headers.get("content-type")))
    message = f"Sentry answered HTTP {status} to {what}" + (f": {detail}" if detail else ".")
    if attempts:
        message += f" ({attempts})"
    if status == 429:
        wait = retry_after_seconds(headers, now)
        hint = _HINTS[429] + (f" Retry after about {wait:.0f} s." if wait is not None else "")
        return RateLimitedError(message, status=status, detail=detail, hint=hint, retry_after=wait)
    if 300 <= status < 400:
        hint = _moved_hint(body) or "The resource moved; look it up again by listing."
        return UpstreamError(message, status=status, detail=detail, hint=hint)
    if status >= 500 and not repeatable:
        return UpstreamError(message, status=status, detail=detail, hint=_UNKNOWN_EFFECT_HINT)
    hint = _HINTS.get(status, _SERVER_HINT if status >= 500 else "Check the parameters and try again.")
    return UpstreamError(message, status=status, detail=detail, hint=hint)
