"""The catalog is what agents see: every schema complete, exact and strict."""

from __future__ import annotations

import json

import pytest

from sentry_agent_mcp.backends import demo_backend
from sentry_agent_mcp.catalog import CATALOG, Kind, Served
from sentry_agent_mcp.catalog.schema import input_schema
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import InvalidParamsError, UnknownPairError, UnsupportedOnBackendError
from sentry_agent_mcp.executor import Executor

SEED = {
    ("projects", "list"): [],
    ("projects", "get"): ["organization_slug", "project_slug"],
    ("issues", "list"): ["organization_slug"],  # org-wide search; project_slug narrows it
    ("issues", "get"): ["organization_slug", "issue_id"],
    ("events", "list"): ["organization_slug", "project_slug"],
    ("events", "get"): ["organization_slug", "project_slug", "event_id"],
    ("releases", "list"): ["organization_slug"],
    ("releases", "get"): ["organization_slug", "version"],
    ("project_detail", "get"): ["organization_slug", "project_slug"],
}


def _walk(node: object) -> list[dict[str, object]]:
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


@pytest.mark.parametrize(("key", "required"), SEED.items(), ids=lambda v: "/".join(v) if isinstance(v, tuple) else "")
def test_seed_pairs_have_their_required_params(key: tuple[str, str], required: list[str]) -> None:
    pair = CATALOG[key]
    schema = input_schema(pair)
    assert sorted(schema.get("required", [])) == sorted(required)
    assert pair.tool_name == f"sentry_{key[0]}_{key[1]}"
    assert Served.DIRECT in pair.served_by and Served.HOSTED in pair.served_by


@pytest.mark.parametrize("view_options", [True, False], ids=["described", "listed"])
@pytest.mark.parametrize("pair", CATALOG.values(), ids=lambda p: p.tool_name)
def test_every_schema_field_is_described_and_self_contained(pair: object, view_options: bool) -> None:
    """Both the full schema (sentry_describe, tools --json) and the one tools/list advertises."""
    assert hasattr(pair, "params")
    schema = input_schema(pair, view_options=view_options)  # type: ignore[arg-type]
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text
    assert schema["type"] == "object"
    if view_options or not pair.takes_view_options:  # type: ignore[attr-defined]
        assert schema["additionalProperties"] is False
    else:  # fields/detail are accepted but described once, in the instructions; unknown params still fail
        assert "additionalProperties" not in schema and "fields" not in schema["properties"]
    for name, prop in schema["properties"].items():
        assert prop.get("description"), f"{pair.tool_name}.{name} has no description"  # type: ignore[attr-defined]
    for node in _walk(schema):
        if node.get("type") == "integer" and "items" not in node:
            assert "minimum" in node and "maximum" in node, f"unbounded integer in {pair.tool_name}"  # type: ignore[attr-defined]
    assert not {"pattern", "minLength", "maxLength"} & {k for node in _walk(schema) for k in node}, "validator-only"


def test_context_store_search_is_declared_hosted_only() -> None:
    entities = {e for (e, a), p in CATALOG.items() if a == "context_store_search" and p.served_by == {Served.HOSTED}}
    assert entities == {"projects", "issues", "events", "releases"}


def test_choices_are_enums() -> None:
    schema = input_schema(CATALOG["issues", "update"])
    assert schema["properties"]["status"]["enum"] == ["resolved", "resolvedInNextRelease", "unresolved", "ignored"]
    assert input_schema(CATALOG["issues", "list"])["properties"]["sort"]["enum"][0] == "date"


def test_configured_defaults_make_fields_optional_and_say_so() -> None:
    schema = input_schema(CATALOG["issues", "list"], {"organization_slug": "acme", "project_slug": "web"})
    assert "required" not in schema
    assert "Defaults to 'acme'" in schema["properties"]["organization_slug"]["description"]


def _executor(**settings: object) -> Executor:
    return Executor(Settings(backend="demo", **settings), demo_backend())


def test_unknown_param_is_rejected_naming_the_valid_ones() -> None:
    with pytest.raises(InvalidParamsError) as info:
        _executor().validate(CATALOG["issues", "list"], {"organization_slug": "acme", "project": "web"})
    text = str(info.value)
    assert "project: unknown parameter" in text
    assert "Valid params: organization_slug*, project_slug, query," in text and "cursor" in text


@pytest.mark.parametrize(
    ("key", "params", "field"),
    [
        (("issues", "list"), {"organization_slug": "acme", "project_slug": "web", "limit": 501}, "limit"),
        (
            ("issues", "list"),
            {"organization_slug": "acme", "project_slug": "web", "stats_period": "7 days"},
            "stats_period",
        ),
        (("events", "get"), {"organization_slug": "acme", "project_slug": "web", "event_id": "latest"}, "event_id"),
        (("issues", "get"), {"organization_slug": "acme", "issue_id": "../../x"}, "issue_id"),
        (("releases", "get"), {"organization_slug": "acme", "version": ".."}, "version"),
        (("projects", "get"), {"organization_slug": "acme"}, "project_slug"),
    ],
)
def test_bad_values_name_the_field(key: tuple[str, str], params: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidParamsError) as info:
        _executor().validate(CATALOG[key], params)
    assert info.value.errors and info.value.errors[0]["field"] == field


def test_unknown_entity_and_action_list_what_is_valid() -> None:
    executor = _executor()
    with pytest.raises(UnknownPairError, match=r"Valid entities: .*issues"):
        executor.resolve("issuez", "list")
    with pytest.raises(UnknownPairError, match="Valid actions: list, get"):
        executor.resolve("issues", "delete")


def test_hosted_only_pair_on_direct_backend_names_the_hosted_backend() -> None:
    with pytest.raises(UnsupportedOnBackendError, match="hosted"):
        _executor().resolve("issues", "context_store_search")


def test_defaults_fill_missing_scope_but_never_override() -> None:
    executor = _executor(org="acme", project="web")
    params = executor.validate(CATALOG["issues", "list"], {})
    assert params.model_dump(exclude_none=True) == {"organization_slug": "acme", "project_slug": "web"}
    params = executor.validate(CATALOG["issues", "list"], {"project_slug": "api"})
    assert params.model_dump(exclude_none=True)["project_slug"] == "api"


def test_kinds_match_names() -> None:
    for (_, action), pair in CATALOG.items():
        if action in ("list", "context_store_search"):
            assert pair.kind is Kind.LIST
        elif action == "get":
            assert pair.kind is Kind.GET


def test_every_paginated_list_takes_a_limit_sent_as_sentrys_page_size() -> None:
    """An agent bounds every list the same way: ``limit`` (README "Results"), never silently ignored."""
    for pair in CATALOG.values():
        for route in pair.routes:
            if "cursor" in route.query:
                assert "limit" in pair.params.model_fields, pair.tool_name
                assert route.query.get("limit") in ("per_page", "limit"), pair.tool_name
