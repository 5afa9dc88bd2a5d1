"""Id params that take a pasted Sentry URL: the URL becomes the ids it carries (README "Pasted Sentry URLs").

Which params take which kind of URL is data (``sentry_urls.json``, by param name: ``issue_id`` takes an
issue or event URL, ``version`` a release URL, ...), so every pair with such a param takes URLs, new
ones included. Runs before configured defaults and validation: the organization a URL names counts as
given, a different ``organization_slug`` in the same call is an error, and the ids then meet the
params model's own checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ..errors import InvalidParamsError, clip
from ..tool_spec import tool_name
from .sentry_urls import SentryHosts, SentryUrl, SentryUrlError, looks_like_url, parse_sentry_url, url_table

_ORGANIZATION = "organization_slug"


def url_params(model: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """The params of ``model`` that take a URL, and the kinds of object each takes."""
    return {name: kinds for name, kinds in url_table().params.items() if name in model.model_fields}


def takes_it(kind: str) -> str:
    """Where a URL of ``kind`` goes: the tool and param that read it, and ``sentry_resources_get``."""
    targets = url_table().resources.get(kind, ())
    named = [f"{tool_name(t['entity'], t['action'])} ({t['param']})" for t in targets[:1]]
    return " or ".join([*named, "sentry_resources_get (url)"])


def read_url(name: str, value: str, hosts: SentryHosts, what: str) -> SentryUrl:
    """``value`` (given as ``name``) parsed, or an ``InvalidParamsError`` that says why and what to give."""
    try:
        return parse_sentry_url(value, hosts)
    except SentryUrlError as exc:
        raise InvalidParamsError(
            f"Invalid params for {what}: {name}: {exc}.",
            hint=exc.hint,
            errors=[{"field": name, "problem": str(exc)}],
        ) from None


def expand_urls(model: type[BaseModel], raw: Mapping[str, Any], hosts: SentryHosts, what: str) -> dict[str, Any]:
    """``raw`` with each URL in an id param replaced by the ids it carries (``what`` names the pair in errors).

    The URL's other ids fill params the call left out (an event URL in ``event_id`` brings its
    ``issue_id``); its organization must agree with the call's. A URL of the wrong kind is an error
    that names its kind and the tool that takes it.
    """
    values = dict(raw)
    for name, kinds in url_params(model).items():
        value = values.get(name)
        if not looks_like_url(value):
            continue
        parsed = read_url(name, value, hosts, what)
        if parsed.kind not in kinds or name not in parsed.ids:
            problem = f"that URL names {_a(parsed.kind)}, not {_a(kinds[0])}"
            raise InvalidParamsError(
                f"Invalid params for {what}: {name}: {problem}.",
                hint=f"A {parsed.kind} URL goes to {takes_it(parsed.kind)}.",
                errors=[{"field": name, "problem": problem}],
            )
        values[name] = parsed.ids[name]
        for other, carried in parsed.ids.items():
            if other == name or other not in model.model_fields:
                continue
            given = values.get(other)
            if given in (None, ""):
                values[other] = carried
            elif other == _ORGANIZATION and str(given).lower() != carried.lower():
                problem = f"the URL is in organization '{clip(carried, 60)}', the call names '{clip(given, 60)}'"
                raise InvalidParamsError(
                    f"Invalid params for {what}: {name}: {problem}.",
                    hint="Leave organization_slug out (the URL says it), or give a URL of that organization.",
                    errors=[{"field": _ORGANIZATION, "problem": problem}],
                )
        for other, hinted in parsed.hinted.items():
            if other in model.model_fields and values.get(other) in (None, ""):
                values[other] = hinted
    return values


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
