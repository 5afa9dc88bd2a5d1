"""Helpers for end-to-end tests: free ports, server subprocesses, waiting for a port to open."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sentry_agent_mcp.demo_sentry.server import free_port, stop_process, wait_for_port

from conftest import PYTHON


@contextmanager
def http_server(transport: str, env: dict[str, str], log: Path, host: str = "127.0.0.1") -> Iterator[int]:
    """``sentry-agent-mcp serve`` over an HTTP transport bound to ``host``; yields its port.

    Keep ``log`` under ``tmp_path``: the canary sweep (test_canary.py) reads every file there.
    """
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [PYTHON, "-m", "sentry_agent_mcp", "serve", "--transport", transport, "--host", host, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            yield port
        finally:
            stop_process(process)
