"""What a new user meets first, following the README: each of these once went wrong.

The demo Sentry's token, the HTTP transports' URL, a port in use, ``--version`` and the exit codes,
``call ... | head``, a boolean where a number goes, ``params`` as a JSON string, error text, the hint of
a 404, the ``dev`` extra for the README's agent example, ``uv.lock`` from ``mcp dev``, and an install
that imports on Windows.
"""

from __future__ import annotations

import ast
import json
import os
import re
import selectors
import shutil
import socket
import subprocess
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent

from sentry_agent_mcp._version import __version__
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import SentryAgentError, UpstreamError
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_demo import DEMO_TOKEN

from conftest import PYTHON, ROOT

SERVE_DEMO = [PYTHON, "-m", "sentry_agent_mcp", "serve", "--demo"]
ISSUES_LIST = {"organization_slug": "acme", "project_slug": "web"}


def _env() -> dict[str, str]:
    return {"PATH": "", "HOME": "/tmp", "PYTHONUNBUFFERED": "1"}


@contextmanager
def _running(command: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _stderr_lines_until(process: subprocess.Popen[bytes], pattern: str, timeout: float = 30) -> list[str]:
    """Lines of ``process``'s stderr up to the first that matches ``pattern``; never waits past ``timeout``."""
    assert process.stderr is not None
    fd, buffer, lines = process.stderr.fileno(), b"", []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                lines.append(line.decode())
                if re.search(pattern, lines[-1]):
                    return lines
            left = deadline - time.monotonic()
            assert left > 0 and selector.select(left), f"no line like {pattern!r} on stderr; got {lines}"
            chunk = os.read(fd, 1 << 16)
            assert chunk, f"exited with {process.wait(5)} before {pattern!r}; stderr: {lines}"
            buffer += chunk


def _text(result: CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


def test_the_demo_sentry_prints_its_url_and_token() -> None:
    with _running([PYTHON, "-m", "sentry_demo", "--port", "0"]) as process:
        lines = _stderr_lines_until(process, "token")
    assert re.search(r"listening on http://127\.0\.0\.1:\d+$", lines[0])
    assert DEMO_TOKEN in lines[1]


@pytest.mark.anyio
@pytest.mark.parametrize(("transport", "path"), [("streamable-http", "/mcp"), ("sse", "/sse")])
async def test_the_http_transports_say_where_they_listen(transport: str, path: str) -> None:
    with _running([*SERVE_DEMO, "--transport", transport, "--port", "0"]) as process:
        line = _stderr_lines_until(process, "sentry-agent-mcp: .* on http://")[-1]
        found = re.search(r"on (http://127\.0\.0\.1:\d+(/\w+))$", line)
        assert found and found.group(2) == path, line
        if transport == "streamable-http":  # the line is true: a client reaches the server there
            async with Client(found.group(1), mode="legacy") as client:
                assert any(tool.name == "sentry_issues_get" for tool in (await client.list_tools()).tools)


def test_a_port_in_use_is_one_line_and_exit_status_3() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        command = [*SERVE_DEMO, "--transport", "streamable-http", "--port", str(port)]
        done = subprocess.run(command, capture_output=True, timeout=60, env=_env())
    assert done.returncode == 3
    (line,) = done.stderr.decode().splitlines()
    assert line.startswith(f"error: Cannot listen on 127.0.0.1:{port}: ") and "--port" in line


def test_version_and_the_exit_codes_are_told() -> None:
    version = subprocess.run([PYTHON, "-m", "sentry_agent_mcp", "--version"], capture_output=True, timeout=60)
    assert version.returncode == 0 and version.stdout.decode().strip() == f"sentry-agent-mcp {__version__}"
    usage = subprocess.run([PYTHON, "-m", "sentry_agent_mcp", "--help"], capture_output=True, timeout=60).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for status in (0, 1, 2, 3, 130, 141):
        assert re.search(rf"^  {status} +\S", usage.decode(), re.MULTILINE), status
        assert f"| {status} |" in readme, status


def test_output_cut_short_by_its_reader_ends_quietly() -> None:
    """``sentry-agent-mcp call ... | head``: the reader leaves first; no traceback, the status of a SIGPIPE."""
    command = [PYTHON, "-m", "sentry_agent_mcp", "call", "issues", "list", "organization_slug=acme", "--demo"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before a byte was written
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert stderr == b""


def _server() -> SentryMCPServer:
    return SentryMCPServer(Settings(backend="demo"))


@pytest.mark.anyio
async def test_a_boolean_is_no_number() -> None:
    async with Client(_server()) as client:
        refused = await client.call_tool("sentry_issues_list", {**ISSUES_LIST, "limit": True})
        via_execute = await client.call_tool(
            "sentry_execute", {"entity": "issues", "action": "list", "params": {**ISSUES_LIST, "limit": False}}
        )
        one = await client.call_tool("sentry_issues_list", {**ISSUES_LIST, "limit": 1})
    assert refused.is_error and via_execute.is_error
    assert "limit" in _text(refused) and "not true or false" in _text(refused)
    assert not one.is_error and len(one.structured_content["data"]) == 1


def test_the_command_line_still_gives_numbers_as_text() -> None:
    command = [PYTHON, "-m", "sentry_agent_mcp", "call", "issues", "list", "organization_slug=acme", "limit=2"]
    done = subprocess.run([*command, "--demo"], capture_output=True, timeout=60, env=_env())
    assert done.returncode == 0, done.stderr.decode()
    assert len(json.loads(done.stdout)["data"]) == 2


@pytest.mark.anyio
async def test_sentry_execute_takes_params_as_a_json_string_and_refuses_other_strings() -> None:
    get = {"organization_slug": "acme", "issue_id": "WEB-1A"}
    async with Client(_server()) as client:
        as_object = await client.call_tool("sentry_execute", {"entity": "issues", "action": "get", "params": get})
        as_text = await client.call_tool(
            "sentry_execute", {"entity": "issues", "action": "get", "params": json.dumps(get)}
        )
        not_an_object = await client.call_tool(
            "sentry_execute", {"entity": "issues", "action": "get", "params": "organization_slug=acme"}
        )
    assert not as_text.is_error and as_text.structured_content == as_object.structured_content
    assert not_an_object.is_error
    error = not_an_object.structured_content["error"]
    assert error["type"] == "invalid_params" and "not a JSON object" in error["message"]


def test_error_text_is_sentences_with_the_hint_marked() -> None:
    error = UpstreamError("Sentry answered HTTP 404 to GET /x/: not found", status=404, hint="Check the slug.")
    assert str(error) == "Sentry answered HTTP 404 to GET /x/: not found. Hint: Check the slug."
    assert str(SentryAgentError("Bad value.", hint="Try 3.")) == "Bad value. Hint: Try 3."
    assert str(SentryAgentError("No hint here")) == "No hint here"


def test_a_404_sends_the_agent_to_the_organizations_first() -> None:
    """With a wrong organization, sentry_projects_list fails with the same 404: the hint must not stop there."""
    command = [PYTHON, "-m", "sentry_agent_mcp", "call", "projects", "list", "organization_slug=nope", "--demo"]
    done = subprocess.run(command, capture_output=True, timeout=60, env=_env())
    assert done.returncode == 1
    (line,) = done.stderr.decode().splitlines()
    hint = line.split(" Hint: ", 1)[1]
    assert hint.index("sentry_organizations_list") < hint.index("sentry_projects_list")


@pytest.mark.anyio
async def test_the_dev_extra_runs_the_readmes_agent_over_mcp() -> None:
    """The README's Pydantic AI agent over stdio, with a scripted model in place of an LLM."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(dep.startswith("pydantic-ai-slim[mcp]") for dep in extras["dev"])
    assert "from pydantic_ai.mcp import MCPToolset" in (ROOT / "README.md").read_text(encoding="utf-8")
    from fastmcp.client.transports import StdioTransport
    from pydantic_ai import Agent
    from pydantic_ai.mcp import MCPToolset
    from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        returned = [part for message in messages for part in message.parts if isinstance(part, ToolReturnPart)]
        if returned:
            return ModelResponse(parts=[TextPart(json.dumps(returned[0].content)[:500])])
        assert "sentry_issues_get" in {tool.name for tool in info.function_tools}
        return ModelResponse(
            parts=[ToolCallPart("sentry_issues_get", {"organization_slug": "acme", "issue_id": "WEB-1A"})]
        )

    sentry: MCPToolset[None] = MCPToolset(StdioTransport(PYTHON, SERVE_DEMO[1:], env=_env()))
    result = await Agent(FunctionModel(model), toolsets=[sentry]).run("What is WEB-1A?")
    assert "WEB-1A" in result.output


def test_the_lock_file_of_mcp_dev_is_ignored() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(["git", "check-ignore", "-q", "uv.lock"], cwd=ROOT, timeout=30)
    assert done.returncode == 0, "`mcp dev --with-editable .` writes uv.lock: .gitignore must leave it out"


POSIX_ONLY = frozenset({"fcntl", "resource", "termios", "pwd", "grp", "pty", "tty", "posix", "uvloop"})
"""Modules a Windows install does not have (uvloop: an optional extra, not on Windows)."""


def _unguarded_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Imports that run when the module is imported: at top level, outside ``try`` and ``if``."""
    for node in tree.body:
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        yield from ((node.lineno, name.split(".")[0]) for name in names)


def test_no_module_imports_a_posix_only_module_unguarded() -> None:
    """The default install works on Windows: POSIX-only modules are imported inside a guard or a function."""
    found: list[str] = []
    for package in ("sentry_agent_mcp", "sentry_demo"):
        for path in sorted((ROOT / "server" / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{path.name}:{line} {name}" for line, name in _unguarded_imports(tree) if name in POSIX_ONLY]
            text = path.read_text(encoding="utf-8")
            found += [f"{path.name}: {m}" for m in re.findall(r"signal\.SIG(?:PIPE|HUP|KILL|USR1|USR2|ALRM)\b", text)]
            found += [f"{path.name}: {m}" for m in re.findall(r"os\.(?:fork|setsid|killpg|getuid|geteuid)\(", text)]
    assert not found, f"POSIX-only at import time (guard it, or import it where it is used): {found}"
