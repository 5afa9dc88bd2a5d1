"""stdio without worker threads: the SDK's stdio transport over pipes that the event loop reads and writes.

The SDK reads stdin and writes stdout through anyio's thread-backed files, which sends every call
through a worker thread three times (read the line, write the answer, flush it). On the pipes a client
spawns us with, the event loop can read and write directly; this module hands the SDK's
``stdio_server`` two such streams and keeps its message handling. Like the SDK, it takes the wire off
fds 0 and 1 while serving (fd 0 reads the null device, fd 1 writes to stderr), so that a stray
``print`` or a child process cannot corrupt the protocol, and puts them back afterwards.

Where stdin or stdout is not a pipe or socket (a file, a terminal, ``/dev/null``), or on Windows, the
SDK's own transport runs instead.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

from mcp.server.stdio import stdio_server

LINE_LIMIT = 64 * 1024 * 1024
"""Longest JSON-RPC line read from the client (asyncio's default, 64 KiB, is too short for some)."""


class _Lines:
    """stdin as the async iterator of text lines the SDK's transport reads."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> _Lines:
        return self

    async def __anext__(self) -> str:
        line = await self._reader.readline()
        if not line:
            raise StopAsyncIteration
        return line.decode("utf-8", errors="replace")


class _Output:
    """stdout as the ``write``/``flush`` pair the SDK's transport calls; ``flush`` waits for the pipe."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()


def _is_pipe(fd: int) -> bool:
    """A pipe or socket: what a client spawns us with. Terminals and other devices (uvloop aborts the
    process on ``/dev/null``) are left to the SDK's transport."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


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
async def _event_loop_stdio() -> AsyncIterator[Any]:
    loop = asyncio.get_running_loop()
    sys.stdout.flush()
    with _wire_off_std_fds() as (wire_in, wire_out):
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        read_transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(wire_in, "rb", buffering=0)
        )
        write_transport, protocol = await loop.connect_write_pipe(
            lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader()), os.fdopen(wire_out, "wb", buffering=0)
        )
        writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
        try:
            async with stdio_server(_Lines(reader), _Output(writer)) as streams:  # type: ignore[arg-type]
                yield streams
        finally:
            read_transport.close()
            write_transport.close()


def stdio_transport() -> AbstractAsyncContextManager[Any]:
    """``(read_stream, write_stream)`` for ``Server.run``: threadless where it can be, else the SDK's."""
    if sys.platform == "win32" or not (_is_pipe(0) and _is_pipe(1)):
        return stdio_server()
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # not on asyncio (trio): the SDK's transport works everywhere
        return stdio_server()
    return _event_loop_stdio()
