"""Resources: any pasted Sentry URL, answered with the object it names (README "Pasted Sentry URLs").

``resources get`` has no route of its own: the executor runs the pair the URL's kind maps to
(``sentry_urls.json`` "resources": an issue URL runs ``issues get``, an event URL ``issue_events get``,
...), with the URL in that pair's id param, so the same checks, views, budget and redaction apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from .base import Kind, OrganizationSlug, Pair, Params
from .sentry_urls import SentryHosts, url_table
from .url_params import read_url


class ResourceGet(Params):
    """Identify any Sentry object by its URL."""

    url: str = Field(
        min_length=8,
        max_length=2000,
        description="A Sentry URL, e.g. https://acme.sentry.io/issues/123/.",
    )
    organization_slug: OrganizationSlug | None = Field(None, description="Default: the URL's.")


@dataclass(frozen=True)
class ResourceCall:
    """The pair that answers for a URL: its entity, action and params (the URL in its id param)."""

    kind: str
    entity: str
    action: str
    params: dict[str, Any]


def resource_call(params: ResourceGet, hosts: SentryHosts, callable_here: Callable[[str, str], bool]) -> ResourceCall:
    """The call that answers ``params.url``: the first pair of its kind that ``callable_here`` accepts
    (an event URL runs ``issue_events get``, or ``events get`` where only that one is served)."""
    parsed = read_url("url", params.url, hosts, "resources/get")
    targets = url_table().resources[parsed.kind]
    target = next((t for t in targets if callable_here(t["entity"], t["action"])), targets[0])
    values: dict[str, Any] = {target["param"]: params.url}
    if params.organization_slug is not None:
        values["organization_slug"] = params.organization_slug
    return ResourceCall(parsed.kind, target["entity"], target["action"], values)


def labelled(kind: str, result: Any) -> Any:
    """The answer, marked with what the URL named: ``{"resource": "issue", ...the issue}``."""
    if isinstance(result, dict):
        return {"resource": kind, **{k: v for k, v in result.items() if k != "resource"}}
    return {"resource": kind, "data": result}


PAIRS = [
    Pair(
        entity="resources",
        action="get",
        params=ResourceGet,
        kind=Kind.GET,
        description=(
            "Get the object a pasted Sentry URL names (issue, event, trace, release, replay, project, "
            "cron monitor, profile); the answer's 'resource' says which."
        ),
        dispatch=True,
    ),
]
