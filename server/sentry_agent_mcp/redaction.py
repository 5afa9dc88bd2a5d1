"""Keep every secret out of everything that leaves the process.

One process-wide set of secrets: the configured ones (Sentry auth token, Airbyte client secret, the
HTTP bearer token) and those learned at run time (the Airbyte access token). Whatever holds a secret
registers it (``register``) the moment it has it, so no way in (CLI, ``mcp run``, HTTP, the Python API)
can forget. Every string that leaves goes through it:

- upstream bodies, as bytes, before they are parsed or clipped (``loads``, ``redact_bytes``): a token
  Sentry or a proxy echoes back is masked whole, never cut in half by a snippet;
- errors, when they are made (``SentryAgentError`` redacts its message, hint and details);
- tool results and CLI output, at the exit (``redact``, ``redact_data``);
- logs, through a ``logging.Filter`` on every handler and a record factory for records made later.

The set is global because secrets and logging are: both belong to the process, not to a call.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

if TYPE_CHECKING:
    from .config import Settings

MASK = "**********"
_MIN_SECRET = 6
"""Shorter values are not masked (masking "abc" everywhere would garble output and protect little)."""


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def _forms(secret: str) -> set[str]:
    """The ways a secret can appear in text: as is; percent-encoded (all, or all but ``/``, or form-encoded,
    with upper- or lower-case hex); escaped inside a JSON string; and base64 (standard or URL-safe, alone
    or as ``Bearer <secret>``, with or without padding)."""
    encoded = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms = {secret, *encoded, *map(_lower_hex, encoded)}
    forms |= {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for raw in (secret, f"Bearer {secret}"):
        for b64 in (base64.b64encode, base64.urlsafe_b64encode):
            text = b64(raw.encode()).decode()
            forms |= {text, text.rstrip("=")}
    return forms


class SecretSet:
    """The secrets of this process, and the masking of them in text, bytes and JSON-like data."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: tuple[str, ...] = ()
        self._bytes: tuple[bytes, ...] = ()
        self._held: dict[str, int] = {}
        """Secrets held for a while (per-user tokens, ``hold``/``release``), with how many holders each has."""
        self._permanent: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self._texts)

    def __repr__(self) -> str:
        return f"SecretSet({len(self._texts)} forms)"

    def __len__(self) -> int:
        """How many secrets are masked now (permanent and held): each costs every redaction pass."""
        return len(self._permanent | set(self._held))

    def add(self, *values: str | SecretStr | None) -> None:
        """Remember secrets (``None`` and short values are ignored); idempotent."""
        plain = {v.get_secret_value() if isinstance(v, SecretStr) else v for v in values}
        fresh = {v for v in plain if v and len(v) >= _MIN_SECRET} - self._permanent
        if fresh:
            with self._lock:
                self._permanent |= fresh
                self._rebuild()

    def hold(self, value: str | SecretStr) -> None:
        """Mask ``value`` until as many ``release`` calls as ``hold`` calls (secrets with an end, such as a
        per-user token while its executor is cached: README "Per-user credentials")."""
        plain = value.get_secret_value() if isinstance(value, SecretStr) else value
        if len(plain) < _MIN_SECRET:
            return
        with self._lock:
            self._held[plain] = self._held.get(plain, 0) + 1
            if self._held[plain] == 1 and plain not in self._permanent:
                self._rebuild()

    def release(self, value: str | SecretStr) -> None:
        plain = value.get_secret_value() if isinstance(value, SecretStr) else value
        with self._lock:
            count = self._held.get(plain, 0) - 1
            if count > 0:
                self._held[plain] = count
            elif self._held.pop(plain, None) is not None and plain not in self._permanent:
                self._rebuild()

    def _rebuild(self) -> None:
        """Recompute the forms of every secret (under the lock)."""
        forms = {form for value in self._permanent | set(self._held) for form in _forms(value)}
        texts = sorted(forms, key=len, reverse=True)  # longest first: no partial masks
        self._texts = tuple(texts)
        self._bytes = tuple(t.encode() for t in texts)

    def redact(self, text: str) -> str:
        for secret in self._texts:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def redact_bytes(self, data: bytes) -> bytes:
        for secret in self._bytes:
            if secret in data:
                data = data.replace(secret, MASK.encode())
        return data

    def found_in(self, text: str) -> bool:
        return any(secret in text for secret in self._texts)

    def redact_data(self, value: Any) -> Any:
        """A copy of JSON-like ``value`` with every string (keys included) redacted."""
        if not self._texts:
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact(str(k)) if isinstance(k, str) else k: self.redact_data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_data(item) for item in value]
        return value

    def loads(self, body: bytes) -> Any:
        """``json.loads`` of an upstream body with every secret masked, escaped forms included."""
        body = self.redact_bytes(body)
        try:
            data = json.loads(body, parse_constant=_not_json)
        except RecursionError:  # nested past the parser's depth: a malformed answer, said as one (ValueError)
            raise ValueError("JSON nested too deeply") from None
        if self._texts and b"\\u" in body:  # \u-escapes can spell a secret that no byte pattern shows
            data = self.redact_data(data)
        return data


def _not_json(constant: str) -> Any:
    """``NaN``/``Infinity`` are Python's extension, not JSON: refused like any malformed answer, so no view meets
    a float it cannot turn into an integer."""
    raise ValueError(f"{constant} is not JSON")


SECRETS = SecretSet()
"""The process's secrets; see the module docstring."""

register = SECRETS.add
redact = SECRETS.redact
redact_bytes = SECRETS.redact_bytes
redact_data = SECRETS.redact_data
loads = SECRETS.loads


class SecretRedactionFilter(logging.Filter):
    """Masks secrets in log records (message, arguments, traceback, stack); never drops a record."""

    def __init__(self, secrets: SecretSet | None = None) -> None:
        super().__init__()
        self.secrets = secrets if secrets is not None else SECRETS

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        redacted = self.secrets.redact(message)
        if redacted != message:  # args stay as they were otherwise: some formatters unpack them (uvicorn)
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.secrets.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.secrets.redact(record.stack_info)
        return True


_FILTER = SecretRedactionFilter()
_factory_installed = False
_install_lock = threading.Lock()


def secrets_of(settings: Settings) -> list[SecretStr]:
    """Every secret value the settings hold."""
    values = [settings.auth_token, settings.airbyte_client_secret, settings.http_token]
    return [value for value in values if value is not None]


def _handlers() -> list[logging.Handler]:
    loggers: list[Any] = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return [h for lg in loggers if isinstance(lg, logging.Logger) for h in lg.handlers]


def install_redaction(secrets: Iterable[str | SecretStr] = ()) -> SecretRedactionFilter:
    """Register ``secrets`` and redact all logging in this process from now on (idempotent).

    Call it again after something has set up new handlers (uvicorn does): the filter is added to every
    handler that exists; the record factory covers records of handlers added later.
    """
    global _factory_installed
    SECRETS.add(*secrets)
    with _install_lock:
        if not _factory_installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _FILTER.filter(record)
                return record

            logging.setLogRecordFactory(factory)
            _factory_installed = True
    for handler in _handlers():
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER
