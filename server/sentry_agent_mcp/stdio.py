"""stdio that never dies of its input: the SDK's own stdio transport, fed only lines it can take.

The SDK's ``stdio_server`` parses each line from the client as a JSON-RPC message. A line it cannot
parse (not JSON, a batch, no JSON-RPC shape) it drops without a word, and the client waits forever.
So ``sys.stdin`` is swapped, while serving, for a reader that checks every line before the SDK sees it
(the SDK reads ``sys.stdin`` in place when it is not fd 0):

- a good line passes unchanged;
- a bad line that carries a request id becomes a request for ``REFUSED_METHOD``, which the middleware
  ``answer_refused_lines`` answers with an ``MCPError``: the SDK itself then writes the JSON-RPC error,
  with the request's id, so nothing but the SDK ever writes to stdout;
- a bad line with no id to answer (garbage, a bare number, a response) is skipped with one warning on
  stderr: JSON-RPC's reply to those has id null, which no client waits for and the SDK cannot send.

Lines are read with a hard length bound, so an endless line costs neither the process nor its memory.
fd 0 reads the null device while serving (children and stray reads get EOF); the wire is read from a
private duplicate. stdout is the SDK's own: it claims fd 1 itself.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pydantic_core
from mcp import MCPError
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.types import INVALID_REQUEST, PARSE_ERROR, JSONRPCRequest, jsonrpc_message_adapter

LINE_LIMIT = 16 * 1024 * 1024
"""Longest line (bytes, without its newline) read from the client; a longer one is answered and skipped."""

MAX_DEPTH = 64
"""Deepest nesting of objects and arrays in a message (the SDK's parser gives up past 201 levels)."""

MAX_BRACKETS = 100_000
"""Most objects and arrays in one message: an MCP message has tens; a line with more is refused unparsed."""
_TOO_MANY_BRACKETS = f"Invalid Request: more than {MAX_BRACKETS} objects and arrays in one message"

SKIPPED = "skipped a line from the client that names no request to answer"

REFUSED_METHOD = "sentry-agent-mcp/refused"
"""The method a refused request is rewritten into; ``params`` carry the JSON-RPC error ``code`` and ``reason``."""

_READ_CHUNK = 64 * 1024

BATCH_REFUSED = "JSON-RPC batches are not supported by this MCP protocol version; send one message per line"
_TOO_DEEP = f"Invalid Request: nested deeper than {MAX_DEPTH} levels"
_NOT_JSON = "Parse error: the line is not valid JSON"
_NOT_AN_OBJECT = "Invalid Request: a message must be a JSON object"
_NOT_JSONRPC = (
    'Invalid Request: not a JSON-RPC 2.0 message ("jsonrpc": "2.0" with a "method", '
    'or an "id" with a "result" or an "error")'
)


def _too_long_message(limit: int) -> str:
    return f"Message too long: a line may hold at most {limit} bytes; it was skipped"


@dataclass(frozen=True)
class Refusal:
    """Why a line (or one element of a batch) is refused, and the request id to answer it with, if any."""

    request_id: str | int | None
    code: int
    reason: str
    meta: dict[str, Any] | None = None
    """The request's ``params._meta``: a 2026-07-28 client's envelope, which the SDK needs to route the answer."""

    def as_request_line(self) -> bytes:
        params: dict[str, Any] = {"code": self.code, "reason": self.reason}
        if self.meta is not None:
            params["_meta"] = self.meta
        request = {"jsonrpc": "2.0", "id": self.request_id, "method": REFUSED_METHOD, "params": params}
        return json.dumps(request, separators=(",", ":")).encode() + b"\n"


async def answer_refused_lines(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Server middleware: a ``REFUSED_METHOD`` request is answered with the error it names.

    Middleware runs before the SDK's pre-initialize gate, so a bad line is answered the same way
    before and after ``initialize``; every other message goes on unchanged.
    """
    if ctx.method != REFUSED_METHOD or ctx.request_id is None:  # a notification: nobody waits for an answer
        return await call_next(ctx)
    params = ctx.params or {}
    code, reason = params.get("code"), params.get("reason")
    if not isinstance(code, int) or isinstance(code, bool) or not isinstance(reason, str):
        code, reason = INVALID_REQUEST, "Invalid Request"
    raise MCPError(code=code, message=reason)


def screened(line: bytes) -> bytes:
    """What the SDK's transport is given for one line from the client.

    The line itself when the SDK can take it; else one ``REFUSED_METHOD`` request per refusal that
    has an id, and a warning on stderr for each that has none.
    """
    if not line.strip():
        return b""
    if line.count(b"[") + line.count(b"{") > MAX_BRACKETS:  # parsing such a line costs seconds and gigabytes
        request_id = _top_level_request_id(line[:_SCAN_WINDOW].decode("utf-8", errors="replace"))
        return _answerable([Refusal(request_id, INVALID_REQUEST, _TOO_MANY_BRACKETS)])
    # A raw CR can only be whitespace in valid JSON, but the SDK's reader splits lines at it (universal
    # newlines) and would drop both halves without a word: make it the space it stands for.
    line = line.replace(b"\r", b" ")
    text = line.decode("utf-8", errors="replace")  # as the SDK's own reader decodes
    refusals = refusals_of(text)
    return line if not refusals else _answerable(refusals)


def _answerable(refusals: list[Refusal]) -> bytes:
    lines = []
    for refusal in refusals:
        if refusal.request_id is None:  # one plain line, whatever the log format: hosts show stderr as it comes
            print(f"sentry-agent-mcp: {SKIPPED}: {refusal.reason}", file=sys.stderr, flush=True)
        else:
            lines.append(refusal.as_request_line())
    return b"".join(lines)


def refusals_of(line: str) -> list[Refusal]:
    """Why a line is refused, nothing for a line the SDK can take as it is.

    The SDK's own parser decides what is a message, so what passes here is exactly what it accepts;
    only lines it refuses (and the rare deep one it accepts) are looked at again.
    """
    try:
        message = jsonrpc_message_adapter.validate_json(line, by_name=False)
    except pydantic_core.ValidationError:
        return _refusals_of_unparsed(line)
    if _nested_deeper_than(line, MAX_DEPTH):
        if isinstance(message, JSONRPCRequest):
            return [Refusal(message.id, INVALID_REQUEST, _TOO_DEEP, _envelope(message.params))]
        return [Refusal(None, INVALID_REQUEST, _TOO_DEEP)]
    return []


def over_long_refusal(prefix: bytes, limit: int = LINE_LIMIT) -> Refusal:
    """The refusal of a line longer than ``limit``, answered with the id its first ``limit`` bytes show, if any."""
    request_id = _top_level_request_id(prefix.decode("utf-8", errors="replace"))
    return Refusal(request_id, INVALID_REQUEST, _too_long_message(limit))


def _refusals_of_unparsed(line: str) -> list[Refusal]:
    try:
        value = json.loads(line)
    except RecursionError:
        return [Refusal(_top_level_request_id(line), INVALID_REQUEST, _TOO_DEEP)]
    except ValueError:  # answered with the id it shows, if any: its sender waits for that id
        return [Refusal(_top_level_request_id(line), PARSE_ERROR, _NOT_JSON)]
    if isinstance(value, list):
        refusals = [_refusal_for(element, BATCH_REFUSED) for element in value]
        answerable = [refusal for refusal in refusals if refusal.request_id is not None]
        return answerable or [Refusal(None, INVALID_REQUEST, BATCH_REFUSED)]
    if not isinstance(value, dict):
        return [Refusal(None, INVALID_REQUEST, _NOT_AN_OBJECT)]
    reason = _TOO_DEEP if _nested_deeper_than(line, MAX_DEPTH) else _NOT_JSONRPC
    return [_refusal_for(value, reason)]


def _refusal_for(value: object, reason: str) -> Refusal:
    if not isinstance(value, dict):
        return Refusal(None, INVALID_REQUEST, reason)
    return Refusal(_request_id(value), INVALID_REQUEST, reason, _envelope(value.get("params")))


def _envelope(params: object) -> dict[str, Any] | None:
    """A request's ``params._meta``, kept when shallow enough for the SDK to parse again."""
    meta = params.get("_meta") if isinstance(params, dict) else None
    if not isinstance(meta, dict) or _nested_deeper_than(json.dumps(meta), MAX_DEPTH - 2):
        return None
    return meta


def _request_id(value: dict[str, Any]) -> str | int | None:
    """The id to answer with: a request's own, else none (a response's id names one of the client's requests)."""
    if "method" not in value:
        return None
    request_id = value.get("id")
    if isinstance(request_id, str) or (isinstance(request_id, int) and not isinstance(request_id, bool)):
        return request_id
    return None


_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+')
"""A string token may run to the end unterminated (``"?``): a failed match would rescan the rest of the
line for every quote, quadratic in its length."""
_SCAN_BUDGET = 200_000
"""Tokens looked at for the id of a line too deep or too long to parse; past that no id is found."""
_SCAN_WINDOW = 64 * 1024
"""Characters of such a line searched for its id: a request's id comes near its start."""


def _top_level_request_id(line: str) -> str | int | None:
    """The id of a request that cannot be parsed, from its outermost members only (nested ids are not it).

    Works on a line cut short or broken too (the first bytes of an over-long line, a bad JSON text): only
    members read whole before the break count.
    """
    depth, key, expecting_key = 0, None, False
    members: dict[str, str] = {}
    for count, match in enumerate(_TOKEN.finditer(line, 0, _SCAN_WINDOW)):
        token = match.group()
        if count > _SCAN_BUDGET or (depth == 0 and token != "{"):
            break
        if token in ("{", "["):
            depth, key = depth + 1, None
            expecting_key = depth == 1
        elif token in ("}", "]"):
            depth -= 1
        elif depth != 1 or token == ":":
            continue
        elif token == ",":
            expecting_key = True
        elif expecting_key:
            key, expecting_key = token, False
        elif key is not None:
            members[key], key = token, None
    found: dict[str, Any] = {}
    for name, value in members.items():
        with suppress(ValueError):  # a member cut off or broken says nothing; the others still may
            found[json.loads(name)] = json.loads(value)
    return _request_id(found)


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


def _nested_deeper_than(json_text: str, bound: int) -> bool:
    """Whether the objects and arrays of valid JSON nest more than ``bound`` levels (the outermost is level 1).

    Only the brackets outside strings matter; each pass drops the innermost pairs, so ``bound`` passes
    empty them exactly when the nesting is at most ``bound`` deep. All of it runs in ``re``, not in Python.
    """
    if json_text.count("{") + json_text.count("[") <= bound:  # fewer brackets cannot nest deeper
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", json_text))
    for _ in range(bound):
        brackets = _INNERMOST_PAIR.sub("", brackets)
        if not brackets:
            return False
    return True


class GuardedInput(io.RawIOBase):
    """The client's bytes as the SDK's transport reads them: each line ``screened``, none longer than ``limit``."""

    def __init__(self, fd: int, limit: int = LINE_LIMIT) -> None:
        super().__init__()
        self._input = open(fd, "rb", buffering=_READ_CHUNK, closefd=False)  # noqa: SIM115 - lives as long as we do
        self._limit = limit
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            line = self._input.readline(self._limit + 1)
            if not line:
                return 0
            self._pending = memoryview(self._screened(line))
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _screened(self, line: bytes) -> bytes:
        if len(line) <= self._limit or line.endswith(b"\n"):
            return screened(line)
        self._skip_rest_of_line()
        return _answerable([over_long_refusal(line, self._limit)])

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self._input.readline(_READ_CHUNK)
            if not chunk or chunk.endswith(b"\n"):
                return


@contextmanager
def guarded_stdin() -> Iterator[None]:
    """While inside, ``sys.stdin`` yields only screened lines and fd 0 reads the null device; both come back after.

    Enter on the thread that runs the server, before the SDK's ``stdio_server`` starts: it takes
    ``sys.stdin.buffer`` as it finds it then.
    """
    saved_stdin, saved_fd0 = sys.stdin, os.dup(0)
    wire = os.dup(0)  # stays open: after a cancellation a worker thread may still be blocked reading it
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
        _rebind_windows_handle(0)
        sys.stdin = io.TextIOWrapper(io.BufferedReader(GuardedInput(wire)), encoding="utf-8", errors="replace")
        yield
    finally:
        sys.stdin = saved_stdin
        os.close(null)
        os.dup2(saved_fd0, 0)
        _rebind_windows_handle(0)
        os.close(saved_fd0)


def _rebind_windows_handle(fd: int) -> None:
    """On Windows, children inherit the Win32 standard handle, not fd 0: point it where fd 0 now points."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        from mcp.os.win32.utilities import rebind_std_handle_to_fd

        with suppress(OSError):
            rebind_std_handle_to_fd(fd)
