"""Sentry's ``Link`` header: the only honest source of "is there another page".

Sentry always sends both ``rel="previous"`` and ``rel="next"``; only ``results="true"`` means the page
exists. Following ``next`` blindly loops forever on the last page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

_LINK = re.compile(r"<(?P<url>[^>]*)>(?P<attrs>[^<]*)")
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


@dataclass(frozen=True)
class LinkRel:
    url: str
    results: bool
    cursor: str | None


def parse_link_header(value: str | None) -> dict[str, LinkRel]:
    """Parse a ``Link`` header into ``{rel: LinkRel}``; unknown shapes give ``{}``."""
    rels: dict[str, LinkRel] = {}
    for match in _LINK.finditer(value or ""):
        attrs = dict(_ATTR.findall(match.group("attrs")))
        rel = attrs.get("rel")
        if not rel:
            continue
        url = match.group("url").strip()
        cursor = attrs.get("cursor")
        if cursor is None:
            cursor = parse_qs(urlsplit(url).query).get("cursor", [None])[0]
        rels[rel] = LinkRel(url=url, results=attrs.get("results", "").lower() == "true", cursor=cursor)
    return rels


def next_page(value: str | None) -> tuple[bool, str | None]:
    """``(has_more, next_cursor)`` from a ``Link`` header."""
    nxt = parse_link_header(value).get("next")
    if nxt is None or not nxt.results or not nxt.cursor:
        return False, None
    return True, nxt.cursor
