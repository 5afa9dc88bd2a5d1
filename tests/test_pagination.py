"""Sentry's Link header: has_more and next_cursor must be right on every page, the last one included."""

from __future__ import annotations

from sentry_agent_mcp.backends.pagination import next_page, parse_link_header

FIRST = (
    '<https://sentry.io/api/0/organizations/acme/issues/?&cursor=0:0:1>; rel="previous"; results="false"; '
    'cursor="0:0:1", '
    '<https://sentry.io/api/0/organizations/acme/issues/?&cursor=0:100:0>; rel="next"; results="true"; '
    'cursor="0:100:0"'
)
LAST = (
    "<https://sentry.io/api/0/projects/acme/web/issues/?query=is%3Aunresolved&cursor=1700000000000:100:1>; "
    'rel="previous"; results="true"; cursor="1700000000000:100:1", '
    "<https://sentry.io/api/0/projects/acme/web/issues/?query=is%3Aunresolved&cursor=1700000000000:200:0>; "
    'rel="next"; results="false"; cursor="1700000000000:200:0"'
)


def test_first_page_has_more_with_the_next_cursor() -> None:
    assert next_page(FIRST) == (True, "0:100:0")
    rels = parse_link_header(FIRST)
    assert rels["previous"].results is False and rels["previous"].cursor == "0:0:1"


def test_last_page_says_no_more_although_next_rel_is_present() -> None:
    rels = parse_link_header(LAST)
    assert rels["next"].cursor == "1700000000000:200:0"
    assert next_page(LAST) == (False, None)


def test_cursor_is_read_from_the_url_when_the_attribute_is_missing() -> None:
    header = '<https://h/api/0/projects/?&cursor=0:50:0>; rel="next"; results="true"'
    assert next_page(header) == (True, "0:50:0")


def test_absent_or_garbage_headers_mean_no_more_pages() -> None:
    assert next_page(None) == (False, None)
    assert next_page("") == (False, None)
    assert next_page("not a link header") == (False, None)
    assert next_page('<https://h/>; rel="next"; results="true"') == (False, None)
