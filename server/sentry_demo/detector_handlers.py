"""Handlers for `/organizations/{org}/detectors/` and `/workflows/` (records in `detector_records.py`):
filters by project, `id`, `query` and `sortBy`, then pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .detector_records import WORKFLOWS, detectors, workflow_record
from .handlers import get_org, paged
from .http import ApiError, ApiRequest, ApiResponse
from .params import project_slugs
from .search import parse
from .store import Store

JSON = dict[str, Any]


def _select(items: list[JSON], request: ApiRequest, text_of: Callable[[JSON], str]) -> list[JSON]:
    """`id` (repeated), `query` (free text and `key:value` on top-level fields) and `sortBy` (`-` = desc)."""
    ids = set(request.getlist("id"))
    if ids:
        items = [i for i in items if i["id"] in ids]
    terms, text = parse(request.get("query") or "")
    if text:
        items = [i for i in items if text.lower() in text_of(i).lower()]
    for term in terms:
        items = [i for i in items if (str(i.get(term.key)) in term.values) != term.negated]
    sort_by = request.get("sortBy")
    if sort_by:
        key = sort_by.lstrip("-")
        if key not in ("id", "name", "type", "dateCreated"):
            raise ApiError(400, body={"sortBy": [f'"{sort_by}" is not a valid choice.']})
        items = sorted(items, key=lambda i: str(i.get(key)), reverse=sort_by.startswith("-"))
    return items


def list_detectors(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    slugs = project_slugs(store, request)
    ids = {store.data.project(s).id for s in slugs} if slugs is not None else None
    items = [d for d in detectors(store) if ids is None or d["projectId"] in ids]
    items = _select(items, request, lambda d: f"{d['name']} {d['type']}")
    return paged(store, request, items, dict)


def list_workflows(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    slugs = project_slugs(store, request)
    items = [workflow_record(store, w) for w in WORKFLOWS]
    if slugs is not None:
        ids = {store.data.project(s).id for s in slugs}
        linked = {d["id"] for d in detectors(store) if d["projectId"] in ids}
        items = [w for w in items if linked & set(w["detectorIds"])]
    return paged(store, request, _select(items, request, lambda w: w["name"]), dict)
