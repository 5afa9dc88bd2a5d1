"""Keep configured secrets out of every log line, whoever logs it.

Our own code never logs a token, but libraries may (an HTTP library at DEBUG, a traceback that
formats a request, uvicorn). So the server installs a ``logging.Filter`` that replaces each secret
value (Sentry auth token, Airbyte client secret, HTTP bearer token) in the message, its arguments and
any formatted traceback, on every handler that exists and, through the record factory, on every
record created later (handlers added by uvicorn or the SDK after start-up included).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from pydantic import SecretStr

from .config import Settings

MASK = "**********"
_MIN_SECRET = 6
"""Shorter values are not masked (masking "abc" everywhere would garble logs and protect little)."""


class SecretRedactionFilter(logging.Filter):
    """Replaces secret values in log records; never drops a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            merged = set(self._secrets) | {s for s in secrets if len(s) >= _MIN_SECRET}
            self._secrets = tuple(sorted(merged, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        redacted = self.redact(message)
        if redacted != message:  # args stay as they were otherwise: some formatters unpack them (uvicorn)
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_FILTER = SecretRedactionFilter()
_installed = False
_install_lock = threading.Lock()


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value the settings hold."""
    values: list[SecretStr | None] = [settings.auth_token, settings.airbyte_client_secret, settings.http_token]
    return [value.get_secret_value() for value in values if value is not None]


def _handlers() -> list[logging.Handler]:
    loggers: list[Any] = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return [h for lg in loggers if isinstance(lg, logging.Logger) for h in lg.handlers]


def install_redaction(secrets: Iterable[str]) -> SecretRedactionFilter:
    """Redact ``secrets`` from all logging in this process from now on (idempotent; secrets accumulate)."""
    global _installed
    _FILTER.add(secrets)
    with _install_lock:
        if not _installed:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                _FILTER.filter(record)
                return record

            logging.setLogRecordFactory(factory)
            _installed = True
    for handler in _handlers():
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER
