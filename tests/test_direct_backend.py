"""The direct backend against Sentry's answers: URLs, encodings, envelopes and every error shape.

Sentry is the one thing mocked here (``httpx2.MockTransport``), to produce exact bodies and statuses;
everything on our side runs for real.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from sentry_agent_mcp.backends import DirectBackend
from sentry_agent_mcp.catalog.issues import STREAM_COLLAPSE
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import (
    RateLimitedError,
    UpstreamConnectionError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeoutError,
)
from sentry_agent_mcp.executor import Executor

pytestmark = pytest.mark.anyio
TOKEN = "sntryu_test_token_value"


def _executor(
    handler: Callable[[httpx2.Request], httpx2.Response], base_url: str = "https://sentry.example.com"
) -> Executor:
    """A direct backend whose Sentry is ``handler``, self-hosted (no regions: 404, as Sentry answers).

    The deadline is 5 s (the executor's, which every call runs under), so a 429 asking for a longer wait
    fails at once instead of being waited out.
    """

    def self_hosted(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/api/0/users/me/regions/"):
            return httpx2.Response(404, json={"detail": "The requested resource does not exist"})
        return handler(request)

    backend = DirectBackend(
        base_url=base_url, token=SecretStr(TOKEN), timeout=5.0, transport=httpx2.MockTransport(self_hosted)
    )
    return Executor(Settings(backend="direct", auth_token=TOKEN, timeout=5.0), backend)


def _reply(status: int, body: Any = None, *, headers: dict[str, str] | None = None, raw: bytes | None = None):
    def handler(request: httpx2.Request) -> httpx2.Response:
        content = raw if raw is not None else json.dumps(body).encode()
        return httpx2.Response(status, content=content, headers=headers or {"content-type": "application/json"})

    return handler


async def test_release_version_is_encoded_as_one_segment() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"version": "frontend@1.2.3+build/45 beta"})

    ex = _executor(handler, base_url="https://sentry.example.com/prefix")
    result = await ex.execute(
        "releases", "get", {"organization_slug": "acme", "version": "frontend@1.2.3+build/45 beta"}
    )
    assert result == {"version": "frontend@1.2.3+build/45 beta"}
    assert seen[0].url.raw_path == b"/prefix/api/0/organizations/acme/releases/frontend%401.2.3%2Bbuild%2F45%20beta/"
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    await ex.aclose()


async def test_list_maps_params_to_sentry_names_and_link_to_meta() -> None:
    seen: list[httpx2.Request] = []
    link = (
        '<https://x/?&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", '
        '<https://x/?&cursor=0:5:0>; rel="next"; results="true"; cursor="0:5:0"'
    )

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.url.path == "/api/0/projects/acme/web/":
            return httpx2.Response(200, json={"id": "4501", "slug": "web"})
        return httpx2.Response(200, json=[{"id": "1"}], headers={"link": link})

    ex = _executor(handler)
    args = {"organization_slug": "acme", "project_slug": "web", "query": "is:unresolved level:error", "limit": 5}
    for _ in range(2):
        result = await ex.execute("issues", "list", {**args, "stats_period": "24h", "environment": ["prod", "stg"]})
        assert result == {"data": [{"id": "1"}], "meta": {"has_more": True, "next_cursor": "0:5:0"}}
    issue_calls = [r for r in seen if r.url.path == "/api/0/organizations/acme/issues/"]
    assert len(seen) == 3, "the project id is looked up once, then cached"
    assert issue_calls[0].url.params.multi_items() == [
        *[(item.name, item.value) for item in STREAM_COLLAPSE],  # the compact rows show none of it
        ("query", "is:unresolved level:error"),
        ("environment", "prod"),
        ("environment", "stg"),
        ("statsPeriod", "24h"),
        ("limit", "5"),
        ("project", "4501"),
    ]
    await ex.aclose()


async def test_events_full_flag_is_sent_as_sentry_expects() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=[])

    ex = _executor(handler)
    result = await ex.execute("events", "list", {"organization_slug": "acme", "project_slug": "web", "full": True})
    assert result == {"data": [], "meta": {"has_more": False, "next_cursor": None}}
    assert seen[0].url.params["full"] == "1"
    # Sentry reads any non-empty `full` as true, so false must be left out, not sent as "false".
    await ex.execute("events", "list", {"organization_slug": "acme", "project_slug": "web", "full": False})
    assert "full" not in seen[1].url.params
    await ex.aclose()


@pytest.mark.parametrize(
    ("status", "body", "expected_detail", "hint_word"),
    [
        (
            400,
            {"detail": "Invalid stats_period. Valid choices are '', '24h', and '14d'"},
            "Invalid stats_period",
            "parameters",
        ),
        (
            400,
            {"status": ['"bogus" is not a valid choice.'], "assignedTo": ["Unknown actor"]},
            'status: "bogus" is not a valid choice.',
            "parameters",
        ),
        (401, {"detail": "Invalid token"}, "Invalid token", "SENTRY_AUTH_TOKEN"),
        (
            401,
            {"detail": {"code": "sso-required", "message": "Must login via SSO", "extra": {}}},
            "Must login via SSO (sso-required)",
            "token",
        ),
        (403, {"detail": "You do not have permission to perform this action."}, "permission", "scope"),
        (404, {"detail": "The requested resource does not exist"}, "does not exist", "sentry_projects_list"),
        (500, {"detail": "Internal Error", "errorId": "abc"}, "Internal Error", "try again"),
    ],
)
async def test_sentry_error_bodies_become_clear_errors(
    status: int, body: Any, expected_detail: str, hint_word: str
) -> None:
    ex = _executor(_reply(status, body))
    with pytest.raises(UpstreamError) as info:
        await ex.execute("issues", "get", {"organization_slug": "acme", "issue_id": "WEB-1"})
    err = info.value
    assert err.status == status
    assert expected_detail in (err.detail or "")
    assert f"HTTP {status}" in str(err) and "GET /api/0/organizations/acme/issues/WEB-1/" in str(err)
    assert hint_word in (err.hint or "")
    assert TOKEN not in str(err) and "sentry.example.com" not in str(err)
    await ex.aclose()


async def test_429_without_retry_after_and_not_labelled_json_is_rate_limited() -> None:
    body = b'{"detail":"You are attempting to use this endpoint too frequently. Limit is 10 requests in 1 seconds"}'
    headers = {"content-type": "text/html", "x-sentry-rate-limit-reset": "9999999999"}
    ex = _executor(_reply(429, raw=body, headers=headers))
    with pytest.raises(RateLimitedError) as info:
        await ex.execute("projects", "list", {})
    assert "too frequently" in (info.value.detail or "")
    assert info.value.retry_after is not None and info.value.retry_after > 0
    await ex.aclose()


async def test_429_with_retry_after_seconds() -> None:
    ex = _executor(_reply(429, {"detail": "slow down"}, headers={"retry-after": "7"}))
    with pytest.raises(RateLimitedError) as info:
        await ex.execute("projects", "list", {})
    assert info.value.retry_after == 7
    assert "Retry after about 7 s" in str(info.value)
    await ex.aclose()


async def test_html_error_page_is_summarised_not_dumped() -> None:
    page = (
        b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>" + b"x" * 5000 + b"</body></html>"
    )
    ex = _executor(_reply(502, raw=page, headers={"content-type": "text/html"}))
    with pytest.raises(UpstreamError) as info:
        await ex.execute("projects", "list", {})
    text = str(info.value)
    assert "non-JSON response (text/html)" in text and "Bad Gateway" in text
    assert len(text) < 600
    await ex.aclose()


async def test_success_with_broken_json_is_a_protocol_error() -> None:
    ex = _executor(_reply(200, raw=b'[{"id": "1", "title": "trunc', headers={"content-type": "application/json"}))
    with pytest.raises(UpstreamProtocolError, match="not with JSON"):
        await ex.execute("projects", "list", {})
    await ex.aclose()


async def test_renamed_project_302_tells_the_new_slug() -> None:
    body = {
        "detail": {
            "code": "resource-moved",
            "message": "Resource has been moved",
            "extra": {"url": "/api/0/projects/acme/web/", "slug": "web"},
        }
    }
    ex = _executor(
        _reply(302, body, headers={"content-type": "application/json", "location": "/api/0/projects/acme/web/"})
    )
    with pytest.raises(UpstreamError) as info:
        await ex.execute("projects", "get", {"organization_slug": "acme", "project_slug": "frontend-app"})
    assert "project_slug='web'" in str(info.value)
    await ex.aclose()


async def test_timeouts_and_connection_errors_are_clear() -> None:
    def slow(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out", request=request)

    def refused(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno 111] Connection refused", request=request)

    ex = _executor(slow)
    with pytest.raises(UpstreamTimeoutError, match="did not answer GET /api/0/projects/"):
        await ex.execute("projects", "list", {})
    await ex.aclose()
    ex = _executor(refused)
    with pytest.raises(UpstreamConnectionError, match="Connection refused"):
        await ex.execute("projects", "list", {})
    await ex.aclose()
