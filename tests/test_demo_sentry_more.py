"""The demo Sentry's newer routes behave like Sentry where a client can tell: regions and `/auth/`,
notes, tags, Discover, stats and release health, monitors, replays, client keys and the rest."""

from __future__ import annotations

import re
from typing import Any

import httpx2
import pytest

from sentry_demo import DEMO_TOKEN, DemoSentryServer, create_app, dataset

BASE = "http://demo.sentry.local"
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}
NOT_FOUND = {"detail": "The requested resource does not exist"}
LINK = re.compile(r'<([^>]*)>; rel="(previous|next)"; results="(true|false)"; cursor="([^"]*)"')
ORG = "/api/0/organizations/acme"


def next_cursor(response: httpx2.Response) -> str | None:
    """The `rel="next"` cursor when Sentry says there are results, else None."""
    for _, rel, results, cursor in LINK.findall(response.headers["link"]):
        if rel == "next":
            return cursor if results == "true" else None
    raise AssertionError("no next link")


async def get_json(client: httpx2.AsyncClient, url: str, **params: Any) -> Any:
    response = await client.get(url, params=params)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response.json()


@pytest.mark.anyio
async def test_auth_and_regions_default_to_one_us_region_on_the_base_url(client: httpx2.AsyncClient) -> None:
    me = await get_json(client, "/api/0/auth/")
    assert (me["id"], me["name"], me["email"]) == ("101", "Alice Chen", "alice@acme.example")
    assert {"options", "dateJoined", "lastLogin", "has2fa", "avatarUrl", "isActive"} <= set(me)
    assert await get_json(client, "/api/0/users/me/regions/") == {"regions": [{"name": "us", "url": BASE}]}
    org = await get_json(client, f"{ORG}/")
    assert org["links"] == {"organizationUrl": BASE, "regionUrl": BASE}


@pytest.mark.anyio
async def test_self_hosted_style_demo_has_no_regions_route() -> None:
    app = create_app(regions=[], self_hosted=True)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=BASE, headers=AUTH) as http:
        regions = await http.get("/api/0/users/me/regions/")
        assert (regions.status_code, regions.json()) == (404, NOT_FOUND)
        assert (await http.get("/api/0/auth/")).status_code == 200
        anonymous = await http.get("/api/0/auth/", headers={"Authorization": ""})
        assert anonymous.status_code == 401


def test_control_host_points_the_organization_at_its_region_over_http() -> None:
    with DemoSentryServer() as region:
        regions = [{"name": "us", "url": region.url}]
        with DemoSentryServer(regions=regions, org_region_url=region.url) as control:
            listed = httpx2.get(f"{control.url}/api/0/users/me/regions/", headers=AUTH).json()
            assert listed == {"regions": regions}
            orgs = httpx2.get(f"{control.url}/api/0/organizations/", headers=AUTH).json()
            assert orgs[0]["links"]["regionUrl"] == region.url
            issues = httpx2.get(f"{orgs[0]['links']['regionUrl']}/api/0/organizations/acme/issues/", headers=AUTH)
            assert issues.status_code == 200 and issues.json()
        assert region.requests[-1].path == "/api/0/organizations/acme/issues/"
        own = httpx2.get(f"{region.url}/api/0/organizations/acme/", headers=AUTH).json()
        assert own["links"]["regionUrl"] == region.url


@pytest.mark.anyio
async def test_notes_read_back_newest_first_and_bump_num_comments(client: httpx2.AsyncClient) -> None:
    issue = next(i for i in dataset().issues if i.num_comments >= 2)
    url = f"{ORG}/issues/{issue.id}/notes/"
    seeded = await get_json(client, url)
    assert len(seeded) == issue.num_comments
    assert [int(n["id"]) for n in seeded] == sorted((int(n["id"]) for n in seeded), reverse=True)
    assert all(n["type"] == "note" and n["data"]["text"] for n in seeded)
    created = await client.post(url, json={"text": "Fixed in frontend@2.4.1, verifying."})
    assert created.status_code == 201
    note = created.json()
    assert {"id", "user", "type", "data", "dateCreated"} <= set(note)
    assert (note["type"], note["data"], note["user"]["id"]) == (
        "note",
        {"text": "Fixed in frontend@2.4.1, verifying."},
        "101",
    )
    after = await get_json(client, url)
    assert after[0] == note and len(after) == issue.num_comments + 1
    detail = await get_json(client, f"{ORG}/issues/{issue.id}/")
    assert detail["numComments"] == issue.num_comments + 1
    assert detail["activity"][0]["id"] == note["id"]
    for body in ({"text": ""}, {}, {"text": "   "}):
        bad = await client.post(url, json=body)
        assert (bad.status_code, bad.json()) == (400, {"text": ["This field is required."]})
    again = await client.post(url, json={"text": "Fixed in frontend@2.4.1, verifying."})
    assert (again.status_code, again.json()) == (400, {"detail": "You have already posted that comment."})
    assert (await client.get(f"{ORG}/issues/{issue.id}/comments/")).json()[0] == note


@pytest.mark.anyio
async def test_tag_values_paginate_and_add_up_to_the_issue_count(client: httpx2.AsyncClient) -> None:
    issue = next(i for i in dataset().issues if i.project_slug == "web" and len(i.event_ids) >= 4)
    url = f"{ORG}/issues/{issue.id}/tags/user/values/"
    seen: list[dict[str, Any]] = []
    cursor: str | None = ""
    while cursor is not None:
        response = await client.get(url, params={"per_page": 1, "sort": "-count", "cursor": cursor})
        assert response.status_code == 200 and len(response.json()) == 1
        seen += response.json()
        cursor = next_cursor(response)
    detail = await get_json(client, f"{ORG}/issues/{issue.id}/tags/user/")
    assert len(seen) == detail["uniqueValues"] >= 2
    assert [v["count"] for v in seen] == sorted((v["count"] for v in seen), reverse=True)
    assert sum(v["count"] for v in seen) == detail["totalValues"] == issue.count
    assert detail["topValues"][0] == seen[0] and seen[0]["key"] == "user"
    missing = await client.get(f"{ORG}/issues/{issue.id}/tags/no.such.tag/")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)
    bad = await client.get(url, params={"sort": "size"})
    assert bad.status_code == 400


@pytest.mark.anyio
async def test_discover_requires_fields_checks_sort_and_aggregates(client: httpx2.AsyncClient) -> None:
    url = f"{ORG}/events/"
    missing = await client.get(url, params={"dataset": "errors"})
    assert (missing.status_code, missing.json()) == (400, {"detail": "No columns selected"})
    unsorted = await client.get(url, params={"dataset": "errors", "field": "title", "sort": "-count()"})
    assert unsorted.json() == {"detail": "Cannot sort by a field that is not selected."}
    wrong = await client.get(url, params={"dataset": "metrics", "field": "title"})
    assert wrong.status_code == 400 and wrong.json()["detail"].startswith("dataset must be one of")
    params = [("dataset", "errors"), ("field", "project"), ("field", "count()"), ("sort", "-count()")]
    body = (await client.get(url, params=[*params, ("statsPeriod", "30d")])).json()
    counts = [row["count()"] for row in body["data"]]
    assert counts == sorted(counts, reverse=True) and {row["project"] for row in body["data"]} == {
        "web",
        "api",
        "worker",
        "ios",
    }
    assert body["meta"]["fields"] == {"project": "string", "count()": "integer"}
    issue = next(i for i in reversed(dataset().issues) if i.kind == "error")
    query = [*params, ("query", f"issue:{issue.short_id}"), ("statsPeriod", "90d")]
    one = (await client.get(url, params=query)).json()["data"]
    assert one == [{"project": issue.project_slug, "count()": issue.count}]
    rows = await get_json(
        client, url, dataset="errors", field=["id", "level", "timestamp"], query="level:fatal", per_page=3
    )
    assert len(rows["data"]) == 3 and {r["level"] for r in rows["data"]} == {"fatal"}
    assert {"id", "project.name"} <= set(rows["data"][0])
    stamps = [r["timestamp"] for r in rows["data"]]
    assert stamps == sorted(stamps, reverse=True)
    grouped = await get_json(
        client,
        url,
        dataset="errors",
        field=["project", "level", "count()"],
        query="(level:fatal OR level:warning) !project:ios",
    )
    assert grouped["data"] and {
        (r["level"] in ("fatal", "warning"), r["project"] != "ios") for r in grouped["data"]
    } == {(True, True)}
    busy = await get_json(client, url, dataset="errors", field=["project", "count()"], query="count():>20000")
    assert busy["data"] and all(r["count()"] > 20000 for r in busy["data"])


@pytest.mark.anyio
async def test_stats_v2_shape_and_parameter_errors(client: httpx2.AsyncClient) -> None:
    url = f"{ORG}/stats_v2/"
    body = await get_json(
        client, url, field="sum(quantity)", groupBy=["category", "outcome"], statsPeriod="2d", interval="1d"
    )
    assert set(body) == {"start", "end", "intervals", "groups"} and len(body["intervals"]) == 2
    errors = next(g for g in body["groups"] if g["by"] == {"category": "error", "outcome": "accepted"})
    assert errors["totals"]["sum(quantity)"] == sum(errors["series"]["sum(quantity)"]) > 0
    for params, detail in (
        ({"field": "sum(bytes)", "category": "error"}, 'Invalid field: "sum(bytes)"'),
        ({"field": "sum(quantity)", "groupBy": "team", "category": "error"}, 'Invalid groupBy: "team"'),
        ({"field": "sum(quantity)", "groupBy": "outcome"}, "Query must have category as groupby or filter"),
        ({"groupBy": "outcome", "category": "error"}, 'Request is missing a "field"'),
        (
            {"field": "sum(quantity)", "category": "error", "interval": "7h"},
            "The interval should divide one day without a remainder.",
        ),
    ):
        response = await client.get(url, params=params)
        assert (response.status_code, response.json()) == (400, {"detail": detail})


@pytest.mark.anyio
async def test_sessions_show_the_bad_release(client: httpx2.AsyncClient) -> None:
    url = f"{ORG}/sessions/"
    fields = ["crash_free_rate(session)", "sum(session)"]
    body = await get_json(
        client, url, field=fields, groupBy="release", statsPeriod="14d", interval="1d", project="4501"
    )
    assert set(body) == {"start", "end", "intervals", "groups", "query"}
    rates = {g["by"]["release"]: g["totals"]["crash_free_rate(session)"] for g in body["groups"]}
    assert min(rates, key=rates.__getitem__) == "frontend@2.4.0"
    assert rates["frontend@2.4.0"] < 0.98 < min(r for v, r in rates.items() if v != "frontend@2.4.0")
    group = body["groups"][0]
    assert len(group["series"]["sum(session)"]) == len(body["intervals"]) == 14
    one = await get_json(client, url, field="sum(session)", groupBy="session.status", query="release:frontend@2.4.0")
    assert {g["by"]["session.status"] for g in one["groups"]} == {"healthy", "errored", "crashed", "abnormal"}
    assert one["query"] == "release:frontend@2.4.0"
    for params in (
        {"groupBy": "release"},
        {"field": "crash_free_rate(user)", "groupBy": "session.status"},
        {"field": "sum(session)", "groupBy": "browser"},
        {"field": "avg(session)"},
    ):
        response = await client.get(url, params=params)
        assert response.status_code == 400 and "detail" in response.json()


@pytest.mark.anyio
async def test_replays_wrap_in_data_and_link_to_error_events(client: httpx2.AsyncClient) -> None:
    listed = await client.get(f"{ORG}/replays/", params={"per_page": 5, "query": "count_errors:>0"})
    body = listed.json()
    assert set(body) == {"data"} and len(body["data"]) == 5 and next_cursor(listed)
    replay = body["data"][0]
    assert re.fullmatch(r"[0-9a-f]{32}", replay["id"]) and replay["count_errors"] == len(replay["error_ids"]) > 0
    dashed = "-".join(
        (replay["id"][:8], replay["id"][8:12], replay["id"][12:16], replay["id"][16:20], replay["id"][20:])
    )
    assert (await get_json(client, f"{ORG}/replays/{dashed}/")) == {"data": replay}
    event = await get_json(client, f"{ORG}/eventids/{replay['error_ids'][0]}/")
    assert {"key": "replayId", "value": replay["id"]} in event["event"]["tags"]
    assert (await client.get(f"{ORG}/replays/{'0' * 32}/")).json() == NOT_FOUND
    assert (await client.get(f"{ORG}/eventids/{'0' * 32}/")).status_code == 404


@pytest.mark.anyio
async def test_client_keys_include_secrets_as_sentry_does(client: httpx2.AsyncClient) -> None:
    keys = await get_json(client, "/api/0/projects/acme/web/keys/")
    assert [k["isActive"] for k in keys] == [True, False]
    key = keys[0]
    assert re.fullmatch(r"[0-9a-f]{32}", key["secret"]) and key["public"] == key["id"]
    assert key["dsn"]["secret"] == f"http://{key['public']}:{key['secret']}@demo.sentry.local/4501"
    assert key["secret"] not in key["dsn"]["public"]
    assert len(await get_json(client, "/api/0/projects/acme/web/keys/", status="active")) == 1


@pytest.mark.anyio
async def test_monitors_one_failing_with_checkins_newest_first(client: httpx2.AsyncClient) -> None:
    monitors = await get_json(client, f"{ORG}/monitors/")
    assert monitors[0]["slug"] == "sync-inventory" and len(monitors) == 4
    failing = monitors[0]["environments"][0]
    assert failing["status"] == "error" and failing["activeIncident"]["startingTimestamp"]
    first = await client.get(f"{ORG}/monitors/sync-inventory/checkins/", params={"per_page": 5})
    statuses = [c["status"] for c in first.json()]
    assert statuses == ["error", "timeout", "missed", "error", "error"] and next_cursor(first)
    times = [c["expectedTime"] for c in first.json()]
    assert times == sorted(times, reverse=True)
    by_id = await get_json(client, f"{ORG}/monitors/{monitors[0]['id']}/")
    assert by_id["slug"] == "sync-inventory"
    assert (await client.get(f"{ORG}/monitors/no-such-cron/")).json() == NOT_FOUND
    wrong_project = await client.get("/api/0/projects/acme/web/monitors/sync-inventory/")
    assert wrong_project.status_code == 404


@pytest.mark.anyio
async def test_org_issue_list_honours_project_environment_window_and_sort(client: httpx2.AsyncClient) -> None:
    url = f"{ORG}/issues/"
    api_only = await get_json(client, url, project="4502", query="", limit=100)
    assert api_only and {i["project"]["slug"] for i in api_only} == {"api"}
    recent = await get_json(client, url, query="", statsPeriod="24h", sort="freq", limit=100)
    counts = [int(i["count"]) for i in recent]
    assert counts == sorted(counts, reverse=True)
    assert all(i["lastSeen"] >= "2026-03-01T12:00:00" for i in recent)
    staging = await get_json(client, url, query="", environment="staging", limit=100)
    assert 0 < len(staging) < len(await get_json(client, url, query="", limit=100))
    unknown = await client.get(url, params={"project": "999"})
    assert unknown.status_code == 403


@pytest.mark.anyio
async def test_people_environments_and_legacy_alert_rules(client: httpx2.AsyncClient) -> None:
    members = await get_json(client, f"{ORG}/members/")
    pending = [m for m in members if m["pending"]]
    assert len(pending) == 1 and pending[0]["user"] is None and pending[0]["inviteStatus"] == "pending"
    assert {m["user"]["id"] for m in members if m["user"]} == {m.id for m in dataset().members}
    team = await get_json(client, "/api/0/teams/acme/11/")
    assert team["slug"] == "frontend" and team["organization"]["slug"] == "acme"
    assert (await client.get("/api/0/teams/acme/nope/")).json() == NOT_FOUND
    assert [e["name"] for e in await get_json(client, f"{ORG}/environments/")] == [
        "production",
        "staging",
        "development",
    ]
    assert [e["name"] for e in await get_json(client, f"{ORG}/environments/", visibility="hidden")] == ["load-test"]
    assert (await client.get("/api/0/projects/acme/api/rules/8301/")).status_code == 404
    assert (await get_json(client, "/api/0/projects/acme/web/rules/8301/"))["projects"] == ["web"]
    matches = await get_json(client, f"{ORG}/projects/", query="checkout")
    assert matches == []
    assert [p["slug"] for p in await get_json(client, f"{ORG}/projects/", query="wor")] == ["worker"]
