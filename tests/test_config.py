"""Configuration as a user writes it: host names, backend choice, secrets kept out of sight."""

from __future__ import annotations

import pytest

from sentry_agent_mcp.config import BackendKind, Settings, sentry_base_url
from sentry_agent_mcp.errors import ConfigurationError


@pytest.mark.parametrize(
    ("hostname", "base_url"),
    [
        ("sentry.io", "https://sentry.io"),
        ("de.sentry.io", "https://de.sentry.io"),
        ("sentry.example.com:9000", "https://sentry.example.com:9000"),
        ("https://sentry.example.com/", "https://sentry.example.com"),
        ("https://example.com/sentry/api/0/", "https://example.com/sentry"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("  SENTRY.EXAMPLE.COM  ", "https://sentry.example.com"),
    ],
)
def test_hostname_forms_become_base_urls(hostname: str, base_url: str) -> None:
    assert sentry_base_url(hostname) == base_url


@pytest.mark.parametrize("hostname", ["http://sentry.io", "http://us.sentry.io", "http://acme.sentry.io:80"])
def test_plain_http_to_sentry_io_is_refused(hostname: str) -> None:
    with pytest.raises(ConfigurationError, match="unencrypted"):
        sentry_base_url(hostname)


@pytest.mark.parametrize("hostname", ["ftp://sentry.example.com", "https://", "https://user:pw@host", ""])
def test_malformed_hostnames_are_refused(hostname: str) -> None:
    with pytest.raises(ConfigurationError):
        sentry_base_url(hostname)


def test_auto_prefers_hosted_then_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_ACCESS_TOKEN", "tok")
    assert Settings().backend_kind() is BackendKind.DIRECT
    monkeypatch.setenv("AIRBYTE_CLIENT_ID", "id")
    monkeypatch.setenv("AIRBYTE_CLIENT_SECRET", "secret")
    assert Settings().backend_kind() is BackendKind.HOSTED


def test_auto_with_nothing_configured_names_the_variables_and_demo() -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings().backend_kind()
    text = str(info.value)
    for needle in ("SENTRY_AUTH_TOKEN", "AIRBYTE_CLIENT_ID", "--demo"):
        assert needle in text


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", "")
    monkeypatch.setenv("SENTRY_HOSTNAME", "")
    settings = Settings()
    assert settings.auth_token is None
    assert settings.base_url == "https://sentry.io"


def test_aliases_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_HOST", "sentry.example.com")
    monkeypatch.setenv("SENTRY_ORG", "acme")
    monkeypatch.setenv("SENTRY_MCP_ALLOW_WRITES", "true")
    settings = Settings()
    assert settings.base_url == "https://sentry.example.com"
    assert settings.scoping_defaults == {"organization_slug": "acme"}
    assert settings.allow_writes is True


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", "sntryu_supersecret")
    monkeypatch.setenv("AIRBYTE_CLIENT_SECRET", "airbyte-supersecret")
    monkeypatch.setenv("SENTRY_MCP_HTTP_TOKEN", "http-supersecret")
    settings = Settings()
    assert "supersecret" not in repr(settings)
    assert "supersecret" not in str(settings.model_dump())


def test_direct_without_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_MCP_BACKEND", "direct")
    with pytest.raises(ConfigurationError, match="SENTRY_AUTH_TOKEN"):
        Settings().backend_kind()
