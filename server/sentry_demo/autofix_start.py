"""`POST /organizations/{org}/issues/{issue_id}/autofix/`: start a Seer run, as Sentry answers it
(202 `{"run_id": ..., "sentry_run_id": ...}`; a 400 field map for a bad `step`, `stopping_point` or
`user_context`). Each app keeps the runs it started (`started_runs`) for the GET of the same route.
"""

from __future__ import annotations

import weakref
from typing import Any

from .handlers import get_issue
from .http import ApiError, ApiRequest, ApiResponse
from .models import stable_uuid
from .store import Store

JSON = dict[str, Any]
STEPS = ("root_cause", "solution", "code_changes", "pr_iteration", "open_pr", "coding_agent_handoff")
STOPPING_POINTS = ("root_cause", "solution", "code_changes", "open_pr")
FIRST_RUN_ID = 52000

_RUNS: weakref.WeakKeyDictionary[Store, dict[str, JSON]] = weakref.WeakKeyDictionary()


def started_runs(store: Store) -> dict[str, JSON]:
    """Issue id -> the last run this app started for it (`run_id`, `sentry_run_id`, `stopping_point`...)."""
    return _RUNS.setdefault(store, {})


def start_autofix(store: Store, request: ApiRequest) -> ApiResponse:
    issue = get_issue(store, request)
    body = request.json_body()
    if not isinstance(body, dict):
        raise ApiError(400, body={"non_field_errors": ["Invalid data. Expected a dictionary."]})
    errors: JSON = {}
    for name, choices in (("step", STEPS), ("stopping_point", STOPPING_POINTS)):
        if name in body and body[name] not in choices:
            errors[name] = [f'"{body[name]}" is not a valid choice.']
    context = body.get("user_context")
    if context is not None and (not isinstance(context, str) or len(context) > 1000):
        errors["user_context"] = ["Ensure this field has no more than 1000 characters."]
    if errors:
        raise ApiError(400, body=errors)
    runs = started_runs(store)
    run_id = FIRST_RUN_ID + len(runs) + 1
    run = {
        "run_id": run_id,
        "sentry_run_id": stable_uuid("autofix", issue.id, run_id),
        "step": body.get("step", "root_cause"),
        "stopping_point": body.get("stopping_point", "root_cause"),
        "user_context": context,
    }
    runs[issue.id] = run
    return ApiResponse(202, {"run_id": run["run_id"], "sentry_run_id": run["sentry_run_id"]})
