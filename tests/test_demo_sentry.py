"""The demo Sentry behaves like Sentry where a client can tell: auth and error bodies, Link pagination,
parameter bounds, lookups, the renamed-project 302, issue updates, rate limits, and a real HTTP server."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

import httpx2
import pytest

from sentry_demo import DEMO_TOKEN, DemoSentryApp, DemoSentryServer, create_app, dataset

BASE = "http://demo.sentry.local"
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}
NOT_FOUND = {"detail": "The requested resource does not exist"}
LINK = re.compile(r'<([^>]*)>; rel="(previous|next)"; results="(true|false)"; cursor="([^"]*)"')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def links(response: httpx2.Response) -> dict[str, tuple[str, bool, str]]:
    """rel -> (url, results, cursor), parsed from Sentry's Link header."""
    found = LINK.findall(response.headers["link"])
    return {rel: (url, results == "true", cursor) for url, rel, results, cursor in found}


@pytest.mark.anyio
async def test_missing_and_unknown_tokens_get_sentrys_401_bodies(client: httpx2.AsyncClient) -> None:
    url = "/api/0/projects/acme/web/issues/"
    anonymous = await client.get(url, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
    wrong = await client.get(url, headers={"Authorization": "Bearer sntryu_" + "0" * 64})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid token"})
    assert "x-sentry-rate-limit-limit" not in wrong.headers
    index = await client.get("/api/0/", headers={"Authorization": ""})
    assert index.json() == {"version": "0", "auth": None, "user": None}
    me = (await client.get("/api/0/")).json()
    assert me["version"] == "0" and me["user"]["username"] == "alice" and "event:write" in me["auth"]["scopes"]


@pytest.mark.anyio
async def test_org_tokens_may_read_releases_but_not_issues() -> None:
    org_token = "sntrys_eyJvcmciOiJhY21lIn0=_secret"
    app = create_app(tokens=[DEMO_TOKEN, org_token])
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url=BASE, headers={"Authorization": f"Bearer {org_token}"}
    ) as http:
        assert (await http.get("/api/0/organizations/acme/releases/")).status_code == 200
        denied = await http.get("/api/0/organizations/acme/issues/WEB-1/")
        assert denied.status_code == 403
        assert denied.json() == {"detail": "You do not have permission to perform this action."}


@pytest.mark.anyio
@pytest.mark.parametrize(
    "url",
    [
        "/api/0/organizations/nope/issues/WEB-1/",
        "/api/0/projects/acme/nope/",
        "/api/0/organizations/acme/issues/999999/",
        "/api/0/organizations/acme/issues/WEB-ZZZZ/",
        "/api/0/projects/acme/web/events/" + "0" * 32 + "/",
        "/api/0/projects/acme/web/events/not-an-event-id/",
        "/api/0/organizations/acme/releases/frontend%409.9.9/",
    ],
)
async def test_unknown_resources_answer_404_with_sentrys_body(client: httpx2.AsyncClient, url: str) -> None:
    response = await client.get(url)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.anyio
async def test_a_path_without_trailing_slash_is_not_found(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/0/projects/acme/web")
    assert response.status_code == 404 and "did you forget a trailing slash?" in response.text


@pytest.mark.anyio
async def test_link_pagination_walks_every_web_issue_exactly_once(client: httpx2.AsyncClient) -> None:
    all_web = {i.id for i in dataset().issues if i.project_slug == "web"}
    assert len(all_web) > 100
    seen: list[str] = []
    response = await client.get("/api/0/projects/acme/web/issues/", params={"query": "", "statsPeriod": "24h"})
    assert links(response)["previous"][1] is False
    pages = 0
    while True:
        pages += 1
        assert response.status_code == 200 and response.headers["x-hits"] == str(len(all_web))
        seen += [issue["id"] for issue in response.json()]
        url, more, cursor = links(response)["next"]
        assert url.startswith(f"{BASE}/api/0/projects/acme/web/issues/?query=&statsPeriod=24h&cursor=")
        if not more:
            break
        response = await client.get(
            "/api/0/projects/acme/web/issues/", params={"query": "", "statsPeriod": "24h", "cursor": cursor}
        )
    assert pages == 2
    assert len(seen) == len(set(seen)) and set(seen) == all_web


@pytest.mark.anyio
async def test_link_header_has_both_rels_in_sentrys_exact_format(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/0/projects/")
    assert response.headers["link"] == (
        f'<{BASE}/api/0/projects/?&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", '
        f'<{BASE}/api/0/projects/?&cursor=0:100:0>; rel="next"; results="false"; cursor="0:100:0"'
    )
    assert [p["slug"] for p in response.json()] == ["web", "api", "worker", "ios"]
    second = await client.get("/api/0/projects/acme/web/events/", params={"per_page": 5, "cursor": "0:5:0"})
    assert links(second)["previous"][1:] == (True, "0:0:1") and links(second)["next"][1:] == (True, "0:10:0")


@pytest.mark.anyio
async def test_default_issue_query_is_unresolved_and_filters_work(client: httpx2.AsyncClient) -> None:
    default = (await client.get("/api/0/projects/acme/api/issues/")).json()
    assert default and {i["status"] for i in default} == {"unresolved"}
    fatal = (await client.get("/api/0/organizations/acme/issues/", params={"query": "level:fatal"})).json()
    assert fatal and {i["level"] for i in fatal} == {"fatal"}
    feedback = (await client.get("/api/0/projects/acme/web/issues/?query=issue.category:feedback")).json()
    assert feedback and {i["issueCategory"] for i in feedback} == {"feedback"}
    text = (await client.get("/api/0/projects/acme/web/issues/", params={"query": "minified react"})).json()
    assert text and all("Minified React" in i["title"] for i in text)
    bad = await client.get("/api/0/projects/acme/web/issues/", params={"query": "is:sleeping"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith('Invalid value for "is" search')


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/api/0/projects/?per_page=0", "Invalid per_page value. Must be between 1 and 100."),
        ("/api/0/projects/acme/web/events/?per_page=101", "Invalid per_page value. Must be between 1 and 100."),
        ("/api/0/organizations/acme/releases/?per_page=ten", "Invalid per_page parameter."),
        ("/api/0/projects/acme/web/events/?cursor=bogus", "Invalid cursor parameter."),
        ("/api/0/projects/acme/web/issues/?cursor=0:-5:0", "Invalid cursor parameter."),
        ("/api/0/projects/acme/web/issues/?limit=101", "Invalid limit value. Must be between 1 and 100."),
        (
            "/api/0/projects/acme/web/issues/?statsPeriod=7d",
            "Invalid stats_period. Valid choices are '', '24h', and '14d'",
        ),
    ],
)
async def test_bad_parameters_answer_400_with_sentrys_detail(client: httpx2.AsyncClient, url: str, detail: str) -> None:
    response = await client.get(url)
    assert (response.status_code, response.json()) == (400, {"detail": detail})


@pytest.mark.anyio
async def test_percent_encoded_release_version_is_one_path_segment(
    client: httpx2.AsyncClient, app: DemoSentryApp
) -> None:
    version = "frontend@1.2.3+build/45 beta"
    response = await client.get(f"/api/0/organizations/acme/releases/{quote(version, safe='')}/")
    assert response.status_code == 200 and response.json()["version"] == version
    assert response.json()["projects"][0]["slug"] == "web"
    assert app.requests[-1].path == "/api/0/organizations/acme/releases/frontend%401.2.3%2Bbuild%2F45%20beta/"
    listed = (await client.get("/api/0/organizations/acme/releases/", params={"query": "frontend@2"})).json()
    assert [r["version"] for r in listed] == ["frontend@2.4.0", "frontend@2.3.1", "frontend@2.3.0"]


@pytest.mark.anyio
async def test_short_ids_resolve_case_insensitively(client: httpx2.AsyncClient) -> None:
    by_short = (await client.get("/api/0/organizations/acme/issues/web-1a/")).json()
    assert by_short["shortId"] == "WEB-1A"
    by_id = (await client.get(f"/api/0/organizations/1/issues/{by_short['id']}/")).json()
    assert by_id["shortId"] == "WEB-1A"
    hit = await client.get("/api/0/projects/acme/web/issues/", params={"query": "WEB-1A", "shortIdLookup": "1"})
    assert hit.headers["x-sentry-direct-hit"] == "1" and [i["id"] for i in hit.json()] == [by_short["id"]]
    resolved = (await client.get("/api/0/organizations/acme/shortids/WEB-1A/")).json()
    assert (resolved["groupId"], resolved["projectSlug"]) == (by_short["id"], "web")


@pytest.mark.anyio
async def test_renamed_project_slug_answers_302_resource_moved(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/0/projects/acme/frontend-app/issues/", params={"query": "is:unresolved"})
    assert response.status_code == 302
    assert response.json() == {
        "detail": {
            "code": "resource-moved",
            "message": "Resource has been moved",
            "extra": {"url": "/api/0/projects/acme/web/issues/?query=is%3Aunresolved", "slug": "web"},
        }
    }


@pytest.mark.anyio
async def test_events_have_entries_only_when_full(client: httpx2.AsyncClient) -> None:
    plain = (await client.get("/api/0/projects/acme/web/events/", params={"per_page": 3})).json()
    assert plain and all("entries" not in e for e in plain)
    full = (await client.get("/api/0/projects/acme/api/events/", params={"full": "true", "per_page": 3})).json()
    exception = next(entry for entry in full[0]["entries"] if entry["type"] == "exception")
    frame = exception["data"]["values"][0]["stacktrace"]["frames"][-1]
    assert frame["inApp"] is True and isinstance(frame["lineNo"], int) and frame["absPath"]
    assert [n for n, _ in frame["context"]] == list(range(frame["lineNo"] - 3, frame["lineNo"] + 3))
    assert {"breadcrumbs", "request"} <= {entry["type"] for entry in full[0]["entries"]}
    issue_id = full[0]["groupID"]
    latest = (await client.get(f"/api/0/organizations/acme/issues/{issue_id}/events/latest/")).json()
    assert latest["groupID"] == issue_id and latest["nextEventID"] is None


@pytest.mark.anyio
async def test_put_resolves_an_issue_and_it_reads_back_resolved(client: httpx2.AsyncClient) -> None:
    url = "/api/0/organizations/acme/issues/WEB-1A/"
    before = (await client.get(url)).json()
    assert before["status"] == "unresolved"
    updated = await client.put(url, json={"status": "resolved", "statusDetails": {"inRelease": "latest"}})
    assert updated.status_code == 200 and updated.json()["status"] == "resolved"
    assert updated.json()["statusDetails"]["inRelease"] == "frontend@2.4.0"
    assert (await client.get(url)).json()["status"] == "resolved"
    resolved = (await client.get("/api/0/projects/acme/web/issues/", params={"query": "is:resolved"})).json()
    assert before["id"] in {i["id"] for i in resolved}
    assigned = (await client.put(url, json={"assignedTo": "carmen@acme.example"})).json()["assignedTo"]
    assert assigned == {"type": "user", "id": "103", "name": "Carmen Diaz", "email": "carmen@acme.example"}
    fresh = create_app()  # another instance keeps its own state
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=fresh), base_url=BASE, headers=AUTH) as other:
        assert (await other.get(url)).json()["status"] == "unresolved"


@pytest.mark.anyio
async def test_invalid_put_values_answer_a_400_field_map_and_change_nothing(client: httpx2.AsyncClient) -> None:
    url = "/api/0/organizations/acme/issues/WEB-1A/"
    bad = await client.put(url, json={"status": "bogus", "assignedTo": "user:104", "hasSeen": "maybe"})
    assert bad.status_code == 400
    assert bad.json() == {
        "status": ['"bogus" is not a valid choice.'],
        "assignedTo": ["Cannot assign to non-team member"],
        "hasSeen": ["Must be a valid boolean."],
    }
    assert (await client.get(url)).json()["status"] == "unresolved"


@pytest.mark.anyio
async def test_rate_limit_headers_then_429_without_retry_after() -> None:
    app = create_app(rate_limit=2, rate_window=10)
    app.clock = lambda: 1_700_000_003.0
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE, headers=AUTH) as http:
        first, second, third = [await http.get("/api/0/projects/acme/web/") for _ in range(3)]
        other_route = await http.get("/api/0/projects/")
        app.clock = lambda: 1_700_000_010.0
        next_window = await http.get("/api/0/projects/acme/web/")
    assert [r.headers["x-sentry-rate-limit-remaining"] for r in (first, second, third)] == ["1", "0", "0"]
    assert first.headers["x-sentry-rate-limit-limit"] == "2"
    assert first.headers["x-sentry-rate-limit-reset"] == "1700000010"
    assert third.status_code == 429 and "retry-after" not in third.headers
    assert third.json() == {
        "detail": "You are attempting to use this endpoint too frequently. Limit is 2 requests in 10 seconds"
    }
    assert other_route.status_code == 200 and next_window.status_code == 200


@pytest.mark.anyio
async def test_self_hosted_sends_no_rate_limit_headers() -> None:
    app = create_app(self_hosted=True, rate_limit=1)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE, headers=AUTH) as http:
        responses = [await http.get("/api/0/projects/") for _ in range(3)]
    assert all(r.status_code == 200 for r in responses)
    assert not any(h.startswith("x-sentry-rate-limit") for r in responses for h in r.headers)


@pytest.mark.anyio
async def test_injected_faults_hit_the_next_request_only(client: httpx2.AsyncClient, app: DemoSentryApp) -> None:
    app.add_fault(status=503, times=1, path_contains="/issues/")
    failed = await client.get("/api/0/projects/acme/web/issues/")
    assert failed.status_code == 503 and failed.headers["content-type"] == "text/html"
    assert (await client.get("/api/0/projects/acme/web/issues/")).status_code == 200
    assert [r.status for r in app.requests] == [503, 200]


def test_server_answers_over_real_http_and_logs_requests() -> None:
    with DemoSentryServer(rate_limit=50) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        started = time.monotonic()
        response = httpx2.get(
            f"{server.url}/api/0/projects/acme/web/issues/",
            headers=AUTH,
            params=[("query", "is:unresolved"), ("limit", "10")],
        )
        assert time.monotonic() - started < 5
        assert response.status_code == 200 and len(response.json()) == 10
        assert response.headers["x-sentry-rate-limit-limit"] == "50"
        assert links(response)["next"][0].startswith(f"{server.url}/api/0/projects/acme/web/issues/?")
        recorded: Any = server.requests[-1]
        assert (recorded.method, recorded.path, recorded.status) == ("GET", "/api/0/projects/acme/web/issues/", 200)
        assert recorded.query == [("query", "is:unresolved"), ("limit", "10")]
        assert recorded.headers["authorization"] == f"Bearer {DEMO_TOKEN}"
        server.add_fault(disconnect=True)
        with pytest.raises(httpx2.RemoteProtocolError):
            httpx2.get(f"{server.url}/api/0/projects/", headers=AUTH)
        assert httpx2.get(f"{server.url}/api/0/projects/", headers=AUTH).status_code == 200
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(f"{server.url}/api/0/", timeout=1)
