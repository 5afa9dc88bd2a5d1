"""stdio never dies of its input: over a real stdio subprocess, each bad line gets a JSON-RPC error reply.

The SDK's transport drops a line it cannot parse without a word (the client then waits forever), and a
line past the old 64 MiB reader limit killed the process. Here every such line is answered, with the
request's id where there is one, and the same process goes on answering calls.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sentry_agent_mcp.stdio import BATCH_REFUSED, LINE_LIMIT, MAX_DEPTH

from conftest import PYTHON

PARSE_ERROR, INVALID_REQUEST = -32700, -32600
INITIALIZE = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}
ISSUE_CALL = {"name": "sentry_issues_get", "arguments": {"organization_slug": "acme", "issue_id": "WEB-1A"}}


def _line(message: Any) -> bytes:
    return json.dumps(message).encode() + b"\n"


def _request(request_id: int | str, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, **({"params": params} if params else {})}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class Session:
    """``sentry-agent-mcp serve --demo`` spoken to in raw lines; reading never waits past a deadline."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self._stdin = process.stdin
        self._stdout = process.stdout.fileno()
        self._buffer = b""

    def send(self, *lines: bytes) -> None:
        """Written from a thread, so that a server which stopped reading fails the test instead of hanging it."""

        def write() -> None:
            for line in lines:
                self._stdin.write(line)
            self._stdin.flush()

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(timeout=20)
        assert not writer.is_alive(), "the server stopped reading its input"

    def replies_until(self, request_id: int | str, timeout: float = 20) -> list[dict[str, Any]]:
        """Every message up to and including the answer to ``request_id``, in the order they came."""
        deadline = time.monotonic() + timeout
        replies: list[dict[str, Any]] = []
        with selectors.DefaultSelector() as selector:
            selector.register(self._stdout, selectors.EVENT_READ)
            while True:
                while b"\n" in self._buffer:
                    line, self._buffer = self._buffer.split(b"\n", 1)
                    replies.append(json.loads(line))
                    if replies[-1].get("id") == request_id and ("result" in replies[-1] or "error" in replies[-1]):
                        return replies
                left = deadline - time.monotonic()
                assert left > 0 and selector.select(left), f"no answer to {request_id!r}; got {replies}"
                chunk = os.read(self._stdout, 1 << 16)
                assert chunk, f"the server closed stdout (exit {self.process.wait(5)}); got {replies}"
                self._buffer += chunk


@contextmanager
def demo_session(tmp_path: Path) -> Iterator[Session]:
    """An initialized session with the server over real pipes; on leaving, it must still be alive and exit 0."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    with (tmp_path / "stdio-guard-stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            [PYTHON, "-m", "sentry_agent_mcp", "serve", "--demo"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        try:
            session = Session(process)
            session.send(_line(_request(1, "initialize", INITIALIZE)))
            (initialized,) = session.replies_until(1)
            assert initialized["result"]["serverInfo"]["name"] == "sentry-agent-mcp"
            session.send(_line({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            yield session
            assert process.poll() is None, "the server died"
            process.stdin.close()  # type: ignore[union-attr]
            assert process.wait(timeout=20) == 0
        finally:
            process.kill()
            process.wait()


def _error(reply: dict[str, Any]) -> tuple[int | str | None, int]:
    return reply["id"], reply["error"]["code"]


def test_an_over_long_line_a_batch_deep_nesting_and_garbage_are_answered_and_serving_goes_on(tmp_path: Path) -> None:
    over_long = b'{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"' + b"a" * LINE_LIMIT + b'"}}\n'
    batch = [_request(3, "ping"), {"jsonrpc": "2.0", "method": "notifications/initialized"}, _request("four", "ping")]
    too_deep = f'{{"jsonrpc":"2.0","method":"ping","params":{{"x":{_nested(1000)}}},"id":5}}\n'.encode()
    with demo_session(tmp_path) as session:
        started = time.monotonic()
        session.send(
            over_long, _line(batch), too_deep, b"}{ not json\n", b"42\n", _line(_request(6, "tools/call", ISSUE_CALL))
        )
        replies = session.replies_until(6)
        elapsed = time.monotonic() - started

    *refusals, answer = replies
    assert [_error(reply) for reply in refusals] == [
        (None, INVALID_REQUEST),  # the over-long line: its id was never read
        (3, INVALID_REQUEST),
        ("four", INVALID_REQUEST),
        (5, INVALID_REQUEST),  # the id of a message too deep to parse is still found
        (None, PARSE_ERROR),
        (None, INVALID_REQUEST),  # a JSON number is no message
    ]
    assert str(LINE_LIMIT) in refusals[0]["error"]["message"]
    assert refusals[1]["error"]["message"] == refusals[2]["error"]["message"] == BATCH_REFUSED
    assert f"deeper than {MAX_DEPTH}" in refusals[3]["error"]["message"]
    assert answer["id"] == 6 and answer["result"]["structuredContent"]["shortId"] == "WEB-1A"
    assert elapsed < 10, f"{elapsed:.1f} s for a {LINE_LIMIT >> 20} MiB line"


def test_lines_the_sdk_would_drop_are_answered_and_nesting_within_the_bound_passes(tmp_path: Path) -> None:
    within = _request(7, "ping", {"x": json.loads(_nested(MAX_DEPTH - 2))})  # the message and params are 2 levels
    beyond = _request(8, "ping", {"x": json.loads(_nested(MAX_DEPTH - 1))})
    malformed_response = {"jsonrpc": "2.0", "id": 9, "result": "not an object"}
    with demo_session(tmp_path) as session:
        session.send(_line(within))
        assert session.replies_until(7) == [{"jsonrpc": "2.0", "id": 7, "result": {}}]
        session.send(_line(_request(12, "ping", {"text": "[{" * 500 + '\\"]}'})))  # brackets in a string: no nesting
        assert session.replies_until(12) == [{"jsonrpc": "2.0", "id": 12, "result": {}}]
        session.send(
            _line(beyond),
            _line({"id": 10, "method": "ping"}),  # no "jsonrpc": "2.0"
            _line(malformed_response),
            _line([]),
            b"\n",  # a blank line is no message and earns no answer
            _line(_request(11, "ping")),
        )
        replies = session.replies_until(11)

    assert [_error(reply) for reply in replies[:-1]] == [
        (8, INVALID_REQUEST),
        (10, INVALID_REQUEST),
        (None, INVALID_REQUEST),  # a response's id names one of the client's own requests: never answered with it
        (None, INVALID_REQUEST),
    ]
    assert replies[-1] == {"jsonrpc": "2.0", "id": 11, "result": {}}
