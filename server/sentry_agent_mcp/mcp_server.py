"""The MCP server: an ``MCPServer`` whose tools come from the catalog.

``list_tools``/``call_tool`` are overridden (the SDK's documented extension point), so that the
catalog stays the single source of truth and ``mcp dev``/``mcp run``/every transport keep working.

Startup is what Claude Desktop waits for: the catalog, the backends and the executor are imported on
first use (``tools/list``, the first call), not before ``initialize`` (``startup.py`` says what and why).
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

import anyio
from mcp import MCPError
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS, CallToolResult, TextContent, Tool

from ._version import __version__
from .config import Settings
from .errors import ConfigurationError, InternalError, InvalidParamsError, SentryAgentError, UnknownPairError, clip
from .redaction import SECRETS, redact, redact_data
from .startup import schedule_warm_up
from .tool_spec import DEFAULT_LIMIT, MAX_LIMIT

if TYPE_CHECKING:
    from .credentials import CredentialStore
    from .executor import Executor
    from .mcp_tools import ToolSurface

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Tools to read (and, when enabled, change) Sentry: organizations, projects, issues and their events, "
    "tags and notes, releases with deploys and commits, Discover queries, stats and release health, "
    "monitors, alerts and replays. Lists return {data, meta: {has_more, next_cursor}}: pass next_cursor "
    f"back as 'cursor' for the next page; {DEFAULT_LIMIT} rows unless limit says (up to {MAX_LIMIT}, several pages). "
    "Issue ids may be numeric "
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
    """``anyio.run`` options: uvloop when it is installed (the optional ``speed`` extra), else asyncio's own loop."""
    return {"use_uvloop": True} if importlib.util.find_spec("uvloop") is not None else {}


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
            from .executor import Executor

            self._executor = Executor.for_settings(self.settings)
        return self._executor

    async def aclose(self) -> None:
        if self._executor is not None:
            await self._executor.aclose()


@asynccontextmanager
async def _lifespan(server: MCPServer[Runtime]) -> AsyncIterator[Runtime]:
    assert isinstance(server, SentryMCPServer)
    runtime = Runtime(server.sentry_settings)
    try:
        yield runtime
    finally:
        await runtime.aclose()


class SentryMCPServer(MCPServer[Runtime]):
    """The Sentry MCP server for one configuration, ``sentry_settings`` (``settings`` is the SDK's own)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.sentry_settings = settings if settings is not None else Settings.read()
        super().__init__(
            "sentry-agent-mcp",
            version=__version__,
            instructions=INSTRUCTIONS + (COLUMNS_NOTE if self.sentry_settings.list_format == "columns" else ""),
            lifespan=_lifespan,
            log_level=self.sentry_settings.log_level,
        )
        from .redaction import install_redaction, secrets_of

        install_redaction(secrets_of(self.sentry_settings))  # every way in (serve, mcp run, mcp dev) redacts logs
        self._surface: ToolSurface | None = None
        self._credentials: CredentialStore | None = None
        self._warmed_up = False

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
        """The SDK's own, with every input line checked first (``stdio.py``): bad input is answered, not fatal."""
        from .stdio import answer_refused_lines, guarded_stdin

        if answer_refused_lines not in self.middleware:
            self.middleware.append(answer_refused_lines)
        with guarded_stdin():
            await super().run_stdio_async()

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
                self._surface = ToolSurface.build(self.sentry_settings)
            except ConfigurationError as exc:
                logger.error("sentry-agent-mcp is not configured: %s", exc.message)
                raise MCPError(INTERNAL_ERROR, str(exc), data={"error": exc.to_dict()}) from None
        return self._surface

    async def list_tools(self) -> list[Tool]:
        tools = self.surface.tools
        if not self._warmed_up:  # once: what the first call needs, imported while the user reads the tools
            self._warmed_up = True
            schedule_warm_up(self.sentry_settings)
        return tools

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Runtime, Any] | None = None
    ) -> CallToolResult:
        from .mcp_tools import DESCRIBE_TOOL, EXECUTE_TOOL
        from .pinned_http import request_pin

        surface = self.surface
        if name not in surface.names:
            raise MCPError(INVALID_PARAMS, f"Unknown tool: {clip(name)}")
        if context is None:
            raise MCPError(INVALID_PARAMS, "Tools run only inside an MCP request.")
        progress = context.report_progress  # a no-op unless the client sent a progress token
        try:
            executor = await self._executor_of(context)  # per-user mode: the caller's (credentials.py)
            pin = request_pin(context.request_context.request)  # /mcp/{org}[/{project}]: pinned_http.py
            if name == DESCRIBE_TOOL:
                return success_result(self._describe(executor, arguments))
            if name == EXECUTE_TOOL:
                entity, action, params = _execute_arguments(arguments)
                result = await executor.execute(entity, action, params, progress=progress, pin=pin)
            else:
                entity, action = surface.pairs_by_tool[name]
                result = await executor.execute(entity, action, arguments, progress=progress, pin=pin)
            return success_result(result, self.sentry_settings.list_format)
        except SentryAgentError as exc:
            logger.info("tool %s failed: %s", name, exc.code)
            return error_result(exc)
        except Exception as exc:  # a bug of ours: the SDK would send str(exc) as is; ours is redacted
            logger.exception("tool %s failed unexpectedly", name)
            return error_result(InternalError(f"{name} failed unexpectedly: {type(exc).__name__}: {clip(exc, 300)}"))

    async def _executor_of(self, context: Context[Runtime, Any]) -> Executor:
        """The executor of this call: the server's own, or in per-user mode the one of the token on the HTTP
        request this message came with (the SDK's ``request_context.request``), never a session's."""
        if self.sentry_settings.http_auth != "per-user":
            return context.request_context.lifespan_context.executor
        from .http_auth import caller_token

        return await self.credentials.executor(caller_token(context.request_context.request))

    @property
    def credentials(self) -> CredentialStore:
        """Per-user mode's executors, one per caller's token: the process's, not a session's lifespan's
        (SSE enters the lifespan once per session)."""
        if self._credentials is None:
            from .credentials import CredentialStore

            self._credentials = CredentialStore(self.sentry_settings)
        return self._credentials

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


def _execute_arguments(arguments: dict[str, Any]) -> tuple[str, str, Any]:
    from .catalog import CATALOG

    unknown = set(arguments) - {"entity", "action", "params"}
    entity, action = arguments.get("entity"), arguments.get("action")
    if unknown or not isinstance(entity, str) or not isinstance(action, str):
        valid = ", ".join(sorted({e for e, _ in CATALOG}))
        raise UnknownPairError(
            "sentry_execute takes {entity, action, params}"
            + (f"; unknown argument(s): {', '.join(clip(name) for name in sorted(unknown))}" if unknown else "")
            + ".",
            hint=f"entity is one of: {valid}; params is an object.",
        )
    return entity, action, _params_object(arguments.get("params"))


def _params_object(params: Any) -> Any:
    """``params`` as given, or the object a JSON string spells: some models send the object JSON-encoded."""
    if not isinstance(params, str):
        return params  # an object, none, or a wrong type the executor names
    try:
        decoded = json.loads(params)
    except (ValueError, RecursionError):
        decoded = None
    if not isinstance(decoded, dict):
        raise InvalidParamsError(
            f"sentry_execute params must be an object; got a string that is not a JSON object: {clip(params)}",
            hint='Send params as an object, e.g. {"organization_slug": "acme"}, or as a string holding one.',
        )
    return decoded
