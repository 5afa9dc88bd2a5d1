"""Access log of the HTTP transports: one line per tool call (README "Deploy for a team").

    sentry-agent-mcp access tool=sentry_issues_get status=ok ms=12.4
    sentry-agent-mcp access tool=sentry_issues_list status=rate_limited ms=803.0

The line names the tool, its status (``ok``, the error code of an ``isError`` result, or the JSON-RPC
error code) and its time, nothing else: never the arguments (they may hold anything a model wrote),
never a header, and a tool name that is not one of the server's is logged as ``<unknown>`` (a client
may send any text there). It is an SDK server middleware, so it sees every tool call whichever HTTP
transport carried it. uvicorn's own access log is off: it would print request paths with their query
strings, which is where careless clients put tokens.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mcp import MCPError
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import CallToolResult

if TYPE_CHECKING:
    from .mcp_server import SentryMCPServer

ACCESS_LOGGER = "sentry_agent_mcp.access"
logger = logging.getLogger(ACCESS_LOGGER)
UNKNOWN_TOOL = "<unknown>"


def enable_access_log() -> None:
    """Send access lines to stderr as plain single lines (idempotent), whatever the level of other logs.

    The root logger is the SDK's (rich, which wraps long lines, at ``SENTRY_MCP_LOG_LEVEL``); access lines
    have their own handler so that log collectors get one line per call at the default level.
    """
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s sentry-agent-mcp access %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _status(result: HandlerResult) -> str:
    """``ok``, or the ``code`` of an ``isError`` result (``error`` when it names none)."""
    if isinstance(result, CallToolResult):
        is_error, structured = result.is_error, result.structured_content
    elif isinstance(result, dict):
        is_error, structured = bool(result.get("isError")), result.get("structuredContent")
    else:
        return "ok"
    if not is_error:
        return "ok"
    error = structured.get("error") if isinstance(structured, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) and code.isidentifier() else "error"


class AccessLog:
    """SDK server middleware: times each ``tools/call`` and logs one line after it ends."""

    def __init__(self, is_tool: Callable[[str], bool]) -> None:
        self._is_tool = is_tool

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/call":
            return await call_next(ctx)
        name = (ctx.params or {}).get("name")
        tool = name if isinstance(name, str) and self._is_tool(name) else UNKNOWN_TOOL
        started = time.perf_counter()
        status = "cancelled"  # what stays when the call is cancelled (client gone, shutdown)
        try:
            result = await call_next(ctx)
            status = _status(result)
            return result
        except MCPError as exc:
            status = f"jsonrpc_{exc.code}"
            raise
        except Exception:
            status = "internal_error"
            raise
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            logger.info("tool=%s status=%s ms=%.1f", tool, status, elapsed)


def add_access_log(server: SentryMCPServer) -> None:
    """Log every tool call ``server`` answers from now on (idempotent: one middleware per server)."""
    enable_access_log()
    if not any(isinstance(middleware, AccessLog) for middleware in server.middleware):
        server.middleware.append(AccessLog(lambda name: _is_tool(server, name)))


def _is_tool(server: SentryMCPServer, name: str) -> bool:
    try:
        return name in server.surface.names
    except MCPError:  # not configured: every call fails, and no name is one of its tools
        return False
