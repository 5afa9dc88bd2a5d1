"""Seer (autofix): the state of an issue's run, its root cause and its proposed fix, in a few hundred characters.

Sentry's ``GET …/issues/{id}/autofix/`` is experimental and comes in two shapes: the documented one
(``steps``: a root-cause step with ``causes``, a ``solution`` step, a ``changes`` step) and the newer
"explorer" one (``blocks`` carrying ``root_cause`` / ``solution`` artifacts). Both become the same
compact answer; ``{"autofix": null}`` (no run yet) says so and how to start one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .base import View
from .loose import as_dict, dicts

MAX_ITEMS = 6
TEXT = 400
NO_RUN = "Seer has not analysed this issue yet. Start a run with issue_autofix start (a write), or in Sentry."


def _text(value: Any, limit: int = TEXT) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _titled(items: Iterable[Mapping[str, Any]], body: str) -> list[str]:
    """``title: body`` per item (the first ``MAX_ITEMS``)."""
    out = []
    for item in list(items)[:MAX_ITEMS]:
        title, text = _text(item.get("title"), 160), _text(item.get(body))
        out.append(": ".join(t for t in (title, text) if t))
    return [line for line in out if line]


def _root_cause(step: Mapping[str, Any]) -> dict[str, Any] | None:
    causes = dicts(step.get("causes"))
    if not causes:
        return None
    selection = as_dict(step.get("selection"))
    cause = next((c for c in causes if c.get("id") == selection.get("cause_id")), causes[0])
    timeline = dicts(cause.get("root_cause_reproduction"))
    files = {
        f"{f.get('repo_name')}/{f.get('file_path')}"
        for f in (e.get("relevant_code_file") for e in timeline)
        if isinstance(f, dict) and f.get("file_path")
    }
    return {
        "description": _text(cause.get("description")),
        "timeline": _titled(timeline, "code_snippet_and_analysis"),
        "files": sorted(files)[:MAX_ITEMS],
    }


def _solution(step: Mapping[str, Any]) -> dict[str, Any]:
    items = [s for s in dicts(step.get("solution")) if s.get("is_active") is not False]
    return {"description": _text(step.get("description")), "steps": _titled(items, "code_snippet_and_analysis")}


def _changes(step: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for change in dicts(step.get("changes"))[:MAX_ITEMS]:
        pull = as_dict(change.get("pull_request"))
        out.append(
            {
                "repo": change.get("repo_name"),
                "title": _text(change.get("title"), 160),
                "description": _text(change.get("description")),
                "pull_request": pull.get("pr_url"),
            }
        )
    return out


def _from_steps(run: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"steps": []}
    for step in dicts(run.get("steps"))[:20]:
        out["steps"].append(f"{_text(step.get('title'), 80) or step.get('key')}: {step.get('status')}")
        kind = step.get("type")
        if kind == "root_cause_analysis":
            out["root_cause"] = _root_cause(step)
        elif kind == "solution":
            out["solution"] = _solution(step)
        elif kind == "changes":
            out["changes"] = _changes(step)
    return out


def _from_blocks(run: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for block in dicts(run.get("blocks"))[:50]:
        for artifact in dicts(block.get("artifacts")):
            data = as_dict(artifact.get("data"))
            if artifact.get("key") == "root_cause":
                out["root_cause"] = {
                    "description": _text(data.get("one_line_description")),
                    "why": [t for t in (_text(w, 200) for w in _list(data.get("five_whys"))) if t],
                    "reproduction": [t for t in (_text(r, 200) for r in _list(data.get("reproduction_steps"))) if t],
                    "repo": data.get("relevant_repo"),
                }
            elif artifact.get("key") == "solution":
                out["solution"] = {
                    "description": _text(data.get("one_line_summary")),
                    "steps": _titled(dicts(data.get("steps")), "description"),
                }
    return out


def _list(value: Any) -> list[Any]:
    return value[:MAX_ITEMS] if isinstance(value, list) else []


def autofix_summary(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The compact Seer state (module docstring)."""
    run = obj.get("autofix")
    if not isinstance(run, dict):
        return {"status": "NOT_STARTED", "note": NO_RUN}
    out: dict[str, Any] = {
        "run_id": run.get("run_id"),
        "status": run.get("status"),
        "updated_at": run.get("updated_at"),
    }
    out |= _from_blocks(run) if "blocks" in run else _from_steps(run)
    pending = run.get("pending_user_input")
    if pending:
        out["waiting_for"] = _text(pending if isinstance(pending, str) else str(pending), 200)
    return out


AUTOFIX = View(summary=autofix_summary)
"""``issue_autofix get``: the summary above; ``detail='full'`` gives Sentry's whole run state."""
