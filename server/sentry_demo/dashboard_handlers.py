"""Handlers for dashboards (`data/dashboards.json`): `/organizations/{org}/dashboards/` lists them
(`query`: title contains, case-insensitive; paged) and `.../dashboards/{dashboard_id}/` answers one with
its widgets and their queries, in the shapes of Sentry's `DashboardListSerializer` / `DashboardDetailsSerializer`.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from .dataset import dataset
from .handlers import get_org, ok, paged
from .http import ApiRequest, ApiResponse, not_found
from .models import iso
from .records import user_record
from .store import Store
from .tables import load

JSON = dict[str, Any]


@functools.cache
def _dashboards() -> tuple[JSON, ...]:
    rows: list[JSON] = load("dashboards")["dashboards"]
    return tuple(rows)


def _created(row: JSON) -> str:
    return iso(datetime.fromisoformat(row["date_created"]))


def _widget(row: JSON, n: int, widget: JSON) -> JSON:
    widget_id = f"{row['id']}{n:02d}"
    return {
        "id": widget_id,
        "title": widget["title"],
        "description": None,
        "displayType": widget["display"],
        "thresholds": None,
        "interval": widget["interval"],
        "dateCreated": _created(row),
        "dashboardId": row["id"],
        "queries": [
            {
                "id": f"{widget_id}1",
                "name": "",
                "fields": widget["fields"],
                "aggregates": [f for f in widget["fields"] if "(" in f],
                "columns": widget["columns"],
                "fieldAliases": [],
                "conditions": widget["conditions"],
                "orderby": widget["orderby"],
                "widgetId": widget_id,
                "onDemand": [],
                "isHidden": False,
                "selectedAggregate": None,
                "linkedDashboards": [],
            }
        ],
        "limit": widget.get("limit"),
        "widgetType": widget["widget_type"],
        "layout": {"x": (n % 2) * 3, "y": (n // 2) * 2, "w": 3, "h": 2, "minH": 2},
        "axisRange": None,
        "legendType": None,
        "datasetSource": "user",
        "exploreUrls": None,
        "changedReason": None,
    }


def _common(store: Store, row: JSON) -> JSON:
    creator = dataset().member(row["created_by"])
    return {
        "id": row["id"],
        "title": row["title"],
        "dateCreated": _created(row),
        "createdBy": user_record(creator) if creator is not None else None,
        "projects": [int(dataset().project(slug).id) for slug in row["projects"]],
        "environment": row["environment"],
        "filters": {},
        "permissions": {"isEditableByEveryone": True, "teamsWithEditAccess": []},
        "isFavorited": row["favorited"],
        "prebuiltId": None,
    }


def list_record(store: Store, row: JSON) -> JSON:
    return _common(store, row) | {
        "lastVisited": None,
        "widgetDisplay": [w["display"] for w in row["widgets"]],
        "widgetPreview": [{"displayType": w["display"], "layout": ""} for w in row["widgets"]],
    }


def detail_record(store: Store, row: JSON) -> JSON:
    return _common(store, row) | {
        "period": row["period"],
        "widgets": [_widget(row, n, w) for n, w in enumerate(row["widgets"])],
    }


def list_dashboards(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    query = (request.get("query") or "").strip().lower()
    rows = [r for r in _dashboards() if query in r["title"].lower()]
    return paged(store, request, rows, lambda r: list_record(store, r))


def get_dashboard(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    row = next((r for r in _dashboards() if r["id"] == request.params["dashboard_id"]), None)
    if row is None:
        raise not_found()
    return ok(detail_record(store, row))
