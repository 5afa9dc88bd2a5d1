"""Every route the demo Sentry serves that Sentry's OpenAPI spec documents answers its success status with a body
that validates against the spec's response schema (including the legacy `GET /api/0/projects/`, alert rules
and issue alert rules from the 2025-10 extract)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import httpx2
import pytest
from jsonschema import Draft4Validator

from sentry_demo import dataset, trace_data
from sentry_demo.attachment_data import attachments_of

from data import extract_openapi

SPEC_DIR = Path(__file__).resolve().parents[2] / "shared" / "sentry-openapi"
EXTRACT = Path(__file__).resolve().parent / "data" / "sentry-openapi-responses.json"
ORG = "/api/0/organizations/{organization_id_or_slug}"
PROJ = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}"
TEAM = "/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/"
SCHEMA_KEYWORDS_TO_DROP = {"nullable", "format", "example", "examples", "description", "title"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` allows null; `format` and examples are dropped."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in SCHEMA_KEYWORDS_TO_DROP or key.startswith("x-"):
            continue
        if key == "properties":  # property names are data, never keywords
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        else:
            out[key] = to_json_schema(value)
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def fix_known_spec_gaps(node: Any) -> Any:
    """The spec's cron monitor schemas come from TypedDicts that disagree with what Sentry's
    `MonitorSerializer` returns (src/sentry/monitors/serializers.py): `environments` is a *list* of
    monitor environments, an interval `schedule` is `[15, "minute"]`, and an open incident has
    `resolvingTimestamp: null`. Patch those three spots, nothing else."""
    if isinstance(node, list):
        return [fix_known_spec_gaps(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: fix_known_spec_gaps(value) for key, value in node.items()}
    props = out.get("properties", {})
    environments = props.get("environments", {})
    if environments.get("type") == "object" and "nextCheckInLatest" in environments.get("properties", {}):
        props["environments"] = {"type": "array", "items": environments}
    for branch in props.get("schedule", {}).get("anyOf", []):
        if branch.get("type") == "array":
            branch["items"] = {"type": ["integer", "string"]}
    if "resolvingTimestamp" in props:
        props["resolvingTimestamp"] = props["resolvingTimestamp"] | {"nullable": True}
    return out


@functools.cache
def _schemas() -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(EXTRACT.read_text()))


@functools.cache
def validator(method: str, template: str) -> Draft4Validator:
    return Draft4Validator(to_json_schema(fix_known_spec_gaps(_schemas()[f"{method} {template}"])))


def test_extract_matches_the_published_spec() -> None:
    """The committed extract is what ``tests/data/extract_openapi.py`` makes of the spec today."""
    if not (SPEC_DIR / "openapi-derefed.json").exists():
        pytest.skip(f"the full spec is not at {SPEC_DIR}")
    assert extract_openapi.extract(SPEC_DIR) == _schemas(), "run python tests/data/extract_openapi.py"


def assert_conforms(method: str, template: str, body: Any) -> None:
    errors = sorted(validator(method, template).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


async def fetch(client: httpx2.AsyncClient, url: str, method: str = "GET", **kwargs: Any) -> Any:
    response = await client.request(method, url, **kwargs)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/json"
    return response.json()


def _sample_issues() -> list[Any]:
    """One issue per (project, kind, status) combination: every shape the demo produces."""
    seen: dict[tuple[str, str, str], Any] = {}
    for issue in dataset().issues:
        seen.setdefault((issue.project_slug, issue.kind, issue.initial["status"]), issue)
    return list(seen.values())


PROJECTS = ["web", "api", "worker", "ios"]
SIMPLE_ROUTES = [
    ("/api/0/organizations/", "/api/0/organizations/"),
    ("/api/0/organizations/acme/", f"{ORG}/"),
    ("/api/0/organizations/1/?detailed=0", f"{ORG}/"),
    ("/api/0/organizations/acme/projects/", f"{ORG}/projects/"),
    ("/api/0/organizations/acme/teams/", f"{ORG}/teams/"),
    ("/api/0/projects/", "/api/0/projects/"),
    ("/api/0/organizations/acme/releases/", f"{ORG}/releases/"),
    ("/api/0/organizations/acme/releases/?project=4502&query=api", f"{ORG}/releases/"),
    ("/api/0/organizations/acme/shortids/WEB-1A/", f"{ORG}/shortids/{{issue_id}}/"),
    *[(f"/api/0/projects/acme/{slug}/", f"{PROJ}/") for slug in PROJECTS],
    *[
        (f"/api/0/projects/acme/{slug}/issues/?query={q}", f"{PROJ}/issues/")
        for slug in PROJECTS
        for q in ("", "is:unresolved")
    ],
    ("/api/0/projects/acme/web/issues/?statsPeriod=14d&query=is:ignored", f"{PROJ}/issues/"),
    ("/api/0/projects/acme/web/issues/?statsPeriod=&query=is:resolved", f"{PROJ}/issues/"),
    *[(f"/api/0/projects/acme/{slug}/events/", f"{PROJ}/events/") for slug in PROJECTS],
    *[(f"/api/0/projects/acme/{slug}/events/?full=true&per_page=20", f"{PROJ}/events/") for slug in PROJECTS],
    ("/api/0/organizations/acme/issues/?query=&limit=100", f"{ORG}/issues/"),
    ("/api/0/organizations/acme/issues/?query=&limit=100&cursor=0:100:0", f"{ORG}/issues/"),
    ("/api/0/organizations/acme/issues/?query=issue.category:feedback&groupStatsPeriod=14d", f"{ORG}/issues/"),
    ("/api/0/teams/acme/frontend/", TEAM),
    ("/api/0/teams/acme/12/?expand=projects,externalTeams", TEAM),
    ("/api/0/teams/acme/mobile/?collapse=organization", TEAM),
    ("/api/0/organizations/acme/members/", f"{ORG}/members/"),
    ("/api/0/organizations/acme/environments/?visibility=all", f"{ORG}/environments/"),
    ("/api/0/organizations/acme/tags/", f"{ORG}/tags/"),
    ("/api/0/organizations/acme/tags/?dataset=replays", f"{ORG}/tags/"),
    ("/api/0/organizations/acme/tags/?project=4504&statsPeriod=24h&environment=production", f"{ORG}/tags/"),
    ("/api/0/organizations/acme/events/?dataset=errors&field=title&field=count()&sort=-count()", f"{ORG}/events/"),
    (
        "/api/0/organizations/acme/events/?dataset=errors&field=id&field=title&field=timestamp&field=level"
        "&field=project&field=issue&field=release&field=environment&field=user.email&query=level:error",
        f"{ORG}/events/",
    ),
    ("/api/0/organizations/acme/events/?dataset=spans&field=span.op&field=p95(span.duration)", f"{ORG}/events/"),
    ("/api/0/organizations/acme/events/?dataset=logs&field=message&field=severity&per_page=5", f"{ORG}/events/"),
    (
        "/api/0/organizations/acme/stats_v2/?field=sum(quantity)&groupBy=outcome&groupBy=category&statsPeriod=2d",
        f"{ORG}/stats_v2/",
    ),
    (
        "/api/0/organizations/acme/stats_v2/?field=sum(times_seen)&groupBy=project&category=error&interval=1d",
        f"{ORG}/stats_v2/",
    ),
    (
        "/api/0/organizations/acme/sessions/?field=crash_free_rate(session)&field=sum(session)&groupBy=release"
        "&statsPeriod=7d&interval=1d",
        f"{ORG}/sessions/",
    ),
    (
        "/api/0/organizations/acme/sessions/?field=sum(session)&field=count_unique(user)&groupBy=session.status"
        "&groupBy=project&groupBy=environment&query=release:frontend@2.4.0",
        f"{ORG}/sessions/",
    ),
    ("/api/0/organizations/acme/monitors/", f"{ORG}/monitors/"),
    ("/api/0/organizations/acme/alert-rules/", f"{ORG}/alert-rules/"),
    ("/api/0/organizations/acme/detectors/", f"{ORG}/detectors/"),
    ("/api/0/organizations/acme/workflows/", f"{ORG}/workflows/"),
    ("/api/0/organizations/acme/replays/", f"{ORG}/replays/"),
    ("/api/0/organizations/acme/replays/?field=id&field=count_errors&sort=-count_errors", f"{ORG}/replays/"),
    *[(f"/api/0/projects/acme/{slug}/user-feedback/", f"{PROJ}/user-feedback/") for slug in ("web", "ios")],
    *[(f"/api/0/projects/acme/{slug}/keys/", f"{PROJ}/keys/") for slug in PROJECTS],
    *[(f"/api/0/projects/acme/{slug}/rules/", f"{PROJ}/rules/") for slug in PROJECTS],
]


@pytest.mark.anyio
@pytest.mark.parametrize(("url", "template"), SIMPLE_ROUTES, ids=[u for u, _ in SIMPLE_ROUTES])
async def test_route_conforms(client: httpx2.AsyncClient, url: str, template: str) -> None:
    body = await fetch(client, url)
    rows = body.get("data", body.get("groups")) if isinstance(body, dict) else body
    if isinstance(rows, list):
        assert rows, f"{url} returned no rows; nothing was validated"
    assert_conforms("GET", template, body)


@pytest.mark.anyio
async def test_every_release_detail_conforms(client: httpx2.AsyncClient) -> None:
    for release in dataset().releases:
        body = await fetch(client, f"/api/0/organizations/acme/releases/{quote(release.version, safe='')}/")
        assert body["version"] == release.version
        assert_conforms("GET", f"{ORG}/releases/{{version}}/", body)


@pytest.mark.anyio
async def test_every_release_deploy_and_commit_list_conforms(client: httpx2.AsyncClient) -> None:
    for release in dataset().releases:
        base = f"/api/0/organizations/acme/releases/{quote(release.version, safe='')}"
        deploys = await fetch(client, f"{base}/deploys/")
        assert len(deploys) == len(release.deploys)
        assert_conforms("GET", f"{ORG}/releases/{{version}}/deploys/", deploys)
        commits = await fetch(client, f"{base}/commits/")
        assert len(commits) == len(release.commits)
        assert_conforms("GET", f"{ORG}/releases/{{version}}/commits/", commits)


@pytest.mark.anyio
async def test_monitors_alert_rules_and_replays_conform_one_by_one(client: httpx2.AsyncClient) -> None:
    for monitor in await fetch(client, "/api/0/organizations/acme/monitors/"):
        project = monitor["project"]["slug"]
        for base, template in (
            (f"/api/0/organizations/acme/monitors/{monitor['slug']}", f"{ORG}/monitors/{{monitor_id_or_slug}}"),
            (f"/api/0/projects/acme/{project}/monitors/{monitor['id']}", f"{PROJ}/monitors/{{monitor_id_or_slug}}"),
        ):
            assert_conforms("GET", f"{template}/", await fetch(client, f"{base}/"))
            assert_conforms("GET", f"{template}/checkins/", await fetch(client, f"{base}/checkins/"))
    for rule in await fetch(client, "/api/0/organizations/acme/alert-rules/"):
        detail = await fetch(client, f"/api/0/organizations/acme/alert-rules/{rule['id']}/")
        assert_conforms("GET", f"{ORG}/alert-rules/{{alert_rule_id}}/", detail)
    for slug in PROJECTS:
        for rule in await fetch(client, f"/api/0/projects/acme/{slug}/rules/"):
            detail = await fetch(client, f"/api/0/projects/acme/{slug}/rules/{rule['id']}/")
            assert_conforms("GET", f"{PROJ}/rules/{{rule_id}}/", detail)
    for replay in (await fetch(client, "/api/0/organizations/acme/replays/?per_page=5"))["data"]:
        detail = await fetch(client, f"/api/0/organizations/acme/replays/{replay['id']}/")
        assert_conforms("GET", f"{ORG}/replays/{{replay_id}}/", detail)


@pytest.mark.anyio
async def test_issue_sub_resources_conform_for_every_kind(client: httpx2.AsyncClient) -> None:
    for issue in _sample_issues():
        base = f"/api/0/organizations/acme/issues/{issue.id}"
        for full in ("1", "0"):
            assert_conforms(
                "GET", f"{ORG}/issues/{{issue_id}}/hashes/", await fetch(client, f"{base}/hashes/?full={full}")
            )
        for key in ("environment", "release", "level"):
            tag = await fetch(client, f"{base}/tags/{key}/")
            assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/tags/{{key}}/", tag)
            values = await fetch(client, f"{base}/tags/{key}/values/?sort=-count")
            assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/tags/{{key}}/values/", values)
        event_id = dataset().events[issue.event_ids[-1]].id
        resolved = await fetch(client, f"/api/0/organizations/acme/eventids/{event_id}/")
        assert resolved["groupId"] == issue.id
        assert_conforms("GET", f"{ORG}/eventids/{{event_id}}/", resolved)


@pytest.mark.anyio
async def test_issue_detail_and_events_conform_for_every_kind(client: httpx2.AsyncClient) -> None:
    for issue in _sample_issues():
        detail = await fetch(client, f"/api/0/organizations/acme/issues/{issue.id}/")
        assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/", detail)
        events = await fetch(client, f"/api/0/organizations/acme/issues/{issue.id}/events/?full=true")
        assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/events/", events)
        for alias in ("latest", "oldest", "recommended", events[0]["eventID"]):
            event = await fetch(client, f"/api/0/organizations/acme/issues/{issue.id}/events/{alias}/")
            assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/events/{{event_id}}/", event)
        project_event = await fetch(client, f"/api/0/projects/acme/{issue.project_slug}/events/{events[0]['eventID']}/")
        assert_conforms("GET", f"{PROJ}/events/{{event_id}}/", project_event)


PUT_BODIES = [
    {"status": "resolved"},
    {"status": "resolvedInNextRelease"},
    {"status": "resolved", "statusDetails": {"inRelease": "latest"}},
    {"status": "resolved", "statusDetails": {"inCommit": {"commit": "a" * 40, "repository": "acme/web"}}},
    {"status": "ignored", "statusDetails": {"ignoreDuration": 60}},
    {"status": "ignored", "statusDetails": {"ignoreCount": 10, "ignoreWindow": 60}},
    {"status": "ignored", "statusDetails": {"ignoreUserCount": 5, "ignoreUserWindow": 1440}},
    {"status": "ignored", "substatus": "archived_until_escalating"},
    {"status": "unresolved", "substatus": "ongoing"},
    {"assignedTo": "team:11"},
    {"assignedTo": "user:101", "priority": "high", "isBookmarked": True, "hasSeen": True, "isSubscribed": False},
    {"assignedTo": ""},
]


@pytest.mark.anyio
@pytest.mark.parametrize("body", PUT_BODIES, ids=[json.dumps(b) for b in PUT_BODIES])
async def test_issue_update_response_conforms(client: httpx2.AsyncClient, body: dict[str, Any]) -> None:
    result = await fetch(client, "/api/0/organizations/acme/issues/WEB-1A/", method="PUT", json=body)
    assert_conforms("PUT", f"{ORG}/issues/{{issue_id}}/", result)
    assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/", result)


@pytest.mark.anyio
async def test_traces_profiles_attachments_autofix_and_dashboards_conform(client: httpx2.AsyncClient) -> None:
    """The reads of issue 13, for every trace with a profile, every attachment and every dashboard."""
    for event_id, profile_id in trace_data.profiled_events().items():
        event = dataset().events[event_id]
        trace = trace_data.trace_id_of(event)
        assert_conforms(
            "GET", f"{ORG}/trace/{{trace_id}}/", await fetch(client, f"/api/0/organizations/acme/trace/{trace}/")
        )
        meta = await fetch(client, f"/api/0/organizations/acme/trace-meta/{trace}/")
        assert_conforms("GET", f"{ORG}/trace-meta/{{trace_id}}/", meta)
        url = f"/api/0/projects/acme/{event.project_slug}/profiling/profiles/{profile_id}/"
        assert_conforms("GET", f"{PROJ}/profiling/profiles/{{profile_id}}/", await fetch(client, url))
    with_attachments = [(event, attachments_of(event)) for event in dataset().events.values() if attachments_of(event)]
    assert with_attachments
    for event, items in with_attachments:
        base = f"/api/0/projects/acme/{event.project_slug}/events/{event.id}/attachments"
        listed = await fetch(client, f"{base}/")
        assert len(listed) == len(items)
        assert_conforms("GET", f"{PROJ}/events/{{event_id}}/attachments/", listed)
        for row in listed:
            detail = await fetch(client, f"{base}/{row['id']}/")
            assert_conforms("GET", f"{PROJ}/events/{{event_id}}/attachments/{{attachment_id}}/", detail)
    for issue in ("API-1", "WEB-1", "WEB-3"):
        autofix = await fetch(client, f"/api/0/organizations/acme/issues/{issue}/autofix/")
        assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/autofix/", autofix)
    dashboards = await fetch(client, "/api/0/organizations/acme/dashboards/")
    assert dashboards
    assert_conforms("GET", f"{ORG}/dashboards/", dashboards)
    for dashboard in dashboards:
        detail = await fetch(client, f"/api/0/organizations/acme/dashboards/{dashboard['id']}/")
        assert_conforms("GET", f"{ORG}/dashboards/{{dashboard_id}}/", detail)


async def write(client: httpx2.AsyncClient, method: str, url: str, template: str, body: Any, status: int) -> Any:
    response = await client.request(method, url, json=body)
    assert response.status_code == status, (url, response.status_code, response.text[:300])
    assert_conforms(method, template, response.json())
    return response.json()


METRIC_RULE = {
    "name": "API errors",
    "aggregate": "count()",
    "timeWindow": 60,
    "query": "",
    "thresholdType": 0,
    "projects": ["api"],
    "triggers": [{"label": "critical", "alertThreshold": 100, "actions": []}],
}
ISSUE_RULE = {
    "name": "New issues",
    "actionMatch": "all",
    "frequency": 30,
    "conditions": [{"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}],
    "actions": [
        {"id": "sentry.mail.actions.NotifyEmailAction", "targetType": "IssueOwners", "fallthroughType": "NoOne"}
    ],
}


@pytest.mark.anyio
async def test_management_alert_rule_and_autofix_writes_conform(client: httpx2.AsyncClient) -> None:
    """The writes of issue 13 answer with the spec's 201/202/200 schema (created objects, replaced rules)."""
    await write(client, "POST", "/api/0/organizations/acme/teams/", f"{ORG}/teams/", {"slug": "payments"}, 201)
    team_projects = "/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/projects/"
    body = {"name": "Checkout", "platform": "python"}
    project = await write(client, "POST", "/api/0/teams/acme/payments/projects/", team_projects, body, 201)
    base = f"/api/0/projects/acme/{project['slug']}"
    await write(client, "PUT", f"{base}/", f"{PROJ}/", {"name": "Checkout Service", "resolveAge": 24}, 200)
    await write(client, "POST", f"{base}/keys/", f"{PROJ}/keys/", {"name": "CI"}, 201)
    rules_url = "/api/0/organizations/acme/alert-rules/"
    rule = await write(client, "POST", rules_url, f"{ORG}/alert-rules/", METRIC_RULE, 201)
    changed = {**METRIC_RULE, "timeWindow": 30}
    await write(client, "PUT", f"{rules_url}{rule['id']}/", f"{ORG}/alert-rules/{{alert_rule_id}}/", changed, 200)
    issue_rule = await write(client, "POST", f"{base}/rules/", f"{PROJ}/rules/", ISSUE_RULE, 201)
    changed = {**ISSUE_RULE, "frequency": 60}
    await write(client, "PUT", f"{base}/rules/{issue_rule['id']}/", f"{PROJ}/rules/{{rule_id}}/", changed, 200)
    autofix = "/api/0/organizations/acme/issues/WEB-3/autofix/"
    await write(client, "POST", autofix, f"{ORG}/issues/{{issue_id}}/autofix/", {"stopping_point": "solution"}, 202)
    assert_conforms("GET", f"{ORG}/issues/{{issue_id}}/autofix/", await fetch(client, autofix))
