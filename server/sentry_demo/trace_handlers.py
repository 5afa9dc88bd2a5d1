"""Handlers for traces and profiles (data in `trace_data.py`, `profile_data.py`):
`/organizations/{org}/trace/{trace_id}/` answers the span tree (a list; `[]` for a trace without
spans), `.../trace-meta/{trace_id}/` its counts, and `/projects/{org}/{project}/profiling/profiles/{id}/`
one profile (404 when the project has none by that id). A trace whose event lies outside the time
window (`statsPeriod` or `start`/`end`; none given: no bound) has no spans.
"""

from __future__ import annotations

import re

from .handlers import get_org, get_project, ok
from .http import ApiError, ApiRequest, ApiResponse, not_found
from .params import in_window, time_window
from .profile_data import profile
from .store import Store
from .trace_data import TraceSource, source, span_records, trace_meta

TRACE_ID = re.compile(r"^[0-9a-fA-F]{32}$")


def _trace(store: Store, request: ApiRequest) -> TraceSource | None:
    """The trace in the path, when it has spans in the requested window."""
    get_org(store, request)
    start, end = time_window(request, default=None)
    trace_id = request.params["trace_id"]
    if not TRACE_ID.match(trace_id):
        raise ApiError(400, "Invalid trace id")
    found = source(trace_id)
    return found if found is not None and in_window(found.event.timestamp, start, end) else None


def get_trace(store: Store, request: ApiRequest) -> ApiResponse:
    found = _trace(store, request)
    return ok(span_records(found) if found is not None else [])


def get_trace_meta(store: Store, request: ApiRequest) -> ApiResponse:
    return ok(trace_meta(_trace(store, request)))


def get_profile(store: Store, request: ApiRequest) -> ApiResponse:
    project = get_project(store, request)
    found = profile(request.params["profile_id"])
    if found is None or str(found["project_id"]) != project.id:
        raise not_found()
    return ok(found)
