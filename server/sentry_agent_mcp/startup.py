"""Startup: the few things that shorten what a user waits for before the server answers.

A client spawns the server, waits for ``initialize``, lists the tools at once, and makes its first call
when its user asks. Each trick below is kept because it moves one of those numbers (``bench/startup.py``
measures each with and without, in the same run; README "Performance"):

- **Lazy imports.** Before ``initialize`` the server imports only the SDK, the settings and the
  redaction; the catalog (~50 pydantic models), the backends and the executor are imported where they
  are first used (``tools/list``, the first call). The package root exports its names the same way.
- **Precomputed tool entries.** ``tools/list`` is built from ``tool_entries.json`` when it was made from
  the sources beside it (``tool_entries.py``), without importing the catalog; else from the catalog.
- **Warm-up.** Right after the first ``tools/list`` has been answered, the event loop imports what the
  first call needs, so that call does not pay for it. It runs on the event loop, in the thread that
  serves requests: no process-wide state is changed from a background thread.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from .config import BackendKind, Settings
from .tool_entries import ENTRIES_FILE, ToolEntry, entries_from_catalog, read_entries

logger = logging.getLogger(__name__)

WARM_UP_DELAY_S = 0.05
"""Long enough for the ``tools/list`` answer to be written before the event loop turns to importing."""


def tool_entries(path: Path = ENTRIES_FILE) -> list[ToolEntry]:
    """What ``tools/list`` shows of each pair: the precomputed file when current, else the live catalog."""
    entries = read_entries(path)
    if entries is None:
        logger.debug("%s is missing or stale; listing the tools from the catalog", path.name)
        return entries_from_catalog()
    return entries


def import_call_path(demo: bool = False) -> None:
    """Import what the first call needs (the executor, the catalog, the backends; the demo Sentry for the
    demo backend) and load the system's certificates, which the first HTTP client needs."""
    from .backends.http_client import trusted_ssl_context
    from .executor import Executor  # noqa: F401  (imports the catalog and the backends)

    trusted_ssl_context()
    if demo:
        import sentry_demo  # noqa: F401


def schedule_warm_up(settings: Settings) -> None:
    """Run ``import_call_path`` on the running event loop shortly; nothing when there is none (trio, sync)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    demo = settings.backend_kind() is BackendKind.DEMO  # checked already: tools/list got this far
    loop.call_later(WARM_UP_DELAY_S, import_call_path, demo)
