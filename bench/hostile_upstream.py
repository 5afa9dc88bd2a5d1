"""A hostile upstream on 127.0.0.1 for the red-team bench and the deadline tests: loops, stalls, floods, echoes, lies.

A raw HTTP/1.1 server (one request per connection) in a background thread, so that it can do what no
honest framework would: pages that claim more results forever, answers that take seconds, bodies of
hundreds of megabytes, ids that are paths, an HTTPS certificate nobody trusts. It records every
request exactly as it arrived (the request target keeps its percent-escapes) and how many connections
and body bytes it saw, which is what the red-team rows measure.

    with HostileUpstream(lambda seen: Reply([], next_cursor="0:100:0")) as upstream:
        ...  # point the product at upstream.url; then look at upstream.requests
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

_CHUNK = b"[" + b"7," * (32 * 1024 - 1) + b"7"
"""64 KiB of a JSON array that never closes: what a flood sends over and over."""


@dataclass(frozen=True)
class Seen:
    """One request as it reached the upstream."""

    method: str
    target: str
    """The request target as sent: raw path and query, percent-escapes kept."""
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.target.partition("?")[2]))


@dataclass
class Reply:
    """What the upstream answers; ``body`` is JSON-able, or bytes sent as they are."""

    body: Any = None
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    next_cursor: str | None = None
    """Adds Sentry's ``Link`` header with a ``next`` page that says ``results="true"``."""
    delay: float = 0.0
    stream_bytes: int = 0
    """Instead of ``body``: this many bytes of an endless JSON array, chunked (or ``declared`` up front)."""
    declared: bool = False


Answer = Callable[[Seen], Reply]


@dataclass
class HostileUpstream:
    answer: Answer
    tls: ssl.SSLContext | None = None
    """Serve HTTPS with this context (the handshake happens after the connection is counted)."""
    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    body_bytes_sent: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-upstream", daemon=True)

    def __enter__(self) -> HostileUpstream:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile upstream did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def count(self, path: str) -> int:
        """Requests whose raw path is ``path``."""
        return sum(1 for seen in self.requests if seen.path == path)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    async def _stop(self) -> None:
        self._server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            if self.tls is not None:
                await writer.start_tls(self.tls)
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request_line, *lines = head.split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            method, target, _ = request_line.split(" ", 2)
            seen = Seen(method, target, headers, body)
            self.requests.append(seen)
            reply = self.answer(seen)
            await asyncio.sleep(reply.delay)
            await self._reply(writer, seen, reply)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, ValueError):
            pass  # the client hung up, or refused our certificate: both are outcomes the rows look at
        except asyncio.CancelledError:
            pass  # shutting down with a reply still delayed
        finally:
            writer.close()

    async def _reply(self, writer: asyncio.StreamWriter, seen: Seen, reply: Reply) -> None:
        head = [f"HTTP/1.1 {reply.status} X", f"Content-Type: {reply.content_type}", "Connection: close"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        if reply.next_cursor is not None:
            link = f"{self.url}{seen.path}?cursor={reply.next_cursor}"
            head.append(f'Link: <{link}>; rel="next"; results="true"; cursor="{reply.next_cursor}"')
        if not reply.stream_bytes:
            body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            writer.write(("\r\n".join([*head, f"Content-Length: {len(body)}"]) + "\r\n\r\n").encode() + body)
            await writer.drain()
            return
        framing = f"Content-Length: {reply.stream_bytes}" if reply.declared else "Transfer-Encoding: chunked"
        writer.write(("\r\n".join([*head, framing]) + "\r\n\r\n").encode())
        sent = 0
        while sent < reply.stream_bytes:
            writer.write(_CHUNK if reply.declared else f"{len(_CHUNK):x}\r\n".encode() + _CHUNK + b"\r\n")
            await writer.drain()
            sent += len(_CHUNK)
            self.body_bytes_sent += len(_CHUNK)
