"""Shared fixtures: the demo Sentry as a real HTTP server, and a clean environment per test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sentry_agent_mcp.demo_sentry import DEMO_TOKEN, DemoSentryServer

ROOT = Path(__file__).resolve().parents[1]
CANARY_TOKEN = "sntryu_canary0123456789abcdef0123456789abcdef0123456789abcdef0123"

_CONFIG_VARS = [name for name in os.environ if name.startswith(("SENTRY_", "AIRBYTE_"))]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own Sentry or Airbyte configuration."""
    for name in _CONFIG_VARS:
        monkeypatch.delenv(name, raising=False)


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
