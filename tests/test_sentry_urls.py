"""Pasted Sentry URLs, without any I/O (README "Pasted Sentry URLs"): what each URL form names, which hosts
are refused, and how a URL in an id param becomes the call's ids (organization from the URL, conflicts,
wrong kinds) on the executor's one validation path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sentry_agent_mcp.catalog import CATALOG
from sentry_agent_mcp.catalog.schema import input_schema
from sentry_agent_mcp.catalog.sentry_urls import SentryHosts, SentryUrlError, parse_sentry_url, url_table
from sentry_agent_mcp.catalog.url_params import url_params
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import InvalidParamsError
from sentry_agent_mcp.executor import Executor

CASES: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "sentry_url_cases.json").read_text())[
    "cases"
]
ISSUE = "https://acme.sentry.io/issues/6104219198/"
EVENT = f"{ISSUE}events/b429f04fc5c8241e644009e64632d294/"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["url"][:70])
def test_each_url_form_names_its_object_or_is_refused(case: dict[str, Any]) -> None:
    hosts = SentryHosts.of(*case.get("configured", ["https://sentry.io"]))
    if "error" in case:
        with pytest.raises(SentryUrlError) as caught:
            parse_sentry_url(case["url"], hosts)
        assert case["error"] in str(caught.value) and "secret" not in str(caught.value)
        return
    parsed = parse_sentry_url(case["url"], hosts)
    assert (parsed.kind, parsed.ids, parsed.hinted) == (case["kind"], case["ids"], case.get("hinted", {}))


def test_every_kind_a_param_takes_has_a_url_form_and_a_pair_to_answer_it() -> None:
    table = url_table()
    kinds = {form.kind for form in table.paths}
    assert {kind for kinds_ in table.params.values() for kind in kinds_} == kinds == set(table.resources)
    for kind, targets in table.resources.items():
        assert all(target["param"] in table.params and kind in table.params[target["param"]] for target in targets)


def test_every_param_that_takes_a_url_says_so_in_its_published_schema() -> None:
    taking = [(pair, name) for pair in CATALOG.values() for name in url_params(pair.params)]
    assert len(taking) > len(url_table().params)
    for pair, name in taking:
        assert "URL" in input_schema(pair, view_options=False)["properties"][name]["description"], pair.tool_name


@pytest.fixture
def executor() -> Iterator[Executor]:
    settings = Settings(backend="demo", org="default-org")
    from sentry_agent_mcp.backends import demo_backend

    yield Executor(settings, demo_backend())


def _validate(executor: Executor, entity: str, action: str, params: dict[str, Any]) -> dict[str, Any]:
    return executor.validate(CATALOG[entity, action], params).model_dump(exclude_none=True)


def test_the_url_gives_the_ids_and_its_organization_beats_the_configured_default(executor: Executor) -> None:
    assert _validate(executor, "issues", "get", {"issue_id": ISSUE}) == {
        "organization_slug": "acme",
        "issue_id": "6104219198",
    }
    assert _validate(executor, "issues", "get", {"issue_id": "6104219198"})["organization_slug"] == "default-org"
    event = _validate(executor, "issue_events", "get", {"event_id": EVENT, "organization_slug": "ACME"})
    assert (event["issue_id"], event["event_id"]) == ("6104219198", "b429f04fc5c8241e644009e64632d294")
    release = _validate(executor, "releases", "get", {"version": "https://acme.sentry.io/releases/api%403.1.0/"})
    assert release == {"organization_slug": "acme", "version": "api@3.1.0"}
    monitor = _validate(executor, "monitors", "get", {"monitor_slug": "https://acme.sentry.io/crons/worker/sync-x/"})
    assert monitor == {"organization_slug": "acme", "monitor_slug": "sync-x"}
    events = _validate(executor, "events", "get", {"event_id": EVENT + "?project=4501"})
    assert events["project_slug"] == "4501"
    listed = _validate(executor, "issues", "list", {"project_slug": "https://acme.sentry.io/projects/web/"})
    assert (listed["organization_slug"], listed["project_slug"]) == ("acme", "web")


@pytest.mark.parametrize(
    ("entity", "action", "params", "expected"),
    [
        ("issues", "get", {"issue_id": ISSUE, "organization_slug": "other"}, "organization 'acme', the call names"),
        ("issues", "get", {"issue_id": "https://acme.sentry.io/replays/eb38b1599c3345aebb23449eb099dc0a/"}, "replay"),
        ("replays", "get", {"replay_id": ISSUE}, "names an issue, not a replay"),
        ("issues", "get", {"issue_id": "https://evil.example/issues/1/"}, "not fetched"),
        ("issue_events", "get", {"issue_id": ISSUE, "event_id": EVENT.replace("acme.", "other.")}, "two organ"),
    ],
)
def test_conflicts_and_wrong_kinds_are_clear_errors(
    executor: Executor, entity: str, action: str, params: dict[str, Any], expected: str
) -> None:
    with pytest.raises(InvalidParamsError) as caught:
        _validate(executor, entity, action, params)
    error = caught.value.to_dict()
    assert error["type"] == "invalid_params" and error["hint"]
    if expected == "replay":
        assert "sentry_replays_get (replay_id)" in error["hint"] and "sentry_resources_get" in error["hint"]
    elif expected == "two organ":  # the issue URL gave acme, the event URL names other
        assert "organization 'other', the call names 'acme'" in error["message"]
    else:
        assert expected in error["message"]
