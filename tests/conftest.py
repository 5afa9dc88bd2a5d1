"""Shared fixtures: the demo Sentry as a real HTTP server, and a clean environment per test."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from sentry_demo import DEMO_TOKEN, DemoSentryApp, DemoSentryServer, create_app

DEMO_BASE_URL = "http://demo.sentry.local"
ROOT = Path(__file__).resolve().parents[1]
SEED_TOOLS = frozenset(
    {
        "sentry_projects_list",
        "sentry_projects_get",
        "sentry_project_detail_get",
        "sentry_issues_list",
        "sentry_issues_get",
        "sentry_events_list",
        "sentry_events_get",
        "sentry_releases_list",
        "sentry_releases_get",
    }
)
"""The nine tools of the Airbyte connector's pairs (README "Tools"); names users depend on."""
CANARY_TOKEN = "sntryu_canary0123456789abcdef0123456789abcdef0123456789abcdef0123"

_CONFIG_VARS = [name for name in os.environ if name.startswith(("SENTRY_", "AIRBYTE_"))]
SERVER_OUTPUT = "server-output"
"""Folder under the session's temp dir for in-process logs and stdio servers' stderr (see test_canary.py)."""

sys.path.insert(0, str(ROOT / "bench"))  # the reliability benches share their cases with the tests


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own Sentry or Airbyte configuration."""
    for name in _CONFIG_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def app() -> DemoSentryApp:
    """A fresh in-process demo Sentry (its own issue state and request log)."""
    return create_app()


@pytest.fixture
async def client(app: DemoSentryApp) -> AsyncIterator[httpx2.AsyncClient]:
    """An HTTP client for ``app``, in process, with the demo token."""
    transport = httpx2.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}"}
    async with httpx2.AsyncClient(transport=transport, base_url=DEMO_BASE_URL, headers=headers) as http:
        yield http


@pytest.fixture(scope="session")
def demo_sentry() -> Iterator[DemoSentryServer]:
    """One demo Sentry on 127.0.0.1 for the session; accepts the demo and the canary token."""
    with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY_TOKEN]) as server:
        yield server


def server_env(sentry_url: str, token: str = CANARY_TOKEN, **extra: str) -> dict[str, str]:
    """Environment for a server subprocess pointed at a demo Sentry over real HTTP."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SENTRY_AUTH_TOKEN": token,
        "SENTRY_HOSTNAME": sentry_url,
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


PYTHON = sys.executable


def fresh_python(code: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``code`` in a new interpreter (what it imports is its own); fails the test unless it exits 0."""
    done = subprocess.run([PYTHON, "-c", code, *args], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done


@pytest.fixture(scope="session", autouse=True)
def _capture_server_output(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep what our servers write during the session under the session's temp dir, for the canary sweep.

    Subprocess servers already log to files under ``tmp_path``. Here: in-process servers' logs (INFO and
    up, to a file) and the stderr of stdio servers started without an ``errlog``.
    """
    import mcp.client.client as client_module

    out = tmp_path_factory.getbasetemp() / SERVER_OUTPUT
    out.mkdir(exist_ok=True)
    root = logging.getLogger()
    handler = logging.FileHandler(out / "in-process.log", encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO))
    original = client_module.stdio_client
    with (out / "stdio-stderr.log").open("a", encoding="utf-8") as stderr:

        def stdio_client(server: Any, errlog: Any = stderr) -> Any:
            return original(server, errlog=errlog)

        client_module.stdio_client = stdio_client  # type: ignore[assignment]
        try:
            yield
        finally:
            client_module.stdio_client = original  # type: ignore[assignment]
            root.removeHandler(handler)
            root.setLevel(level)
            handler.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "canary_sweep: runs after every other test (it reads what they wrote)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("canary_sweep") is not None)
