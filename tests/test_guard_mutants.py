"""Guards a mutation pass found unpinned: each test fails when one line of the redaction is broken.

The echo tests (``test_redaction.py``) drive whole servers; these pin the edges they cannot reach: how a
secret is spelled (escaped, cut off, inside a longer one), the log filter's odd records, every secret a
server is configured with, and an agent's input that is cut before it is shown.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.types import TextContent
from pydantic import ValidationError

from sentry_agent_mcp import AirbyteAuthConfig, SentryAuthConfig, SentryConnector
from sentry_agent_mcp.backends.upstream_errors import describe_body
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.errors import ConfigurationError, UpstreamError
from sentry_agent_mcp.mcp_server import SentryMCPServer, error_result
from sentry_agent_mcp.redaction import MASK, SecretRedactionFilter, SecretSet, register
from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN, PYTHON, ROOT, fresh_python
from fake_airbyte import CLIENT_ID, CLIENT_SECRET, CUSTOMER, FakeAirbyte

LOG_SECRET = "guard-log-secret-6d0b3f2a91"
"""Not the canary: these tests write secrets on purpose, into handlers that must mask them."""


@pytest.fixture
def kept() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own, writing to a string through a filter that knows ``LOG_SECRET``."""
    secrets = SecretSet()
    secrets.add(LOG_SECRET)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretRedactionFilter(secrets))
    logger = logging.getLogger("test.guard_mutants")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


# -- how a secret is spelled --------------------------------------------------------------------------


@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["ascii-escaped", "utf-8"])
def test_an_escaped_secret_in_a_cut_off_json_body_is_masked(ensure_ascii: bool) -> None:
    """A proxy cuts a JSON error body short: it cannot be parsed, so only the escaped forms can find the secret."""
    secret = 'gu\u00e4rd-"quoted"\\secret-41c7'
    register(secret)
    body = json.dumps({"detail": f"denied for {secret}"}, ensure_ascii=ensure_ascii).encode()[:-2]
    assert (
        describe_body(body, "application/json")
        == f'non-JSON response (application/json): {{"detail": "denied for {MASK}'
    )


def test_an_ascii_secret_with_quotes_is_masked_in_a_json_body() -> None:
    secrets = SecretSet()
    secrets.add('tok"en\\with-escapes')
    body = json.dumps({"detail": 'denied for tok"en\\with-escapes'}).encode()
    assert secrets.loads(body) == {"detail": f"denied for {MASK}"}


def test_a_secret_of_the_minimum_length_is_masked_and_a_shorter_value_is_not() -> None:
    secrets = SecretSet()
    secrets.add("abcdef", "abcde")
    assert secrets.redact("abcdef and abcde") == f"{MASK} and abcde"


def test_a_secret_inside_a_longer_one_leaves_no_part_of_the_longer_one() -> None:
    secrets = SecretSet()
    secrets.add("shared-prefix-9a8b")
    secrets.add("shared-prefix-9a8b-and-its-longer-tail")
    assert secrets.redact("x shared-prefix-9a8b-and-its-longer-tail y") == f"x {MASK} y"


# -- the log filter ----------------------------------------------------------------------------------


def test_a_log_call_with_too_few_arguments_prints_no_secret(
    kept: tuple[logging.Logger, io.StringIO], capsys: pytest.CaptureFixture[str]
) -> None:
    """``logging`` reports a broken call on stderr with its arguments; they are masked first."""
    logger, stream = kept
    logger.warning("token %s for %s", LOG_SECRET)
    written = stream.getvalue() + capsys.readouterr().err
    assert MASK in written and LOG_SECRET not in written


def test_a_stack_logged_with_a_record_is_masked(kept: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = kept
    logger.warning("calling Sentry", stack_info=True, extra={"token": "guard-log-secret-6d0b3f2a91"})
    written = stream.getvalue()
    assert "Stack (most recent call last)" in written and "guard-log-secret" not in written


def _python(script: str) -> str:
    out = subprocess.run([PYTHON, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr


def test_handlers_keep_masking_after_a_library_replaces_the_log_record_factory() -> None:
    written = _python(
        f"""
import logging, sys
logging.basicConfig(stream=sys.stdout, format="%(message)s")
from sentry_agent_mcp.redaction import install_redaction
install_redaction(["{LOG_SECRET}"])
logging.setLogRecordFactory(logging.LogRecord)  # as some instrumentation libraries do
logging.getLogger("some.library").warning("token %s", "{LOG_SECRET}")
"""
    )
    assert f"token {MASK}" in written and LOG_SECRET not in written


def test_a_server_made_as_mcp_run_makes_it_masks_every_configured_secret_in_its_logs() -> None:
    """``mcp run`` builds the server from the environment and nothing else: the server installs the redaction."""
    secrets = {
        "SENTRY_AUTH_TOKEN": "sntryu_guard0123456789abcdef",
        "AIRBYTE_CLIENT_SECRET": "airbyte-guard-secret-5f1e",
        "SENTRY_MCP_HTTP_TOKEN": "http-guard-token-8c2d9e0f1a2b3c4d5e6f",
    }
    written = _python(
        f"""
import logging, os, sys
logging.basicConfig(stream=sys.stdout, format="%(message)s")
os.environ.update({secrets!r})
from sentry_agent_mcp.mcp_server import SentryMCPServer
SentryMCPServer()
logging.getLogger("some.library").warning("%s|%s|%s", *{list(secrets.values())!r})
"""
    )
    assert f"{MASK}|{MASK}|{MASK}" in written
    assert not any(secret in written for secret in secrets.values())


# -- the exits ---------------------------------------------------------------------------------------


def _text(result: Any) -> str:
    blocks = [block.text for block in result.content if isinstance(block, TextContent)]
    return "\n".join([*blocks, str(result.structured_content)])


def test_the_error_exit_masks_a_secret_learned_after_the_error_was_made() -> None:
    secret = "learned-after-the-error-3e9a"
    error = UpstreamError(f"failed for {secret}", status=502, detail=f"detail {secret}", hint=f"hint {secret}")
    register(secret)
    text = _text(error_result(error))
    assert secret not in text and text.count(MASK) >= 4


@pytest.mark.anyio
async def test_an_agents_long_input_is_masked_before_it_is_cut_for_an_error() -> None:
    """A name is cut at 80 characters when an error repeats it; a secret across the cut leaves no prefix."""
    secret = "sntryu_cutguard0123456789abcdef"
    server = SentryMCPServer(Settings(backend="demo", auth_token=secret))
    async with Client(server) as client:
        result = await client.call_tool("sentry_execute", {"entity": "x" * 75 + secret, "action": "list"})
    text = _text(result)
    assert result.is_error and "Unknown entity" in text
    assert secret[:8] not in text and "x" * 75 + "*****" in text


# -- the Airbyte API: its own secrets, in a Python program that never built a server --------------------


@pytest.fixture
def airbyte(demo_sentry: DemoSentryServer) -> Iterator[FakeAirbyte]:
    with FakeAirbyte(sentry_url=demo_sentry.url, sentry_token=CANARY_TOKEN) as fake:
        yield fake


def test_the_client_secret_echoed_by_the_token_endpoint_stays_out_of_a_fresh_programs_exception(
    airbyte: FakeAirbyte,
) -> None:
    """A fresh interpreter: no earlier test (or server) has registered the secret for it."""
    airbyte.echo = "token"
    done = fresh_python(
        f"""
import anyio
from sentry_agent_mcp import AirbyteAuthConfig, SentryAgentError, SentryConnector

async def main() -> None:
    auth = AirbyteAuthConfig(customer_name="{CUSTOMER}", airbyte_client_id="{CLIENT_ID}",
                             airbyte_client_secret="{CLIENT_SECRET}")
    connector = SentryConnector(auth_config=auth)
    connector.settings.airbyte_api_url = "{airbyte.url}"
    try:
        await connector.execute("issues", "get", {{"organization_slug": "acme", "issue_id": "WEB-1A"}})
    except SentryAgentError as error:
        print(str(error), repr(error), error.args, error.to_dict())
    finally:
        await connector.close()

anyio.run(main)
"""
    )
    printed = done.stdout.decode()
    assert "HTTP 400" in printed and MASK in printed and CLIENT_SECRET not in printed


@pytest.mark.anyio
async def test_an_access_token_echoed_in_a_hosted_answer_is_masked_in_the_python_api_result(
    airbyte: FakeAirbyte,
) -> None:
    auth = AirbyteAuthConfig(customer_name=CUSTOMER, airbyte_client_id=CLIENT_ID, airbyte_client_secret=CLIENT_SECRET)
    echoed = {"id": "1", "shortId": "WEB-1A", "title": "as abt-1-access-token-canary-41c7"}
    airbyte.fail_next.append((200, {"result": echoed, "connector_metadata": None}))
    async with SentryConnector(auth_config=auth) as connector:
        connector.settings.airbyte_api_url = airbyte.url
        issue = await connector.execute("issues", "get", {"organization_slug": "acme", "issue_id": "WEB-1A"})
    assert airbyte.tokens_issued == 1 and issue["title"] == f"as {MASK}"


# -- the command line's exit --------------------------------------------------------------------------

CLI_SECRET = "sntryu_cliguard0123456789abcdef"


@pytest.mark.parametrize("outcome", ["result", "bug"])
def test_the_cli_masks_its_token_in_whatever_a_call_hands_it(
    outcome: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI's last line of defence: a result that slipped past the upstream masking, or a bug's message."""
    from sentry_agent_mcp import cli

    async def call(*_: Any) -> Any:
        if outcome == "bug":
            raise RuntimeError(f"boom with {CLI_SECRET}")
        return {"title": f"as {CLI_SECRET}"}

    monkeypatch.setenv("SENTRY_AUTH_TOKEN", CLI_SECRET)
    monkeypatch.setattr(cli, "_call", call)
    status = cli.main(["call", "issues", "list", "--demo"])
    out = capsys.readouterr()
    assert status == (0 if outcome == "result" else 1)
    assert MASK in out.out + out.err and CLI_SECRET not in out.out + out.err


# -- configuration ------------------------------------------------------------------------------------


def test_a_token_of_only_whitespace_is_refused_not_an_empty_bearer_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Else ``SENTRY_MCP_HTTP_TOKEN=" "`` would let in any client that sends ``Authorization: Bearer``."""
    monkeypatch.setenv("SENTRY_MCP_HTTP_TOKEN", " \r\n")
    with pytest.raises(ConfigurationError, match="SENTRY_MCP_HTTP_TOKEN is empty"):
        Settings.read()
    with pytest.raises(ValidationError, match="auth_token is empty"):
        SentryAuthConfig(auth_token="  ")


# -- HTTP ---------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_sse_beyond_loopback_refuses_a_foreign_host() -> None:
    """The SDK checks ``Host`` by itself only on loopback binds; a LAN bind relies on the lists passed in."""
    from sentry_agent_mcp.http_app import build_app

    settings = Settings(backend="demo", http_token="t" * 40, http_allowed_hosts="mcp.example.com")
    app = build_app(SentryMCPServer(settings), "sse", "10.1.2.3", settings)
    headers = {"Authorization": f"Bearer {'t' * 40}", "Content-Type": "application/json"}
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://10.1.2.3") as client:
        foreign = await client.post("/messages/?session_id=x", json={}, headers={**headers, "Host": "evil.example"})
        listed = await client.post("/messages/?session_id=x", json={}, headers={**headers, "Host": "mcp.example.com"})
    assert foreign.status_code == 421 and listed.status_code != 421


# -- the hosted token ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_hosted_token_is_renewed_before_its_expires_in_runs_out(airbyte: FakeAirbyte) -> None:
    """A 2 s token is kept 1.8 s (a tenth as margin): never used past its end, nor up to the last instant."""
    airbyte.token_lifetime = 2
    auth = AirbyteAuthConfig(customer_name=CUSTOMER, airbyte_client_id=CLIENT_ID, airbyte_client_secret=CLIENT_SECRET)
    async with SentryConnector(auth_config=auth) as connector:
        connector.settings.airbyte_api_url = airbyte.url
        await connector.execute("projects", "get", {"organization_slug": "acme", "project_slug": "web"})
        await anyio.sleep(1.85)
        await connector.execute("projects", "get", {"organization_slug": "acme", "project_slug": "web"})
    assert airbyte.tokens_issued == 2


@pytest.mark.anyio
async def test_only_the_whole_bearer_token_is_accepted() -> None:
    """A prefix, an extension or an empty token is refused; the exact token gets past the check."""
    from sentry_agent_mcp.http_app import build_app

    token = "whole-token-" + "k" * 30
    settings = Settings(backend="demo", http_token=token)
    app = build_app(SentryMCPServer(settings), "sse", "127.0.0.1", settings)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1") as client:

        async def status(credentials: str) -> int:
            headers = {"Authorization": f"Bearer {credentials}"}
            return (await client.post("/messages/?session_id=x", json={}, headers=headers)).status_code

        refused = [await status(wrong) for wrong in ("", token[:12], token[:-1], token + "k", token.upper())]
        accepted = await status(token)
    assert refused == [401] * 5 and accepted != 401


# -- the tool helper of the Python API ------------------------------------------------------------------


def test_tool_utils_masks_a_secret_in_a_result_and_in_the_too_large_preview() -> None:
    """``@tool_utils`` is the exit to an agent framework: whatever a wrapped tool returns is masked there."""
    from sentry_agent_mcp.tool_utils import tool_utils

    secret = "tool-utils-guard-secret-2b7c"
    register(secret)

    @tool_utils
    def small() -> dict[str, Any]:
        return {"title": f"as {secret}"}

    @tool_utils(max_output_chars=200)
    def large() -> dict[str, Any]:
        return {"title": f"as {secret}", "padding": "p" * 300}

    assert small() == {"title": f"as {MASK}"}
    with pytest.raises(Exception, match="too large") as refused:
        large()
    assert MASK in str(refused.value) and secret not in str(refused.value)
