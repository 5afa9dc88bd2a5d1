"""Dashboards: in a list, what each one is; alone, each widget's title, display type and queries.

A dashboard's raw answer repeats layout, on-demand extraction state and the creator's whole user
record on every widget; an agent reading a dashboard wants what each widget shows and the query
behind it, to run that query itself (``discover`` / ``events``) or explain the chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import View
from .loose import as_dict, dicts

MAX_WIDGETS = 50
MAX_QUERIES = 10


def _query(query: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": query.get("name"),
        "fields": query.get("fields") or query.get("aggregates"),
        "conditions": query.get("conditions"),
        "orderby": query.get("orderby"),
    }


def _widget(widget: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": widget.get("title"),
        "display": widget.get("displayType"),
        "dataset": widget.get("widgetType"),
        "queries": [_query(q) for q in dicts(widget.get("queries"), MAX_QUERIES)],
        "limit": widget.get("limit"),
    }


def dashboard_summary(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One dashboard: its filters and each widget's queries (module docstring)."""
    creator = as_dict(obj.get("createdBy"))
    widgets = dicts(obj.get("widgets"), MAX_WIDGETS)
    out: dict[str, Any] = {
        "id": obj.get("id"),
        "title": obj.get("title"),
        "createdBy": creator.get("name") or creator.get("email"),
        "dateCreated": obj.get("dateCreated"),
        "projects": obj.get("projects"),
        "environment": obj.get("environment"),
        "period": obj.get("period"),
        "filters": obj.get("filters"),
        "widgets": [_widget(w) for w in widgets],
    }
    total = obj.get("widgets")
    if isinstance(total, list) and len(total) > len(widgets):
        out["widgets_not_shown"] = len(total) - len(widgets)
    return out


DASHBOARD_ROW = View(
    keep=("id", "title", "dateCreated", "createdBy.name", "projects", "environment", "widgetDisplay", "isFavorited")
)
DASHBOARD = View(summary=dashboard_summary)
