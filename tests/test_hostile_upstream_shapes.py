"""Answers of the wrong shape from something posing as Sentry: each call ends with a clear error or with
what could be read, never a Python exception; a region named many times is asked once; an error body of
megabytes is repeated cut."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from sentry_agent_mcp.backends import DirectBackend
from sentry_agent_mcp.backends.airbyte_api import airbyte_error
from sentry_agent_mcp.backends.upstream_errors import MAX_DETAIL, error_from_response
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import UpstreamProtocolError
from sentry_agent_mcp.executor import Executor
from sentry_agent_mcp.views.profiles import profile_summary

from conftest import CANARY_TOKEN

pytestmark = pytest.mark.anyio


def _sentry(regions: list[dict[str, str]], body: Any, seen: list[str]) -> httpx2.MockTransport:
    """sentry.io naming ``regions``; every list route answers ``body``."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(f"{request.url.host}{request.url.path}")
        if request.url.path == "/api/0/users/me/regions/":
            return httpx2.Response(200, json={"regions": regions})
        if request.url.path in ("/api/0/organizations/", "/api/0/organizations/acme/issues/"):
            return httpx2.Response(200, json=body)
        return httpx2.Response(404, json={"detail": "The requested resource does not exist"})

    return httpx2.MockTransport(handle)


async def _call(transport: httpx2.MockTransport, entity: str, params: dict[str, Any]) -> Any:
    backend = DirectBackend(
        base_url="https://sentry.io", token=SecretStr(CANARY_TOKEN), timeout=5.0, transport=transport
    )
    executor = Executor(Settings(backend="direct", auth_token=CANARY_TOKEN), backend)
    try:
        return await executor.execute(entity, "list", params)
    finally:
        await executor.aclose()


async def test_a_region_named_many_times_is_asked_once() -> None:
    seen: list[str] = []
    regions = [{"url": "https://us.sentry.io"}] * 500 + [{"url": "https://de.sentry.io"}] * 500
    page = await _call(_sentry(regions, [{"id": "1", "slug": "acme"}], seen), "organizations", {})
    assert page["data"] == [{"id": "1", "slug": "acme"}]
    assert seen == [
        "sentry.io/api/0/users/me/regions/",
        "us.sentry.io/api/0/organizations/",
        "de.sentry.io/api/0/organizations/",
    ]


@pytest.mark.parametrize("body", [{"detail": "not a list"}, "text", 7])
@pytest.mark.parametrize(
    ("regions", "entity", "params"),
    [
        ([{"url": "https://us.sentry.io"}, {"url": "https://de.sentry.io"}], "organizations", {}),
        ([{"url": "https://us.sentry.io"}], "organizations", {}),
        ([{"url": "https://us.sentry.io"}], "issues", {"organization_slug": "acme"}),
    ],
)
async def test_a_list_answered_with_something_else_is_a_protocol_error(
    body: Any, regions: list[dict[str, str]], entity: str, params: dict[str, Any]
) -> None:
    with pytest.raises(UpstreamProtocolError, match="something other than the list"):
        await _call(_sentry(regions, body, []), entity, params)


async def test_organizations_merged_across_regions_skip_entries_that_are_not_objects() -> None:
    regions = [{"url": "https://us.sentry.io"}, {"url": "https://de.sentry.io"}]
    page = await _call(_sentry(regions, [1, "x", None, {"id": "1", "slug": "acme"}], []), "organizations", {})
    assert page["data"] == [{"id": "1", "slug": "acme"}]


def test_a_profile_with_odd_frames_and_stack_ids_is_still_summarised() -> None:
    profile = {
        "samples": [{"stack_id": 0}, {"stack_id": [0]}, {"stack_id": {"a": 1}}, {"stack_id": 1}],
        "stacks": [[0], [1]],
        "frames": [7, {"function": "handler", "module": "app", "in_app": True}],
    }
    out = profile_summary({"profile": profile})
    assert out["samples"] == 4
    assert {row["frame"] for row in out["hot_frames"]} == {"?", "app handler"}
    assert [row["frame"] for row in out["in_app_by_total"]] == ["app handler"]


@pytest.mark.parametrize(
    "body",
    [
        {"detail": "x" * 100_000},
        {"name": ["y" * 50_000] * 3},
        {"detail": [{"loc": ["body", "name"], "msg": "z" * 100_000}]},  # the Airbyte API's validation errors
    ],
)
def test_an_error_body_of_megabytes_is_repeated_cut(body: Any) -> None:
    raw = json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    errors = [
        error_from_response(status=400, headers=headers, body=raw, what="GET /api/0/projects/", now=0.0),
        airbyte_error(httpx2.Response(422, content=raw, headers=headers), "execute"),
    ]
    for error in errors:
        assert error.detail is not None and len(error.detail) <= MAX_DETAIL + 40
        assert len(str(error)) < MAX_DETAIL + 500
        assert error.detail.endswith(" characters)")


def test_a_short_error_detail_is_repeated_whole() -> None:
    raw = json.dumps({"detail": "The requested resource does not exist"}).encode()
    error = error_from_response(status=404, headers={}, body=raw, what="GET /api/0/projects/", now=0.0)
    assert error.detail == "The requested resource does not exist"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
async def test_nan_and_infinity_are_not_json(constant: bytes) -> None:
    """Python's JSON extensions in an answer are a malformed answer, said as one, never an OverflowError later."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b'[{"id": "1", "shortId": "WEB-1", "count": ' + constant + b"}]")

    with pytest.raises(UpstreamProtocolError):
        await _call(httpx2.MockTransport(handle), "issues", {"organization_slug": "acme"})
