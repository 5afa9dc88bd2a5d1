"""Pinning a call to one organization (and project): what ``/mcp/{org}`` and ``/mcp/{org}/{project}`` mean.

README "Pinning a session to an organization or project". A pin is applied on the one execution path
(``Executor.execute``), so named tools and ``sentry_execute`` behave the same:

- the params that name an organization or a project are read from the catalog itself (fields named
  ``organization_slug``/``project_slug``, and every param a route maps to Sentry's project filter);
- left out, they take the pinned value (which beats ``SENTRY_ORG``/``SENTRY_PROJECT``);
- after validation (so a Sentry URL that names an organization counts too), any other value is refused;
- pairs a pin cannot scope are refused: those that name no organization at all (``organizations list``
  spans every organization), and, on a project pin, lists and writes that reach the whole organization
  or a team and take no project (``teams list``, ``projects list``, ``projects create``): they would
  cover other projects.

Objects named by their own id (an issue id, a release version) are read as the caller's token allows:
the pin scopes the params a call sends, it does not open the objects Sentry returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from .errors import SentryAgentError, clip

if TYPE_CHECKING:
    from .catalog import Pair, Params

ORGANIZATION_FIELDS = frozenset({"organization_slug"})
"""Params that name the organization a call reaches."""
PROJECT_FIELDS = frozenset({"project_slug"})
"""Params that name a project, besides those a route maps to Sentry's ``project`` filter."""
PROJECT_LIST_FIELDS = frozenset({"projects"})
"""Params that list projects (``alert_rules``): each must be the pinned one; filled only when required,
since leaving one out of an update keeps what is there."""
ABOVE_PROJECT_FIELDS = ORGANIZATION_FIELDS | {"team_slug"}
"""Path params that name what holds projects: a route named by these alone reaches beyond one project."""


class PinnedScopeError(SentryAgentError):
    """A call names another organization or project than the endpoint is pinned to, or reaches beyond it."""

    code = "pinned_scope"


@dataclass(frozen=True)
class Pin:
    """The organization (and project) an endpoint is pinned to."""

    organization_slug: str
    project_slug: str | None = None

    def __str__(self) -> str:
        where = f"organization '{self.organization_slug}'"
        return where + (f", project '{self.project_slug}'" if self.project_slug else "")


def parse_pin(organization_slug: str, project_slug: str | None) -> Pin:
    """The pin of an endpoint path's segments; ``ValueError`` naming the malformed one otherwise.

    Checked with the catalog's own slug types, so a pin is always a value the params would accept.
    """
    from pydantic import ValidationError

    for name, value in (("organization_slug", organization_slug), ("project_slug", project_slug)):
        if value is None:
            continue
        try:
            _slug_adapters()[name].validate_python(value)
        except ValidationError:
            raise ValueError(f"{name} '{clip(value, 40)}' is not a Sentry slug") from None
    return Pin(organization_slug, project_slug)


@cache
def _slug_adapters() -> dict[str, TypeAdapter[str]]:
    """Built once: a ``TypeAdapter`` costs about a millisecond to make, and every pinned request checks its path."""
    from .catalog.base import OrganizationSlug, ProjectSlug

    return {"organization_slug": TypeAdapter(OrganizationSlug), "project_slug": TypeAdapter(ProjectSlug)}


def organization_fields(pair: Pair) -> frozenset[str]:
    return ORGANIZATION_FIELDS & set(pair.params.model_fields)


def project_fields(pair: Pair) -> frozenset[str]:
    """The pair's params that name a project: a path segment or a filter (``Route.project_ids``)."""
    filters = {name for route in pair.routes for name in route.project_ids}
    return (PROJECT_FIELDS | PROJECT_LIST_FIELDS | filters) & set(pair.params.model_fields)


def refusal(pair: Pair, pin: Pin) -> PinnedScopeError | None:
    """Why ``pin`` cannot scope ``pair``, or None when it can (also decides what a pinned ``tools/list`` hides)."""
    from .catalog import Kind

    name = f"{pair.entity}/{pair.action}"
    if not organization_fields(pair):
        return PinnedScopeError(
            f"{name} takes no organization, so this endpoint (pinned to {pin}) cannot scope it.",
            hint="Call it on the unpinned endpoint /mcp.",
        )
    if pin.project_slug is None or project_fields(pair) or pair.kind is Kind.GET:
        return None
    if any(set(route.path_params) - ABOVE_PROJECT_FIELDS for route in pair.routes):
        return None  # it names an object of its own (issue, release, monitor): not the whole organization
    return PinnedScopeError(
        f"{name} reaches all of organization '{pin.organization_slug}' and takes no project, so this endpoint "
        f"(pinned to {pin}) does not serve it.",
        hint=f"Call it on /mcp/{pin.organization_slug} (pinned to the organization only) or on /mcp.",
    )


def pinned_fields(pair: Pair, pin: Pin) -> dict[str, str]:
    """Each param of ``pair`` that ``pin`` decides, and its pinned value."""
    fields = {name: pin.organization_slug for name in organization_fields(pair)}
    if pin.project_slug is not None:
        fields.update({name: pin.project_slug for name in project_fields(pair)})
    return fields


def defaults_under(pin: Pin, defaults: Mapping[str, str]) -> dict[str, str]:
    """The configured defaults as ``pin`` leaves them: the pin replaces them; ``SENTRY_PROJECT`` stays
    only when ``SENTRY_ORG`` is the pinned organization (it names a project of that one)."""
    out = dict(defaults)
    if out.pop("organization_slug", pin.organization_slug) != pin.organization_slug:
        out.pop("project_slug", None)
    out["organization_slug"] = pin.organization_slug
    if pin.project_slug is not None:
        out["project_slug"] = pin.project_slug
    return out


def fill_pin(pair: Pair, values: dict[str, Any], pin: Pin) -> dict[str, Any]:
    """``values`` with every pinned param it leaves out (absent, null or empty) set to the pinned value."""
    fields = pair.params.model_fields
    for name, value in pinned_fields(pair, pin).items():
        if values.get(name) not in (None, ""):
            continue
        if name not in PROJECT_LIST_FIELDS:
            values[name] = value
        elif fields[name].is_required():
            values[name] = [value]
    return values


def check_pin(pair: Pair, validated: Params, pin: Pin) -> None:
    """Refuse validated params that name another organization or project than ``pin``.

    Compared after validation, so whatever a params model derives (a Sentry URL's organization) counts.
    Ids are not slugs: a project's numeric id is refused on a project pin, as is another spelling.
    """
    for name, value in pinned_fields(pair, pin).items():
        given = getattr(validated, name, None)
        if given is None or given == value or (isinstance(given, list | tuple) and set(given) <= {value}):
            continue
        kind = "organization" if name in ORGANIZATION_FIELDS else "project"
        raise PinnedScopeError(
            f"{pair.entity}/{pair.action}: {name} '{clip(given, 60)}' is outside this endpoint, which is pinned "
            f"to {pin}.",
            hint=f"Leave {name} out (it is the pinned {kind} '{value}'), or connect to another endpoint "
            f"(/mcp/<organization>[/<project>], or /mcp) for other {kind}s.",
        )


def check_read_object(pair: Pair, current: Mapping[str, Any], *, pin: Pin) -> None:
    """Refuse a read-modify-write whose object, as read, lists another project than ``pin`` (a metric
    alert rule of another project, named by its id): the merged object would be written back with its
    projects, so the write would change a rule outside the pin. Called before anything is written."""
    if pin.project_slug is None:
        return
    for name in project_fields(pair) & PROJECT_LIST_FIELDS:
        listed = current.get(name)
        if not isinstance(listed, list) or {str(slug) for slug in listed} <= {pin.project_slug}:
            continue
        raise PinnedScopeError(
            f"{pair.entity}/{pair.action}: the object is for projects {clip(listed, 60)}, outside this endpoint, "
            f"which is pinned to {pin}; nothing was changed.",
            hint=f"Change it on /mcp/{pin.organization_slug} (pinned to the organization only) or on /mcp.",
        )
