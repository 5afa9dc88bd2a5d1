"""The MCP server: an ``MCPServer`` whose tools come from the catalog.

``list_tools``/``call_tool`` are overridden (the SDK's documented extension point), so that the
catalog stays the single source of truth and ``mcp dev``/``mcp run``/every transport keep working.

Startup is what Claude Desktop waits for: the catalog (~45 pydantic models), ``httpx`` and the backend
are imported and built on first use (``tools/list``, the first call), not before ``initialize``.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

import anyio
from mcp import MCPError
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS, CallToolResult, TextContent, Tool

from . import __version__
from .config import Settings
from .errors import ConfigurationError, InternalError, SentryAgentError, UnknownPairError, echo
from .redaction import SECRETS, redact, redact_data

if TYPE_CHECKING:
    from .executor import Executor
    from .mcp_tools import ToolSurface

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Tools to read (and, when enabled, change) Sentry: organizations, projects, issues and their events, "
    "tags and notes, releases with deploys and commits, Discover queries, stats and release health, "
    "monitors, alerts and replays. Lists return {data, meta: {has_more, next_cursor}}: pass next_cursor "
    "back as 'cursor' for the next page; limit goes up to 500 (several pages). Issue ids may be numeric "
    "or short ids like 'WEB-1A'. Results are compact views (events: a stack-trace summary); every list "
    "and get tool also takes detail='full' for Sentry's raw object, or fields=['id','metadata.type',...] "
    "for just those dotted paths of it. Results past the size budget are trimmed and meta.note says how "
    "to narrow or page on."
)

COLUMNS_NOTE = (
    " Lists come column-wise: {columns: [key, ...], data: [[value, ...], ...], meta}, each row's values in "
    "the order of columns (null where a row has no such key)."
)


def event_loop_options() -> dict[str, Any]:
    """``anyio.run`` options: uvloop when it is installed (it is a dependency except on Windows)."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return {}
    return {"use_uvloop": True}


def _json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)


def success_result(data: Any, list_format: Literal["objects", "columns"] = "objects") -> CallToolResult:
    """JSON as a text block (for every client) and as structured content; lists column-wise if asked."""
    if list_format == "columns":
        from .views import as_columns

        data = as_columns(data)
    text = _json(data)
    if SECRETS.found_in(text):  # the last check at the exit: text and structured content alike
        data = redact_data(data)
        text = _json(data)
    structured = data if isinstance(data, dict) else {"result": data}
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def error_result(error: SentryAgentError) -> CallToolResult:
    """An ``isError`` result the model reads and acts on."""
    return CallToolResult(
        content=[TextContent(type="text", text=redact(str(error)))],
        structured_content={"error": redact_data(error.to_dict())},
        is_error=True,
    )


class Runtime:
    """What the lifespan holds: the executor, built on the first call that needs it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._executor: Executor | None = None

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            from .backends import create_backend
            from .executor import Executor

            self._executor = Executor(self.settings, create_backend(self.settings))
        return self._executor

    async def aclose(self) -> None:
        if self._executor is not None:
            await self._executor.aclose()


@asynccontextmanager
async def _lifespan(server: MCPServer[Runtime]) -> AsyncIterator[Runtime]:
    assert isinstance(server, SentryMCPServer)
    runtime = Runtime(server.config)
    try:
        yield runtime
    finally:
        await runtime.aclose()


class SentryMCPServer(MCPServer[Runtime]):
    """The Sentry MCP server for one configuration."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.config = settings if settings is not None else Settings.read()
        super().__init__(
            "sentry-agent-mcp",
            version=__version__,
            instructions=INSTRUCTIONS + (COLUMNS_NOTE if self.config.list_format == "columns" else ""),
            lifespan=_lifespan,
            log_level=self.config.log_level,
        )
        from .redaction import install_redaction, secrets_of

        install_redaction(secrets_of(self.config))  # every way in (serve, mcp run, mcp dev) redacts logs
        self._surface: ToolSurface | None = None
        self._warming = False

    def run(self, transport: Literal["stdio", "sse", "streamable-http"] = "stdio", **kwargs: Any) -> None:
        """As the SDK's, but every HTTP way in serves the guarded app; stdio is the SDK's, guarded (``stdio.py``)."""
        if transport != "stdio":  # every HTTP way in (serve, `mcp run -t ...`) serves the guarded app
            from .http_app import serve_http

            serve_http(self, transport, **kwargs)
            return
        # uvloop where installed, as for HTTP: not needed by stdio (its pipes are read and written in threads),
        # but its wake-ups from those threads are cheaper (measured: ~0.05 ms less per round trip)
        anyio.run(self.run_stdio_async, backend_options=event_loop_options())

    async def run_stdio_async(self) -> None:
        """As the SDK's, with every input line checked first (``stdio.py``): bad input is answered, not fatal."""
        from .stdio import guarded_stdio

        # The one reach into the SDK's internals: MCPServer has no public way to run over streams of our
        # choosing, so the low-level server is run here exactly as the SDK's own run_stdio_async runs it.
        lowlevel = self._lowlevel_server
        async with guarded_stdio() as (read_stream, write_stream):
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())

    async def run_streamable_http_async(self, **options: Any) -> None:
        """Streamable HTTP with ``http_app``'s guards and limits, never the SDK's bare app.

        Only ``host`` and ``port`` are taken (default ``SENTRY_MCP_HTTP_HOST``/``_PORT``); the rest comes
        from the settings, so no caller can serve this server without its bearer check or body cap.
        """
        from .http_app import serve_http_async

        await serve_http_async(self, "streamable-http", **options)

    async def run_sse_async(self, **options: Any) -> None:
        """SSE with ``http_app``'s guards and limits, as ``run_streamable_http_async``."""
        from .http_app import serve_http_async

        await serve_http_async(self, "sse", **options)

    @property
    def surface(self) -> ToolSurface:
        """The tools of this configuration.

        A configuration that names no usable backend (``mcp run``/``mcp dev`` with nothing set) makes
        ``tools/list`` and ``tools/call`` a JSON-RPC error whose message says what to set, logged in one
        line: the SDK would answer "Internal server error" and log a traceback.
        """
        if self._surface is None:
            from .mcp_tools import ToolSurface

            try:
                self._surface = ToolSurface.build(self.config)
            except ConfigurationError as exc:
                logger.error("sentry-agent-mcp is not configured: %s", exc.message)
                raise MCPError(INTERNAL_ERROR, str(exc), data={"error": exc.to_dict()}) from None
        return self._surface

    async def list_tools(self) -> list[Tool]:
        tools = self.surface.tools
        self._warm_up()
        return tools

    def _warm_up(self) -> None:
        """Once, right after the first ``tools/list``: import what the first call needs in the background.

        The HTTP clients and backends take ~0.4 s to import (aiohttp alone ~0.3 s, most of it loading
        the system's certificates); a client lists the tools at once and calls one only when its user asks, so the
        import is done by then instead of delaying that first answer. A call that comes sooner waits
        for the import, as it would have anyway.
        """
        if self._warming:
            return
        self._warming = True
        timer = threading.Timer(0.05, _import_call_path)
        timer.daemon = True
        timer.start()

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Runtime, Any] | None = None
    ) -> CallToolResult:
        from .mcp_tools import DESCRIBE_TOOL, EXECUTE_TOOL

        surface = self.surface
        if name not in surface.names:
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {name}")
        if context is None:
            raise MCPError(INVALID_PARAMS, "Tools run only inside an MCP request.")
        progress = context.report_progress  # a no-op unless the client sent a progress token
        try:
            executor = context.request_context.lifespan_context.executor
            if name == DESCRIBE_TOOL:
                return success_result(self._describe(executor, arguments))
            if name == EXECUTE_TOOL:
                entity, action, params = _execute_arguments(arguments)
                result = await executor.execute(entity, action, params, progress=progress)
            else:
                entity, action = surface.pairs_by_tool[name]
                result = await executor.execute(entity, action, arguments, progress=progress)
            return success_result(result, self.config.list_format)
        except SentryAgentError as exc:
            logger.info("tool %s failed: %s", name, exc.code)
            return error_result(exc)
        except Exception as exc:  # a bug of ours: the SDK would send str(exc) as is; ours is redacted
            logger.exception("tool %s failed unexpectedly", name)
            return error_result(InternalError(f"{name} failed unexpectedly: {type(exc).__name__}: {echo(exc, 300)}"))

    def _describe(self, executor: Executor, arguments: dict[str, Any]) -> Any:
        from .catalog.schema import input_schema

        entity, action = arguments.get("entity"), arguments.get("action")
        if not entity and not action:
            return {
                "pairs": [
                    {"entity": p.entity, "action": p.action, "kind": p.kind.value, "description": p.description}
                    for p in executor.pairs()
                ]
            }
        pair = executor.resolve(str(entity or ""), str(action or ""))
        return {
            "entity": pair.entity,
            "action": pair.action,
            "kind": pair.kind.value,
            "description": pair.description,
            "params": input_schema(pair, executor.defaults),
        }


def _import_call_path() -> None:
    from .backends import create_backend  # noqa: F401
    from .backends.transport import default_ssl_context
    from .executor import Executor  # noqa: F401

    default_ssl_context()
    # The imports left ~0.5 s of objects for the next full collection, which would land on the first
    # call; collect now, and move what is loaded for good out of the collector's way.
    gc.collect()
    gc.freeze()


def _execute_arguments(arguments: dict[str, Any]) -> tuple[str, str, Any]:
    from .catalog import CATALOG

    unknown = set(arguments) - {"entity", "action", "params"}
    entity, action = arguments.get("entity"), arguments.get("action")
    if unknown or not isinstance(entity, str) or not isinstance(action, str):
        valid = ", ".join(sorted({e for e, _ in CATALOG}))
        raise UnknownPairError(
            "sentry_execute takes {entity, action, params}"
            + (f"; unknown argument(s): {', '.join(echo(name) for name in sorted(unknown))}" if unknown else "")
            + ".",
            hint=f"entity is one of: {valid}; params is an object.",
        )
    return entity, action, arguments.get("params")
