"""Configuration checked the way it is used, and errors that say the truth.

- ``SENTRY_HOSTNAME``: no plain http to sentry.io, judged on the host the client really connects to.
- ``AIRBYTE_API_URL``: https (http only on loopback), no userinfo, query or fragment.
- An id from an upstream goes into a path as one encoded segment.
- A certificate that fails verification is reported once, as what it is, with what to set.
- ``mcp run`` with nothing configured answers ``tools/list`` with a JSON-RPC error that says what to set.
- ``SENTRY_MCP_TOOLS`` restricts ``sentry_execute`` too.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
import trustme
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import INTERNAL_ERROR, TextContent
from pydantic import SecretStr

from sentry_agent_mcp.backends import AirbyteAPI, DirectBackend, HostedBackend, create_backend
from sentry_agent_mcp.config import Settings, sentry_base_url
from sentry_agent_mcp.errors import ConfigurationError, TLSVerificationError, UpstreamProtocolError
from sentry_agent_mcp.mcp_server import SentryMCPServer
from sentry_agent_mcp.mcp_tools import GENERIC_TOOLS
from sentry_demo import DemoSentryServer
from test_transport import answer, scripted_server

from conftest import CANARY_TOKEN, PYTHON, ROOT

pytestmark = pytest.mark.anyio
DEAD_PROXY = "http://127.0.0.1:9"
"""A proxy nobody listens on: were a guard to fail, a request would die here instead of leaving the machine."""


# --- SENTRY_HOSTNAME ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostname",
    [
        "http://sentry\u3002io",  # ideographic full stop
        "http://sentry\uff0eio",  # fullwidth full stop
        "http://sentry.io.",
        "http://SENTRY.IO",
        "http://us.sentry.io..",
        "http://\uff53\uff45\uff4e\uff54\uff52\uff59.io",  # fullwidth letters
        "http://de.sentry.io.:80/",
        "http://acme.sentry\u3002io\u3002",
    ],
)
def test_plain_http_to_sentry_io_is_refused_however_the_host_is_spelled(hostname: str) -> None:
    with pytest.raises(ConfigurationError, match=r"SENTRY_HOSTNAME: plain http to .*sentry\.io is refused"):
        sentry_base_url(hostname)


@pytest.mark.parametrize(
    "hostname",
    [
        "http://sentry.io%2e",
        "https://a..b",
        "https://xn--sentry-.io",
        "https://xn--zz.example",
        "https://exa mple.com",
        "https://:9",
    ],
)
def test_a_host_that_cannot_be_encoded_is_refused(hostname: str) -> None:
    with pytest.raises(ConfigurationError, match="SENTRY_HOSTNAME is not usable"):
        sentry_base_url(hostname)


@pytest.mark.parametrize(
    ("hostname", "base_url"),
    [
        ("https://SENTRY\u3002IO.", "https://sentry.io"),
        ("sentry.io.", "https://sentry.io"),
        ("https://sentry.io:443/", "https://sentry.io"),
        ("https://b\u00fccher.example/sentry", "https://xn--bcher-kva.example/sentry"),
        ("http://sentry_web:9000", "http://sentry_web:9000"),
        ("http://[::1]:9000", "http://[::1]:9000"),
    ],
)
def test_the_base_url_is_built_from_the_host_that_was_checked(hostname: str, base_url: str) -> None:
    assert sentry_base_url(hostname) == base_url


def test_the_cli_refuses_plain_http_to_sentry_io_before_any_request(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "SENTRY_AUTH_TOKEN": CANARY_TOKEN,
        "SENTRY_HOSTNAME": "http://sentry\u3002io.",
        "HTTP_PROXY": DEAD_PROXY,
        "HTTPS_PROXY": DEAD_PROXY,
    }
    done = subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", "check"], env=env, capture_output=True, timeout=60, check=False
    )
    (tmp_path / "stderr.log").write_bytes(done.stderr)
    assert done.returncode == 2
    assert b"SENTRY_HOSTNAME: plain http to sentry.io is refused" in done.stderr


# --- AIRBYTE_API_URL ---------------------------------------------------------------------------------


def _hosted(api_url: str) -> Settings:
    return Settings(
        airbyte_client_id="client",
        airbyte_client_secret="airbyte-secret-canary-7f3a9c",
        airbyte_connector_id="c1",
        airbyte_api_url=api_url,
    )


@pytest.mark.parametrize(
    ("api_url", "problem"),
    [
        ("http://api.airbyte.ai", "plain http to api.airbyte.ai is refused"),
        ("http://10.0.0.5:8080", "plain http to 10.0.0.5 is refused"),
        ("ftp://api.airbyte.ai", "not an http\\(s\\) URL"),
        ("https://user:pw-canary@api.airbyte.ai", "must not carry credentials"),
        ("https://api.airbyte.ai/?next=x", "must not carry credentials, a query"),
        ("https://api.airbyte.ai/#x", "a fragment"),
    ],
)
def test_an_airbyte_api_url_that_would_expose_the_client_secret_is_refused(api_url: str, problem: str) -> None:
    for attempt in (
        lambda: _hosted(api_url).backend_kind(),
        lambda: create_backend(_hosted(api_url)),
        lambda: AirbyteAPI(api_url=api_url, client_id="client", client_secret=SecretStr("s")),  # create()'s path
    ):
        with pytest.raises(ConfigurationError, match=f"AIRBYTE_API_URL.*{problem}") as caught:
            attempt()
        assert "pw-canary" not in str(caught.value)


@pytest.mark.parametrize(
    "api_url", ["http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "https://api.airbyte.ai"]
)
def test_http_on_loopback_and_https_anywhere_are_accepted(api_url: str) -> None:
    backend = create_backend(_hosted(api_url))
    assert isinstance(backend, HostedBackend) and backend.api.api_url == api_url.rstrip("/")


# --- ids from an upstream in a path ------------------------------------------------------------------


@asynccontextmanager
async def airbyte_with_connector(connector_id: str) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A scripted Airbyte API on 127.0.0.1 whose connector lookup answers ``connector_id``."""

    async def handle(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if head.startswith(b"POST /api/v1/account/applications/token "):
            body = b'{"access_token": "airbyte-access-canary", "expires_in": 900}'
        elif head.startswith(b"GET /api/v1/integrations/connectors?"):
            body = json.dumps({"data": [{"id": connector_id}]}).encode()
        else:
            body = b'{"result": {"status": "healthy"}}'
        writer.write(answer("200 OK", body, "Content-Type: application/json"))
        await writer.drain()

    async with scripted_server(handle) as (url, seen):
        yield url, seen


async def test_a_connector_id_from_the_lookup_goes_into_the_path_as_one_segment() -> None:
    async with airbyte_with_connector("../../v2/admin/x?y=") as (url, seen):
        api = AirbyteAPI(api_url=url, client_id="client", client_secret=SecretStr("airbyte-secret-canary-7f3a9c"))
        backend = HostedBackend(api, customer_name="acme")
        try:
            await backend.check()
        finally:
            await backend.aclose()
    request_lines = [head.split(b"\r\n")[0] for head in seen]
    assert request_lines[-1] == b"POST /api/v1/integrations/connectors/..%2F..%2Fv2%2Fadmin%2Fx%3Fy%3D/execute HTTP/1.1"


@pytest.mark.parametrize("connector_id", ["..", "."])
async def test_a_dot_segment_connector_id_is_refused_before_it_is_used(connector_id: str) -> None:
    async with airbyte_with_connector(connector_id) as (url, seen):
        api = AirbyteAPI(api_url=url, client_id="client", client_secret=SecretStr("airbyte-secret-canary-7f3a9c"))
        backend = HostedBackend(api, customer_name="acme")
        try:
            with pytest.raises(UpstreamProtocolError, match=re.escape("'.' or '..'")):
                await backend.check()
        finally:
            await backend.aclose()
    assert not [head for head in seen if b"/execute" in head]


# --- TLS verification --------------------------------------------------------------------------------


@asynccontextmanager
async def counting_tls_server(ca: trustme.CA) -> AsyncIterator[tuple[str, list[int]]]:
    """An HTTPS server on 127.0.0.1 (certificate signed by ``ca``) that counts the connections it accepts."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            await writer.start_tls(context)
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer("200 OK", b"[]", "Content-Type: application/json"))
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}", connections
    finally:
        server.close()


async def test_an_untrusted_certificate_is_one_attempt_and_an_error_that_says_what_to_set(tmp_path: Path) -> None:
    ca = trustme.CA()
    async with counting_tls_server(ca) as (url, connections):
        backend = DirectBackend(base_url=url, token=SecretStr(CANARY_TOKEN), timeout=5.0)
        try:
            with pytest.raises(TLSVerificationError) as caught:
                await backend.check()
        finally:
            await backend.aclose()
        assert len(connections) == 1, "a certificate that failed verification was tried again"
        error = caught.value
        assert error.message.startswith(f"TLS certificate verification failed for {url.removeprefix('https://')}")
        assert "1 attempt" in error.message and error.to_dict()["type"] == "tls_verification_failed"
        assert error.hint and "SSL_CERT_FILE" in error.hint and "SENTRY_HOSTNAME" in error.hint
        assert "retry in a moment" not in str(error).lower()

        # The hint is true: with SSL_CERT_FILE naming the CA, the same call goes through.
        pem = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        code = (
            "import asyncio, sys\n"
            "from pydantic import SecretStr\n"
            "from sentry_agent_mcp.backends import DirectBackend\n"
            "backend = DirectBackend(base_url=sys.argv[1], token=SecretStr('t'), timeout=5.0)\n"
            "print(asyncio.run(backend.check()))\n"
        )
        env = {"PATH": os.environ["PATH"], "SSL_CERT_FILE": str(pem), "NO_PROXY": "*"}
        done = await anyio.run_process([PYTHON, "-c", code, url], env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert b"token accepted" in done.stdout


# --- mcp run with nothing configured -----------------------------------------------------------------


async def test_an_unconfigured_mcp_run_answers_tools_list_with_what_to_set_and_one_log_line(tmp_path: Path) -> None:
    mcp = Path(PYTHON).parent / "mcp"
    params = StdioServerParameters(
        command=str(mcp), args=["run", "server/sentry_agent_mcp/app.py"], env={"PATH": os.environ["PATH"]}, cwd=ROOT
    )
    log = tmp_path / "stderr.log"
    with log.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            with pytest.raises(MCPError) as listed:
                await client.list_tools()
    stderr = log.read_text()
    assert listed.value.code == INTERNAL_ERROR
    for needle in ("No Sentry backend is configured", "SENTRY_AUTH_TOKEN", "AIRBYTE_CLIENT_ID", "--demo"):
        assert needle in listed.value.message
    assert "Traceback" not in stderr and stderr.count("ERROR") == 1, stderr
    assert len(stderr.splitlines()) <= 4, stderr  # one record (a narrow console may wrap it)


def test_mcp_run_with_an_invalid_setting_exits_with_one_line_naming_it() -> None:
    mcp = Path(PYTHON).parent / "mcp"
    env = {"PATH": os.environ["PATH"], "SENTRY_MCP_TIMEOUT": "-3", "SENTRY_AUTH_TOKEN": CANARY_TOKEN}
    out = subprocess.run(
        [str(mcp), "run", "server/sentry_agent_mcp/app.py"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode != 0
    assert out.stderr.strip() == "error: Invalid configuration: timeout: Input should be greater than 0.", out.stderr


# --- SENTRY_MCP_TOOLS restricts sentry_execute --------------------------------------------------------


def _text(result: Any) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


async def test_a_server_restricted_to_issues_refuses_other_entities_through_sentry_execute(
    demo_sentry: DemoSentryServer,
) -> None:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=demo_sentry.url, tools="issues")
    start = len(demo_sentry.requests)
    async with Client(SentryMCPServer(settings)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        members = await client.call_tool(
            "sentry_execute", {"entity": "members", "action": "list", "params": {"organization_slug": "acme"}}
        )
        issues = await client.call_tool(
            "sentry_execute", {"entity": "issues", "action": "list", "params": {"organization_slug": "acme"}}
        )
    assert members.is_error
    assert "restricted to issues (SENTRY_MCP_TOOLS)" in _text(members) and "Valid entities: issues." in _text(members)
    assert (members.structured_content or {})["error"]["type"] == "unknown_entity_action"
    assert not issues.is_error, _text(issues)
    assert not [r.path for r in demo_sentry.requests[start:] if "/members/" in r.path]
    assert tools["sentry_execute"].input_schema["properties"]["entity"]["enum"] == ["issues"]
    assert all(name in GENERIC_TOOLS or name.startswith("sentry_issues_") for name in tools)


async def test_a_misspelled_entity_in_sentry_mcp_tools_is_named_not_a_silently_empty_server(
    demo_sentry: DemoSentryServer,
) -> None:
    settings = Settings(backend="direct", auth_token=CANARY_TOKEN, hostname=demo_sentry.url, tools="issues,isues")
    async with Client(SentryMCPServer(settings)) as client:
        with pytest.raises(MCPError) as caught:
            await client.list_tools()
    assert "SENTRY_MCP_TOOLS names unknown entities: isues" in str(caught.value)
    assert "issues" in str(caught.value.error.message)
