"""Carry out a write as its ``WritePlan`` says and answer with its confirmation (README "Writes").

Called by the executor for every write, whatever the entity: the read of a full-replace PUT, the
write itself, the follow-up (a note), then the confirmation. No request here is repeated by this
module: the backend repeats only what ``RequestSpec.repeatable`` allows (a PUT, never a POST that
may have been received).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .backends import Backend
from .backends.requests import build_request
from .catalog import Kind, Pair, Params
from .catalog.writing import WritePlan
from .errors import SentryAgentError
from .views.confirm import confirmation, dig

JSON = dict[str, Any]
_FOLLOW_UP_CHARS = 120


def _as_object(value: Any) -> JSON:
    return value if isinstance(value, dict) else {}


def _changes(plan: WritePlan, given: JSON, sent: JSON, before: JSON | None, after: JSON) -> tuple[JSON, JSON]:
    """(changed, was): every field whose value differs when the old object is known, else the fields
    sent with the value Sentry now holds."""
    if before is not None:
        summarize = plan.summary or (lambda obj: {k: obj.get(k) for k in sent})
        old, new = summarize(before), summarize(after or sent)
        changed = {k: v for k, v in new.items() if v != old.get(k)}
        return changed, {k: old.get(k) for k in changed}
    if plan.verb != "updated":
        return {}, {}
    source = plan.summary(after) if plan.summary else after
    flat = plan.summary(given) if plan.summary else given
    return {k: source[k] if source.get(k) not in (None, {}, []) else v for k, v in flat.items()}, {}


async def _follow_up(backend: Backend, pair: Pair, params: Params, plan: WritePlan) -> JSON:
    """Send the follow-up once; its id, or exactly what failed (the main write stands either way)."""
    follow = plan.follow_up
    if follow is None or getattr(params, follow.param, None) is None:
        return {}
    step = replace(pair, route=follow.route, idempotent=False, write=None)
    try:
        answer = _as_object(await backend.execute(step, params))
    except SentryAgentError as exc:
        reason = exc.message if len(exc.message) <= _FOLLOW_UP_CHARS else exc.message[:_FOLLOW_UP_CHARS] + "…"
        return {
            f"{follow.label}_error": reason,
            "hint": f"The {plan.noun} change was made: do not repeat it. List the {follow.label}s before adding "
            f"the {follow.label} on its own: it may or may not have been added.",
        }
    return {f"{follow.label}_id": answer.get("id")}


async def run_write(
    backend: Backend, pair: Pair, params: Params, check_read: Callable[[JSON], None] | None = None
) -> JSON:
    """The write's requests, in order, then its confirmation. ``check_read`` judges the object a
    read-modify-write read before anything is written (a pin: ``pinning.check_read_object``)."""
    plan = pair.write
    if plan is None:
        raise ValueError(f"{pair.entity}/{pair.action} is a write without a WritePlan")
    route, spec = build_request(pair, params)
    given = spec.body or {}
    sent, before, target = given, None, pair
    if plan.read_first is not None and plan.merge is not None:
        read = replace(pair, kind=Kind.GET, route=plan.read_first, idempotent=True, write=None)
        before = _as_object(await backend.execute(read, params))
        if check_read is not None:
            check_read(before)
        sent = plan.merge(before, given)
        target = replace(pair, route=replace(route, build_body=lambda _values: sent))
    after = _as_object(await backend.execute(target, params))
    changed, was = _changes(plan, given, sent, before, after)
    values = params.model_dump(exclude_none=True, mode="json")
    keys = {
        label: found if (found := dig(after, path)) is not None else values.get(label)
        for label, path in plan.keys.items()
    }
    extra = await _follow_up(backend, pair, params, plan)
    return confirmation(plan.verb, plan.noun, keys, changed=changed, was=was, extra=extra)
