"""Reading a pasted Sentry web URL: which object it names, in which organization (README "Pasted Sentry URLs").

A URL only ever supplies ids: it is never fetched, and the host it names is only checked, never
called (calls go to the configured host). So the host rule is about meaning, not safety of a request:
a URL of a host this server does not reach names an object this server cannot see, and is refused.
The forms understood are data (``sentry_urls.json``): one path pattern per line, most specific first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import clip
from ..hosts import BadHostError, canonical_host, is_saas, parse_origin

_DATA = Path(__file__).with_name("sentry_urls.json")
_ORGANIZATION = "organization_slug"


class SentryUrlError(ValueError):
    """A URL that names no object this server can reach; the message says why (never repeating the URL)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class PathForm:
    """One URL path pattern: ``{name}`` segments capture an id, other segments must match literally."""

    kind: str
    segments: tuple[str, ...]
    more: bool
    """Deeper pages of the same object (``/issues/1/activity/``) match too."""

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) < len(self.segments) or (len(parts) > len(self.segments) and not self.more):
            return None
        found: dict[str, str] = {}
        for pattern, part in zip(self.segments, parts, strict=False):
            if pattern.startswith("{"):
                found[pattern[1:-1]] = part
            elif pattern != part:
                return None
        return found


@dataclass(frozen=True)
class UrlTable:
    """``sentry_urls.json``: the hosts, path forms, query names and param/resource tables."""

    domain: str
    regions: frozenset[str]
    not_organizations: frozenset[str]
    paths: tuple[PathForm, ...]
    query: dict[str, str]
    params: dict[str, tuple[str, ...]]
    resources: dict[str, tuple[dict[str, str], ...]]


@cache
def url_table() -> UrlTable:
    data: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    saas = data["saas"]
    return UrlTable(
        domain=saas["domain"],
        regions=frozenset(saas["regions"]),
        not_organizations=frozenset(saas["not_organizations"]),
        paths=tuple(PathForm(p["kind"], tuple(p["path"].split("/")), p["more"]) for p in data["paths"]),
        query=dict(data["query"]),
        params={name: tuple(kinds) for name, kinds in data["params"].items()},
        resources={kind: tuple(targets) for kind, targets in data["resources"].items()},
    )


@dataclass(frozen=True)
class SentryHosts:
    """The hosts whose URLs name objects this server reaches: sentry.io with its regions and organization
    subdomains when it talks to sentry.io, and each configured host (self-hosted, the demo)."""

    saas: bool
    own: tuple[tuple[str, str], ...] = ()
    """Each configured host and the path prefix Sentry is served under there ('' for none)."""

    @classmethod
    def of(cls, *base_urls: str) -> SentryHosts:
        """From base URLs as ``config.sentry_base_url`` writes them; a URL that does not parse is skipped."""
        own = []
        saas = False
        for base_url in base_urls:
            try:
                origin = parse_origin(base_url)
            except BadHostError:
                continue
            if is_saas(origin.host):
                saas = True
            else:
                own.append((origin.host, origin.path.rstrip("/")))
        return cls(saas=saas or not own, own=tuple(own))

    def describe(self) -> str:
        names = ([f"{url_table().domain} (and its regions)"] if self.saas else []) + [host for host, _ in self.own]
        return " or ".join(names)


@dataclass(frozen=True)
class SentryUrl:
    """What a URL names: its kind (issue, event, trace, release, replay, project, monitor) and the params
    it carries (``organization_slug`` when the URL says it, the ids, a project from ``?project=``)."""

    kind: str
    ids: dict[str, str] = field(default_factory=dict)
    hinted: dict[str, str] = field(default_factory=dict)
    """Weaker facts (``?project=`` is a numeric id): filled in when missing, never checked against."""


def looks_like_url(value: object) -> TypeGuard[str]:
    """True for a string an agent meant as a web address (an http or https URL)."""
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def _refused(reason: str, hosts: SentryHosts) -> SentryUrlError:
    return SentryUrlError(
        f"{reason}; it was not fetched",
        f"Give a URL of {hosts.describe()}, or the id itself.",
    )


def _organization_of_host(host: str, table: UrlTable, hosts: SentryHosts) -> str | None:
    """``acme`` of ``acme.sentry.io`` and ``acme.us.sentry.io``; None for ``sentry.io`` and a region host."""
    labels = host.removesuffix(table.domain).rstrip(".").split(".") if host != table.domain else []
    if labels and labels[-1] in table.regions:
        labels = labels[:-1]
    if not labels:
        return None
    if len(labels) > 1 or labels[0] in table.not_organizations:
        raise _refused(f"{clip(host, 80)} is not a Sentry web address", hosts)
    return labels[0]


def _split_path(path: str, prefix: str) -> list[str]:
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :]
    return [unquote(part) for part in path.split("/") if part]


def parse_sentry_url(url: str, hosts: SentryHosts) -> SentryUrl:
    """The object ``url`` names, or ``SentryUrlError`` saying why it names none this server reaches."""
    table = url_table()
    text = url.strip()
    if any(char.isspace() or char == "\\" for char in text) or any(ord(char) < 32 for char in text):
        raise _refused("the URL holds spaces, backslashes or control characters", hosts)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises for a bad port
        host = canonical_host(parts.hostname or "")
    except (ValueError, BadHostError):
        raise _refused("it is not a valid URL", hosts) from None
    if "@" in parts.netloc:
        raise _refused("a URL with a user or password is not a Sentry link", hosts)
    organization: str | None = None
    prefix = ""
    if is_saas(host) and hosts.saas:
        if parts.scheme != "https" or parts.port not in (None, 443):
            raise _refused(f"{clip(host, 80)} is only reached over https", hosts)
        organization = _organization_of_host(host, table, hosts)
    else:
        own = dict(hosts.own)
        if host not in own:
            raise _refused(f"{clip(host, 80)} is not the Sentry this server talks to", hosts)
        prefix = own[host]
    segments = _split_path(parts.path, prefix)
    if len(segments) >= 2 and segments[0] == "organizations":
        organization = _same(organization, segments[1], hosts)
        segments = segments[2:]
    for form in table.paths:
        found = form.match(segments)
        if found is None:
            continue
        if _ORGANIZATION in found:
            found[_ORGANIZATION] = _same(organization, found[_ORGANIZATION], hosts)
        elif organization is not None:
            found[_ORGANIZATION] = organization
        query = parse_qs(parts.query)
        # one numeric id only: '-1' means "all projects" and several ids name no one project
        hinted = {name: query[key][0] for key, name in table.query.items() if len(query.get(key, [])) == 1}
        hinted = {name: value for name, value in hinted.items() if value.isascii() and value.isdigit()}
        return SentryUrl(form.kind, found, {k: v for k, v in hinted.items() if k not in found})
    raise SentryUrlError(
        "it names no issue, event, trace, release, replay, project or monitor",
        "Paste the URL of the object's own page (for an issue: https://<org>.sentry.io/issues/<id>/), "
        "or give the id itself.",
    )


def _same(known: str | None, found: str, hosts: SentryHosts) -> str:
    if known is not None and known.lower() != found.lower():
        raise _refused(f"the URL names two organizations ('{clip(known, 60)}' and '{clip(found, 60)}')", hosts)
    return found
