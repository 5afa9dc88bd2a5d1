"""Dashboards: an organization's saved charts and tables, and the queries behind each widget."""

from __future__ import annotations

from pydantic import Field

from ..views.dashboards import DASHBOARD, DASHBOARD_ROW
from .base import Cursor, Kind, Limit, OrganizationSlug, Pair, Params, Route


class DashboardsList(Params):
    """List an organization's dashboards."""

    organization_slug: OrganizationSlug
    query: str | None = Field(None, max_length=200, description="Only titles containing this.")
    limit: Limit = None
    cursor: Cursor = None


class DashboardGet(Params):
    """Identify one dashboard."""

    organization_slug: OrganizationSlug
    dashboard_id: str = Field(pattern=r"^[0-9]{1,20}$", description="Dashboard id (from dashboards list).")


PAIRS = [
    Pair(
        entity="dashboards",
        action="list",
        params=DashboardsList,
        kind=Kind.LIST,
        description="List dashboards: title, creator, projects, widget types.",
        route=Route(
            "GET",
            "/organizations/{organization_slug}/dashboards/",
            query={"query": "query", "limit": "per_page", "cursor": "cursor"},
        ),
        view=DASHBOARD_ROW,
    ),
    Pair(
        entity="dashboards",
        action="get",
        params=DashboardGet,
        kind=Kind.GET,
        description="Get a dashboard: filters and each widget's title, display type and queries.",
        route=Route("GET", "/organizations/{organization_slug}/dashboards/{dashboard_id}/"),
        view=DASHBOARD,
    ),
]
