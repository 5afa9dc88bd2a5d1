"""``mcp.json.example`` is what users paste into Claude Desktop: it must parse and start."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from sentry_demo import DemoSentryServer

from conftest import PYTHON, ROOT

pytestmark = pytest.mark.anyio
CHECKOUT_PLACEHOLDER = "/ABSOLUTE/PATH/TO/sentry-agent-mcp"
"""What the user replaces with the folder they cloned into (the README's set-up)."""


async def test_example_entry_starts_and_answers_initialize(demo_sentry: DemoSentryServer) -> None:
    config = json.loads((ROOT / "mcp.json.example").read_text())
    entry = config["mcpServers"]["sentry"]
    assert set(entry["env"]) >= {"SENTRY_AUTH_TOKEN"}
    # Claude Desktop does not see the shell's PATH: the command is the virtualenv's, by absolute path.
    assert entry["command"].startswith(CHECKOUT_PLACEHOLDER + "/") and Path(entry["command"]).is_absolute()
    relative = Path(entry["command"]).relative_to(CHECKOUT_PLACEHOLDER)
    command = str(ROOT / relative)
    if not Path(command).is_file():  # a virtualenv elsewhere than the README's .venv
        command = shutil.which(relative.name, path=str(Path(PYTHON).parent)) or command
    env = {**entry["env"], "SENTRY_AUTH_TOKEN": "sntryu_canary_example", "SENTRY_HOSTNAME": demo_sentry.url}
    env = {k: v for k, v in env.items() if k != "SENTRY_ORG"}
    async with Client(StdioServerParameters(command=command, args=entry["args"], env=env), mode="legacy") as client:
        assert client.server_info is not None and client.server_info.name == "sentry-agent-mcp"
        tools = (await client.list_tools()).tools
    assert any(tool.name == "sentry_issues_list" for tool in tools)


async def test_app_file_runs_under_the_mcp_cli(demo_sentry: DemoSentryServer) -> None:
    """``mcp run``/``mcp dev`` load server/sentry_agent_mcp/app.py by path; it must serve."""
    mcp_cli = str(Path(PYTHON).parent / "mcp")
    env = {"SENTRY_AUTH_TOKEN": "sntryu_canary_example", "SENTRY_HOSTNAME": demo_sentry.url, "PATH": ""}
    params = StdioServerParameters(command=mcp_cli, args=["run", str(ROOT / "server/sentry_agent_mcp/app.py")], env=env)
    async with Client(params, mode="legacy") as client:
        tools = (await client.list_tools()).tools
    assert len(tools) >= 10
