"""stdio that never dies of its input: the SDK's own stdio transport over a guarded reader and writer.

The SDK's ``stdio_server`` reads text lines and parses each as a JSON-RPC message. A line it cannot
parse (not JSON, a batch, nesting past its parser's limit, no JSON-RPC shape) it drops without a word,
and the client waits forever for an answer. So every line is checked here before the SDK sees it:
a good line passes unchanged; a bad one is answered on stdout with a JSON-RPC error and goes no further.
Lines are read with a hard length bound, so an endless line costs neither the process nor its memory.

The transport gets the wire as explicit streams, which skips the SDK's own claim of fds 0 and 1, so
the claim is made here the same way: while serving, fd 0 reads the null device and fd 1 writes to
stderr (a stray ``print`` or a child process cannot corrupt the protocol), and both come back after.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TextIO

import anyio
import pydantic_core
from mcp.server.stdio import stdio_server
from mcp.types import INVALID_REQUEST, PARSE_ERROR, JSONRPCRequest, jsonrpc_message_adapter

LINE_LIMIT = 16 * 1024 * 1024
"""Longest line (bytes, without its newline) read from the client; a longer one is answered and skipped."""

MAX_DEPTH = 64
"""Deepest nesting of objects and arrays in a message (the SDK's parser gives up past 201 levels)."""

_DISCARD_CHUNK = 64 * 1024

BATCH_REFUSED = "JSON-RPC batches are not supported by this MCP protocol version; send one message per line"


class LineWriter(io.TextIOBase, TextIO):
    """stdout for the SDK's transport and for our error replies: each ``write`` goes out whole, under a lock.

    Every caller writes whole lines, so no two messages interleave on the wire; nothing is buffered,
    so ``flush`` has nothing to do.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, text: str) -> int:
        data = memoryview(text.encode("utf-8"))
        with self._lock:
            while data:
                data = data[os.write(self._fd, data) :]
        return len(text)

    def write_line(self, message: dict[str, Any]) -> None:
        self.write(json.dumps(message, separators=(",", ":")) + "\n")


class GuardedLines(io.TextIOBase, TextIO):
    """stdin for the SDK's transport: only lines it can parse, each at most ``limit`` bytes.

    A refused line is answered through ``replies`` and never returned; blank lines are skipped.
    """

    def __init__(self, fd: int, replies: LineWriter, limit: int = LINE_LIMIT) -> None:
        super().__init__()
        self._input = open(fd, "rb", buffering=_DISCARD_CHUNK, closefd=False)  # noqa: SIM115 - lives as long as we do
        self._replies = replies
        self._limit = limit

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._input.fileno()

    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]  # as typeshed's own text files
        if size is not None and size >= 0:
            raise io.UnsupportedOperation("GuardedLines reads whole lines only")
        while True:
            raw = self._input.readline(self._limit + 1)
            if not raw:
                return ""
            if len(raw) > self._limit and not raw.endswith(b"\n"):
                self._skip_rest_of_line()
                self._replies.write_line(error_reply(None, INVALID_REQUEST, _too_long_message(self._limit)))
                continue
            line = raw.decode("utf-8", errors="replace")  # as the SDK's own reader decodes
            if not line.strip():
                continue
            refusals = refusals_of(line)
            if not refusals:
                return line
            for reply in refusals:
                self._replies.write_line(reply)

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self._input.readline(_DISCARD_CHUNK)
            if not chunk or chunk.endswith(b"\n"):
                return


def error_reply(request_id: str | int | None, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def _too_long_message(limit: int) -> str:
    return f"Message too long: a line may hold at most {limit} bytes; it was skipped"


_TOO_DEEP = f"Invalid Request: nested deeper than {MAX_DEPTH} levels"
_NOT_JSON = "Parse error: the line is not valid JSON"
_NOT_AN_OBJECT = "Invalid Request: a message must be a JSON object"
_NOT_JSONRPC = (
    'Invalid Request: not a JSON-RPC 2.0 message ("jsonrpc": "2.0" with a "method", '
    'or an "id" with a "result" or an "error")'
)


def refusals_of(line: str) -> list[dict[str, Any]]:
    """The error replies a line earns, none for a line the SDK can take as it is.

    The SDK's own parser decides what is a message, so what passes here is exactly what it accepts;
    only lines it refuses (and the rare deep one it accepts) are looked at again.
    """
    try:
        message = jsonrpc_message_adapter.validate_json(line, by_name=False)
    except pydantic_core.ValidationError:
        return _refusals_of_unparsed(line)
    if _nested_deeper_than(line, MAX_DEPTH):
        request_id = message.id if isinstance(message, JSONRPCRequest) else None
        return [error_reply(request_id, INVALID_REQUEST, _TOO_DEEP)]
    return []


def _refusals_of_unparsed(line: str) -> list[dict[str, Any]]:
    try:
        value = json.loads(line)
    except RecursionError:
        return [error_reply(_top_level_request_id(line), INVALID_REQUEST, _TOO_DEEP)]
    except ValueError:
        return [error_reply(None, PARSE_ERROR, _NOT_JSON)]
    if isinstance(value, list):
        ids: list[str | int | None] = [found for found in map(_request_id, value) if found is not None]
        return [error_reply(request_id, INVALID_REQUEST, BATCH_REFUSED) for request_id in ids or [None]]
    if not isinstance(value, dict):
        return [error_reply(None, INVALID_REQUEST, _NOT_AN_OBJECT)]
    if _nested_deeper_than(line, MAX_DEPTH):
        return [error_reply(_request_id(value), INVALID_REQUEST, _TOO_DEEP)]
    return [error_reply(_request_id(value), INVALID_REQUEST, _NOT_JSONRPC)]


def _request_id(value: object) -> str | int | None:
    """The id to answer with: a request's own, else none (a response's id names one of the client's requests)."""
    if not isinstance(value, dict) or "method" not in value:
        return None
    request_id = value.get("id")
    if isinstance(request_id, str) or (isinstance(request_id, int) and not isinstance(request_id, bool)):
        return request_id
    return None


_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
_SCAN_BUDGET = 200_000
"""Tokens looked at for the id of a line too deep to parse; past that it is answered with id null."""


def _top_level_request_id(line: str) -> str | int | None:
    """The id of a request too deeply nested to parse, from its outermost members only (nested ids are not it)."""
    depth, key, expecting_key = 0, None, False
    members: dict[str, str] = {}
    for count, match in enumerate(_TOKEN.finditer(line)):
        token = match.group()
        if count > _SCAN_BUDGET or (depth == 0 and token != "{"):
            return None
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
    try:
        found = {json.loads(name): json.loads(value) for name, value in members.items()}
    except ValueError:
        return None
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


@contextmanager
def _wire_off_std_fds() -> Iterator[tuple[int, int]]:
    """Private duplicates of fds 0 and 1 for the wire; fd 0 reads /dev/null and fd 1 goes to stderr meanwhile."""
    wire_in, wire_out = os.dup(0), os.dup(1)
    saved_in, saved_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
        os.dup2(2, 1)
        yield wire_in, wire_out
    finally:
        os.close(null)
        os.dup2(saved_in, 0)
        os.dup2(saved_out, 1)
        os.close(saved_in)
        os.close(saved_out)


@asynccontextmanager
async def guarded_stdio() -> AsyncIterator[Any]:
    """``(read_stream, write_stream)`` for ``Server.run``: the SDK's stdio transport over guarded lines."""
    sys.stdout.flush()
    with _wire_off_std_fds() as (wire_in, wire_out):
        output = LineWriter(wire_out)
        lines = GuardedLines(wire_in, output)
        try:
            async with stdio_server(stdin=anyio.wrap_file(lines), stdout=anyio.wrap_file(output)) as streams:
                yield streams
        finally:
            # wire_in stays open: after a cancellation a worker thread may still be blocked reading it,
            # and a closed descriptor could be recycled under it (the SDK keeps its own open for this reason).
            os.close(wire_out)
