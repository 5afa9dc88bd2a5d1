"""Profiles: the hottest frames of a sampled profile, not the raw samples.

A profile (Sentry's sample format) is ``samples`` pointing at ``stacks`` (lists of indices into
``frames``, the leaf, where the CPU was, first). A frame's self time is the share of samples where it
is the leaf; its total time the share where it is anywhere on the stack. Counted per stack (each
stack once, times its samples), so the work is bounded by ``MAX_SAMPLES`` + ``MAX_STACKS`` x
``MAX_STACK_DEPTH`` whatever the profile holds. Only the transaction's active thread is counted when
the profile names it.
"""

from __future__ import annotations

import heapq
import itertools
import statistics
from collections import Counter
from collections.abc import Mapping
from typing import Any

from .base import View
from .loose import as_dict, as_list

MAX_SAMPLES = 200_000
MAX_STACKS = 50_000
MAX_STACK_DEPTH = 512
HOT_FRAMES = 12
"""Frames listed by self time."""
IN_APP_FRAMES = 8
"""The application's own frames listed by total time (where its code spends time, callees included)."""


def _frame_label(frame: Any) -> str:
    if not isinstance(frame, dict):
        return "?"
    where = frame.get("module") or frame.get("filename") or frame.get("package") or frame.get("abs_path") or "?"
    line = frame.get("lineno")
    function = frame.get("function") or frame.get("instruction_addr") or "?"
    text = f"{where}:{line} {function}" if isinstance(line, int) else f"{where} {function}"
    return text if len(text) <= 200 else text[:199] + "…"


def _interval_ms(samples: list[dict[str, Any]]) -> float | None:
    """The typical time between two samples of the thread (v1: ``elapsed_since_start_ns``; v2: ``timestamp`` s)."""
    for key, scale in (("elapsed_since_start_ns", 1e-6), ("timestamp", 1e3)):
        times = [s[key] for s in samples[:1000] if isinstance(s.get(key), int | float) and not isinstance(s[key], bool)]
        gaps = [(b - a) * scale for a, b in itertools.pairwise(times) if b > a]
        if gaps:
            return float(statistics.median(gaps))
    return None


def _thread_samples(profile: Mapping[str, Any], active: Any) -> list[dict[str, Any]]:
    raw = profile.get("samples")
    samples = [s for s in (raw[:MAX_SAMPLES] if isinstance(raw, list) else []) if isinstance(s, dict)]
    if active is None:
        return samples
    mine = [s for s in samples if str(s.get("thread_id")) == str(active)]
    return mine or samples


def hot_frames(profile: Mapping[str, Any], active_thread: Any = None) -> dict[str, Any]:
    """Self and total sample shares of the hottest frames of one profile's samples."""
    samples = _thread_samples(profile, active_thread)
    stacks = as_list(profile.get("stacks"))
    frames = as_list(profile.get("frames"))
    per_stack = Counter(sid if isinstance(sid := s.get("stack_id"), int) else None for s in samples)  # hashable
    labels: dict[int, str] = {}
    in_app: dict[str, bool] = {}
    self_count: Counter[str] = Counter()
    total_count: Counter[str] = Counter()

    def label(index: Any) -> str | None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(frames):
            return None
        if index not in labels:
            labels[index] = _frame_label(frames[index])
            in_app[labels[index]] = in_app.get(labels[index], False) or bool(as_dict(frames[index]).get("in_app"))
        return labels[index]

    for stack_id, count in per_stack.most_common(MAX_STACKS):
        if not isinstance(stack_id, int) or not 0 <= stack_id < len(stacks) or not isinstance(stacks[stack_id], list):
            continue
        names = [n for n in (label(i) for i in stacks[stack_id][:MAX_STACK_DEPTH]) if n is not None]
        if names:
            self_count[names[0]] += count
            for name in set(names):
                total_count[name] += count
    counted = sum(per_stack.values())
    interval = _interval_ms(samples)

    def row(name: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "frame": name,
            "self_pct": round(100 * self_count[name] / counted, 1),
            "total_pct": round(100 * total_count[name] / counted, 1),
        }
        if interval is not None:
            out["self_ms"] = round(self_count[name] * interval)
        if in_app.get(name):
            out["in_app"] = True
        return out

    if not counted:
        return {"samples": 0}
    hottest = heapq.nlargest(HOT_FRAMES, self_count, key=lambda n: (self_count[n], total_count[n]))
    app_frames = [n for n in total_count if in_app.get(n)]
    return {
        "samples": counted,
        "sample_interval_ms": round(interval, 2) if interval is not None else None,
        "hot_frames": [row(n) for n in hottest],
        "in_app_by_total": [row(n) for n in heapq.nlargest(IN_APP_FRAMES, app_frames, key=lambda n: total_count[n])],
    }


def profile_summary(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Who and where the profile is from, and its hottest frames."""
    transaction = as_dict(obj.get("transaction"))
    release = obj.get("release")
    runtime = as_dict(obj.get("runtime"))
    profile = as_dict(obj.get("profile"))
    threads = as_dict(profile.get("thread_metadata"))
    active = transaction.get("active_thread_id")
    thread = threads.get(str(active)) if active is not None else None
    return {
        "profile_id": obj.get("event_id") or obj.get("profile_id"),
        "transaction": transaction.get("name"),
        "trace_id": transaction.get("trace_id"),
        "platform": obj.get("platform"),
        "release": release.get("version") if isinstance(release, dict) else release,
        "environment": obj.get("environment"),
        "timestamp": obj.get("timestamp"),
        "runtime": " ".join(str(runtime.get(k) or "") for k in ("name", "version")).strip() or None,
        "thread": thread.get("name") if isinstance(thread, dict) else active,
        **hot_frames(profile, active),
    }


PROFILE = View(summary=profile_summary)
"""``profiles get``: the summary above; ``detail='full'`` gives the raw profile (large)."""
