"""Session replays: who, how long, what went wrong; not the raw click and device blobs."""

from __future__ import annotations

from .base import View

_REPLAY = (
    "id",
    "project_id",
    "started_at",
    "finished_at",
    "duration",
    "environment",
    "releases",
    "user.id",
    "user.email",
    "user.display_name",
    "browser.name",
    "browser.version",
    "os.name",
    "os.version",
    "count_errors",
    "count_dead_clicks",
    "count_rage_clicks",
    "count_urls",
    "error_ids",
    "trace_ids",
)

REPLAY_ROW = View(keep=_REPLAY)

REPLAY = View(keep=(*_REPLAY, "urls", "count_segments", "replay_type", "platform", "sdk.name"))
