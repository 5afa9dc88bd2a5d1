"""stdio never dies of its input: over a real stdio subprocess, each bad line that names a request is answered.

The SDK's transport drops a line it cannot parse without a word (the client then waits forever), and a
line past the old 64 MiB reader limit killed the process. Here every such line with a request id gets a
JSON-RPC error with that id (written by the SDK itself), in both protocol eras and before ``initialize``;
one with no id to answer is skipped with a warning on stderr; the same process goes on answering calls.
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

from sentry_agent_mcp.stdio import BATCH_REFUSED, LINE_LIMIT, MAX_DEPTH, SKIPPED

from conftest import PYTHON

PARSE_ERROR, INVALID_REQUEST = -32700, -32600
INITIALIZE = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}
ENVELOPE = {
    "_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"},
    }
}
"""What a 2026-07-28 client puts in every request instead of an ``initialize`` handshake."""
ISSUE_CALL = {"name": "sentry_issues_get", "arguments": {"organization_slug": "acme", "issue_id": "WEB-1A"}}


def _line(message: Any) -> bytes:
    return json.dumps(message).encode() + b"\n"


def _request(request_id: int | str, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, **({"params": params} if params else {})}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class Session:
    """``sentry-agent-mcp serve --demo`` spoken to in raw lines; reading never waits past a deadline."""

    def __init__(self, process: subprocess.Popen[bytes], stderr: Path) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self.stderr = stderr
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

    def skipped(self) -> list[str]:
        """The reasons of the lines skipped so far with a warning on stderr (they named no request to answer)."""
        prefix = f"sentry-agent-mcp: {SKIPPED}: "
        lines = self.stderr.read_text(errors="replace").splitlines()
        return [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]


@contextmanager
def raw_session(tmp_path: Path) -> Iterator[Session]:
    """The server over real pipes, nothing sent yet; on leaving, it must still be alive and exit 0."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    stderr_path = tmp_path / "stdio-guard-stderr.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [PYTHON, "-m", "sentry_agent_mcp", "serve", "--demo"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        try:
            yield Session(process, stderr_path)
            assert process.poll() is None, "the server died"
            process.stdin.close()  # type: ignore[union-attr]
            assert process.wait(timeout=20) == 0
        finally:
            process.kill()
            process.wait()


@contextmanager
def demo_session(tmp_path: Path) -> Iterator[Session]:
    """An initialized session (the handshake era) with the server over real pipes."""
    with raw_session(tmp_path) as session:
        session.send(_line(_request(1, "initialize", INITIALIZE)))
        (initialized,) = session.replies_until(1)
        assert initialized["result"]["serverInfo"]["name"] == "sentry-agent-mcp"
        session.send(_line({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        yield session


def _error(reply: dict[str, Any]) -> tuple[int | str | None, int]:
    return reply["id"], reply["error"]["code"]


def test_an_over_long_line_a_batch_deep_nesting_and_garbage_are_answered_and_serving_goes_on(tmp_path: Path) -> None:
    over_long = b'{"jsonrpc":"2.0","id":2,"method":"ping","params":{"pad":"' + b"a" * LINE_LIMIT + b'"}}\n'
    batch = [_request(3, "ping"), {"jsonrpc": "2.0", "method": "notifications/initialized"}, _request("four", "ping")]
    too_deep = f'{{"jsonrpc":"2.0","method":"ping","params":{{"x":{_nested(1000)}}},"id":5}}\n'.encode()
    broken = b'{"jsonrpc":"2.0","id":"broken","method":"ping",,}\n'
    with demo_session(tmp_path) as session:
        started = time.monotonic()
        session.send(
            over_long,
            _line(batch),
            too_deep,
            broken,
            b"}{ not json\n",
            b"42\n",
            _line(_request(6, "tools/call", ISSUE_CALL)),
        )
        replies = session.replies_until(6)
        elapsed = time.monotonic() - started
        skipped = session.skipped()

    *refusals, answer = replies
    assert [_error(reply) for reply in refusals] == [
        (2, INVALID_REQUEST),  # the id of the over-long line, read from its first bytes
        (3, INVALID_REQUEST),
        ("four", INVALID_REQUEST),
        (5, INVALID_REQUEST),  # the id of a message too deep to parse is still found
        ("broken", PARSE_ERROR),  # and so is the id of a request that is not valid JSON
    ]
    assert str(LINE_LIMIT) in refusals[0]["error"]["message"]
    assert refusals[1]["error"]["message"] == refusals[2]["error"]["message"] == BATCH_REFUSED
    assert f"deeper than {MAX_DEPTH}" in refusals[3]["error"]["message"]
    assert skipped == ["Parse error: the line is not valid JSON", "Invalid Request: a message must be a JSON object"]
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
            _line(malformed_response),  # a response's id names one of the client's own requests: never answered
            _line([]),
            b"\n",  # a blank line is no message and earns no answer
            _line(_request(11, "ping")),
        )
        replies = session.replies_until(11)
        skipped = session.skipped()

    assert [_error(reply) for reply in replies[:-1]] == [(8, INVALID_REQUEST), (10, INVALID_REQUEST)]
    assert replies[-1] == {"jsonrpc": "2.0", "id": 11, "result": {}}
    assert len(skipped) == 2 and skipped[0].startswith("Invalid Request: not a JSON-RPC 2.0 message")
    assert skipped[1] == BATCH_REFUSED  # an empty batch


def test_a_bad_line_before_initialize_is_answered_with_its_own_error(tmp_path: Path) -> None:
    """The SDK refuses most requests before ``initialize``; a refused line still gets its own code and message."""
    with raw_session(tmp_path) as session:
        session.send(_line([_request("early", "ping")]), _line(_request(1, "initialize", INITIALIZE)))
        replies = session.replies_until(1)
    assert [_error(reply) for reply in replies[:-1]] == [("early", INVALID_REQUEST)]
    assert replies[0]["error"]["message"] == BATCH_REFUSED
    assert replies[-1]["result"]["serverInfo"]["name"] == "sentry-agent-mcp"


def test_in_the_2026_era_a_refused_first_request_keeps_its_envelope_and_the_session_goes_on(tmp_path: Path) -> None:
    """A 2026-07-28 client has no handshake: its first request decides the era, even when that request is refused."""
    with raw_session(tmp_path) as session:
        session.send(
            _line([_request("batched", "tools/list", ENVELOPE)]),
            _line(_request("deep", "tools/list", {**ENVELOPE, "x": json.loads(_nested(MAX_DEPTH))})),
            _line(_request("list", "tools/list", ENVELOPE)),
        )
        replies = session.replies_until("list")
    assert [_error(reply) for reply in replies[:-1]] == [("batched", INVALID_REQUEST), ("deep", INVALID_REQUEST)]
    assert replies[0]["error"]["message"] == BATCH_REFUSED
    assert f"deeper than {MAX_DEPTH}" in replies[1]["error"]["message"]
    assert any(tool["name"] == "sentry_issues_get" for tool in replies[-1]["result"]["tools"])


def test_hostile_lines_are_answered_quickly_and_a_carriage_return_loses_no_request(tmp_path: Path) -> None:
    """Found by a red-team pass: a line of unterminated strings once took 21 s to scan (quadratic), a raw CR
    inside a line made the SDK's reader split it and drop both halves, a line of 200,000 brackets cost
    seconds and a gigabyte to parse, and a notification of the refusal method dumped a traceback."""
    unterminated = b'{"jsonrpc":"2.0","id":21,"method":"ping","x":' + b'"\\' * 40_000 + b"\n"
    brackets = _line(_request(23, "ping", {"a": [[] for _ in range(120_000)]}))
    refused_notification = _line({"jsonrpc": "2.0", "method": "sentry-agent-mcp/refused", "params": {"code": 1}})
    with demo_session(tmp_path) as session:
        started = time.monotonic()
        session.send(unterminated, b'{"jsonrpc":"2.0",\r"id":22,"method":"ping"}\n', brackets, refused_notification)
        session.send(_line(_request(24, "ping")))
        replies = session.replies_until(24)
        took = time.monotonic() - started
    assert [_error(r) if "error" in r else (r["id"], "ok") for r in replies] == [
        (21, PARSE_ERROR),
        (22, "ok"),
        (23, INVALID_REQUEST),
        (24, "ok"),
    ]
    assert took < 5, f"hostile lines held the server {took:.1f} s"
    assert "Traceback" not in session.stderr.read_text(errors="replace")
