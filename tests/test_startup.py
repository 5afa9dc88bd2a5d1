"""Startup machinery (``startup.py``): nothing of the call path before ``initialize``, the warm-up once,
on the event loop's own thread, after the first ``tools/list``."""

from __future__ import annotations

from conftest import fresh_python


def test_the_warm_up_runs_once_on_the_event_loop_thread_after_the_first_tools_list() -> None:
    code = """
import sys, threading
import anyio
from mcp import Client
import sentry_agent_mcp.startup as startup
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer

seen = []
warm = startup.import_call_path
def spy(demo=False):
    seen.append((threading.current_thread() is threading.main_thread(), demo))
    warm(demo)
startup.import_call_path = spy

async def main():
    async with Client(SentryMCPServer(Settings(backend='demo'))) as client:
        lazy = ('sentry_agent_mcp.executor', 'sentry_agent_mcp.catalog', 'sentry_agent_mcp.backends', 'sentry_demo')
        assert not [m for m in lazy if m in sys.modules], [m for m in lazy if m in sys.modules]
        await client.list_tools()
        await client.list_tools()
        await anyio.sleep(0.5)
        assert seen == [(True, True)], seen
        assert all(m in sys.modules for m in lazy)
        assert threading.active_count() == 1, threading.enumerate()
        result = await client.call_tool('sentry_issues_get', {'organization_slug': 'acme', 'issue_id': 'WEB-1'})
        assert not result.is_error

anyio.run(main)
"""
    fresh_python(code)


def test_a_call_before_the_warm_up_is_answered() -> None:
    """A client that calls at once waits for the imports, as it would without a warm-up; then the warm-up is cheap."""
    code = """
import anyio
from mcp import Client
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_server import SentryMCPServer

async def main():
    async with Client(SentryMCPServer(Settings(backend='demo'))) as client:
        await client.list_tools()
        result = await client.call_tool('sentry_issues_get', {'organization_slug': 'acme', 'issue_id': 'WEB-1'})
        assert not result.is_error, result
        await anyio.sleep(0.2)

anyio.run(main)
"""
    fresh_python(code)
