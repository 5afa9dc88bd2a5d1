"""The pinned endpoints ``/mcp/{organization_slug}`` and ``/mcp/{organization_slug}/{project_slug}``.

README "Pinning a session to an organization or project". The same SDK app serves them as ``/mcp``:

- ``PinnedPaths`` (ASGI, right around the SDK's app, so the bearer check and every other guard of
  ``http_app`` stay in front) checks the slugs (a malformed one is a JSON 400), records the pin in the
  request's state and hands the request on as ``/mcp``;
- each message is judged by the path of the HTTP request that carried it (the SDK hands handlers that
  request): a session opened on ``/mcp/acme`` that posts to ``/mcp`` is unpinned for that request. A pin
  scopes calls; it is no credential, and it needs no server-side session, so stateless mode pins alike;
- ``PinnedToolLists`` (server middleware, the SDK's documented hook) shows ``tools/list`` as pinned:
  pinned params optional, described as pinned, and the tools the pin cannot scope left out;
- ``tools/call`` passes the pin to ``Executor.execute`` (``mcp_server.call_tool``), which fills and bounds
  the params (``pinning.py``).

SSE is not pinned: its messages arrive on ``/messages/``, whose path names no pin; the SSE transport is
kept for old clients only.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import Tool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .pinning import Pin, parse_pin, pinned_fields, refusal

if TYPE_CHECKING:
    from .mcp_server import SentryMCPServer

PIN_STATE_KEY = "sentry_agent_mcp.pin"
"""Where ``PinnedPaths`` leaves the pin in the request's state (``request.state``)."""
PINNED_PATH = re.compile(r"^/mcp/([^/]+)(?:/([^/]+))?/?$")
MAX_CACHED_PINS = 256
"""Pinned tool lists kept; each is a few tens of kilobytes, computed again in milliseconds."""


class PinnedPaths:
    """Serves ``/mcp/{org}[/{project}]`` as ``/mcp``, with the pin in the request's state; 400 for a bad slug."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = PINNED_PATH.match(scope["path"]) if scope["type"] == "http" else None
        if match is None:
            await self.app(scope, receive, send)
            return
        try:
            pin = parse_pin(match.group(1), match.group(2))
        except ValueError as exc:
            body = {
                "error": "invalid_pin",
                "error_description": f"{exc}: pinned endpoints are /mcp/<organization_slug>[/<project_slug>].",
            }
            await JSONResponse(body, status_code=400)(scope, receive, send)
            return
        state = {**scope.get("state", {}), PIN_STATE_KEY: pin}
        await self.app({**scope, "path": "/mcp", "raw_path": b"/mcp", "state": state}, receive, send)


def request_pin(request: object) -> Pin | None:
    """The pin of the HTTP request that carried a message (None: unpinned, or not HTTP)."""
    scope = getattr(request, "scope", None)
    state = scope.get("state") if isinstance(scope, dict) else None
    pin = state.get(PIN_STATE_KEY) if isinstance(state, dict) else None
    return pin if isinstance(pin, Pin) else None


class PinnedToolLists:
    """Server middleware: ``tools/list`` on a pinned endpoint shows the tools as the pin serves them.

    The unpinned list is precomputed (``startup.py``); a pinned one is computed on its first request and
    kept, for at most ``MAX_CACHED_PINS`` pins.
    """

    def __init__(self, server: SentryMCPServer) -> None:
        self.server = server
        self._lists: OrderedDict[Pin, dict[str, Tool]] = OrderedDict()

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        """The answer as the SDK shaped it for the wire (a dict, in the client's protocol version), with each
        tool's description and input schema replaced by the pinned ones and the refused tools left out."""
        result = await call_next(ctx)
        pin = request_pin(ctx.request) if ctx.method == "tools/list" else None
        listed = result.get("tools") if pin is not None and isinstance(result, dict) else None
        if pin is None or not isinstance(result, dict) or not isinstance(listed, list):
            return result
        pinned = self.pinned_tools(pin)
        tools = []
        for wire in listed:
            tool = pinned.get(str(wire.get("name"))) if isinstance(wire, dict) else None
            if tool is not None:
                tools.append({**wire, "description": tool.description, "inputSchema": tool.input_schema})
        return {**result, "tools": tools}

    def pinned_tools(self, pin: Pin) -> dict[str, Tool]:
        if pin in self._lists:
            self._lists.move_to_end(pin)
            return self._lists[pin]
        tools = self._build(pin)
        self._lists[pin] = tools
        if len(self._lists) > MAX_CACHED_PINS:
            self._lists.popitem(last=False)
        return tools

    def _build(self, pin: Pin) -> dict[str, Tool]:
        """The tools of a server configured with the pin as its defaults, less what the pin refuses,
        each pinned param described as pinned."""
        from .catalog import CATALOG
        from .mcp_tools import EXECUTE_TOOL, ToolSurface
        from .pinning import defaults_under

        settings = self.server.sentry_settings
        defaults = defaults_under(pin, settings.scoping_defaults)
        surface = ToolSurface.build(
            settings.model_copy(update={"org": defaults["organization_slug"], "project": defaults.get("project_slug")})
        )
        tools: dict[str, Tool] = {}
        for tool in surface.tools:
            pair_key = surface.pairs_by_tool.get(tool.name)
            if pair_key is not None:
                pair = CATALOG[pair_key]
                if refusal(pair, pin) is not None:
                    continue
                tool = _pinned_schema(tool, pinned_fields(pair, pin))
            elif tool.name == EXECUTE_TOOL:
                note = f" This endpoint is pinned to {pin}: params naming another are refused."
                tool = tool.model_copy(update={"description": (tool.description or "") + note})
            tools[tool.name] = tool
        return tools


def _pinned_schema(tool: Tool, pinned: dict[str, str]) -> Tool:
    """``tool`` with each pinned param it takes optional and described as pinned (the executor fills it)."""
    schema = dict(tool.input_schema)
    properties = dict(schema.get("properties", {}))
    if not any(name in properties for name in pinned):
        return tool
    for name, value in pinned.items():
        if name in properties:
            prop = dict(properties[name])
            text = str(prop.get("description", "")).removesuffix(f" Defaults to '{value}'.")
            prop["description"] = f"{text} Pinned to '{value}' by this endpoint: leave it out; another is refused."
            properties[name] = prop
    schema["properties"] = properties
    required = [name for name in schema.pop("required", []) if name not in pinned]
    if required:
        schema["required"] = required
    return tool.model_copy(update={"input_schema": schema})


def pinned_paths(server: SentryMCPServer, app: ASGIApp) -> ASGIApp:
    """``app`` (the SDK's streamable HTTP app) answering on the pinned paths too, with pinned tool lists."""
    if not any(isinstance(m, PinnedToolLists) for m in server.middleware):
        server.middleware.append(PinnedToolLists(server))
    return PinnedPaths(app)
