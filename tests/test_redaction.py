"""No credential reaches the agent: not when Sentry or Airbyte (or a proxy) echoes it back.

Hostile upstreams on 127.0.0.1 repeat the request's ``Authorization`` header or body in every shape an
error or an answer can take; the server (over real stdio), the CLI and the Python API are driven
against them, and every string they hand back, print or log is searched for the secrets.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp.types import TextContent
from pydantic import SecretStr, ValidationError

from sentry_agent_mcp import AirbyteAuthConfig, SentryAgentError, SentryAuthConfig, SentryConnector
from sentry_agent_mcp.mcp_server import success_result
from sentry_agent_mcp.redaction import MASK, SecretSet, register
from sentry_demo import DEMO_TOKEN, DemoSentryServer
from test_canary import leaks

from conftest import CANARY_TOKEN, PYTHON, ROOT, server_env
from e2e import stdio_server
from fake_airbyte import CLIENT_SECRET, FakeAirbyte

pytestmark = pytest.mark.anyio

ISSUE = {"organization_slug": "acme", "issue_id": "WEB-1A"}
ISSUE_PATH = "/issues/WEB-1A/"
ACCESS_TOKEN_FRAGMENT = "access-token-canary"
_PAD = "y" * 170
"""Puts the echoed token across the 200-character cut of a non-JSON error snippet: only masking the
whole body before it is cut keeps the token's first part out."""

ECHOES: dict[str, dict[str, Any]] = {
    "json detail": {"status": 400, "body": {"detail": "Bad request from {authorization}"}},
    "field map": {"status": 400, "body": {"query": ["{authorization} may not search this"]}},
    "html 500 page": {
        "status": 500,
        "body": f"<html><body><h1>500</h1><p>{_PAD} {{authorization}}</p></body></html>".encode(),
        "content_type": "text/html",
    },
    "non-json 200": {"status": 200, "body": f"debug {_PAD} {{authorization}}".encode(), "content_type": "text/plain"},
    "json 200 object": {"status": 200, "body": {"id": "1", "shortId": "WEB-1A", "title": "{authorization}"}},
}


def secret_free(text: str) -> bool:
    return not leaks(text.encode()) and CLIENT_SECRET not in text and ACCESS_TOKEN_FRAGMENT not in text


@pytest.fixture(scope="module")
def echoing_sentry() -> Iterator[DemoSentryServer]:
    with DemoSentryServer(tokens=[DEMO_TOKEN, CANARY_TOKEN]) as sentry:
        yield sentry


def _echo(sentry: DemoSentryServer, case: str) -> None:
    sentry.app.clear_faults()
    sentry.add_fault(echo=True, times=None, path_contains=ISSUE_PATH, **ECHOES[case])


def _texts(result: Any) -> str:
    blocks = [block.text for block in result.content if isinstance(block, TextContent)]
    return "\n".join([*blocks, str(result.structured_content)])


async def test_an_echoed_token_never_reaches_the_agent_over_stdio(
    echoing_sentry: DemoSentryServer, tmp_path: Path
) -> None:
    log = tmp_path / "stderr.log"
    env = server_env(echoing_sentry.url, SENTRY_MCP_LOG_LEVEL="DEBUG")
    seen: dict[str, str] = {}
    async with stdio_server(env, log) as client:
        for case in ECHOES:
            _echo(echoing_sentry, case)
            seen[case] = _texts(await client.call_tool("sentry_issues_get", ISSUE))
            raw = await client.call_tool("sentry_execute", {"entity": "issues", "action": "get", "params": ISSUE})
            seen[case] += _texts(raw)
    echoing_sentry.app.clear_faults()
    echoed = [r for r in echoing_sentry.requests if r.path.endswith(ISSUE_PATH)]
    assert echoed and all(r.headers["authorization"] == f"Bearer {CANARY_TOKEN}" for r in echoed)
    for case, text in seen.items():
        assert secret_free(text), f"{case}: {text[:400]}"
        assert "Bearer " + MASK in text or MASK in text, f"{case}: the echo never came back: {text[:400]}"
    assert "HTTP 400" in seen["json detail"] and "HTTP 500" in seen["html 500 page"]
    assert secret_free(log.read_text())


def _cli(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", *args], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT
    )
    (tmp_path / f"cli-{args[0]}.out").write_text(out.stdout + out.stderr)
    return out


@pytest.mark.parametrize("case", ["json detail", "html 500 page", "non-json 200", "json 200 object"])
def test_an_echoed_token_never_reaches_the_cli_output(
    echoing_sentry: DemoSentryServer, tmp_path: Path, case: str
) -> None:
    _echo(echoing_sentry, case)
    try:
        out = _cli(
            tmp_path, server_env(echoing_sentry.url), "call", "issues", "get", *(f"{k}={v}" for k, v in ISSUE.items())
        )
    finally:
        echoing_sentry.app.clear_faults()
    assert secret_free(out.stdout + out.stderr)
    assert MASK in out.stdout + out.stderr  # the echo did come back, masked
    assert out.returncode == (0 if case == "json 200 object" else 1)


@pytest.mark.parametrize("case", ["json detail", "field map", "html 500 page", "non-json 200"])
async def test_python_api_exceptions_hold_no_echoed_token(echoing_sentry: DemoSentryServer, case: str) -> None:
    _echo(echoing_sentry, case)
    connector = SentryConnector(auth_config=SentryAuthConfig(auth_token=CANARY_TOKEN), hostname=echoing_sentry.url)
    try:
        with pytest.raises(SentryAgentError) as caught:
            await connector.execute("issues", "get", ISSUE)
    finally:
        echoing_sentry.app.clear_faults()
        await connector.close()
    error = caught.value
    for text in (str(error), repr(error), str(error.args), str(error.to_dict())):
        assert secret_free(text), text
    assert MASK in str(error)


async def test_python_api_results_hold_no_echoed_token(echoing_sentry: DemoSentryServer) -> None:
    _echo(echoing_sentry, "json 200 object")
    async with SentryConnector(
        auth_config=SentryAuthConfig(auth_token=CANARY_TOKEN), hostname=echoing_sentry.url
    ) as connector:
        try:
            issue = await connector.execute("issues", "get", {**ISSUE, "detail": "full"})
        finally:
            echoing_sentry.app.clear_faults()
    assert issue["title"] == f"Bearer {MASK}"


# -- the Airbyte API ---------------------------------------------------------------------------------


@pytest.fixture
def echoing_airbyte(echoing_sentry: DemoSentryServer) -> Iterator[FakeAirbyte]:
    with FakeAirbyte(sentry_url=echoing_sentry.url, sentry_token=CANARY_TOKEN) as fake:
        yield fake


@pytest.mark.parametrize("echo", ["token", "execute"])
async def test_airbyte_echoes_reach_neither_the_agent_nor_the_log(
    echoing_airbyte: FakeAirbyte, echo: str, tmp_path: Path
) -> None:
    echoing_airbyte.echo = echo
    log = tmp_path / "stderr.log"
    env = {"PATH": server_env("")["PATH"], "SENTRY_MCP_LOG_LEVEL": "DEBUG", **echoing_airbyte.env()}
    async with stdio_server(env, log) as client:
        result = await client.call_tool("sentry_issues_get", ISSUE)
    text = _texts(result)
    assert result.is_error and ("HTTP 400" in text if echo == "token" else "HTTP 500" in text), text
    sent = [r for r in echoing_airbyte.requests if r.path.endswith("/token")]
    assert sent and sent[0].json["client_secret"] == CLIENT_SECRET  # the upstream really had it to echo
    assert secret_free(text), text
    assert MASK in text
    assert secret_free(log.read_text())


async def test_airbyte_echoes_stay_out_of_python_api_exceptions(echoing_airbyte: FakeAirbyte) -> None:
    auth = AirbyteAuthConfig(
        customer_name="acme-customer", airbyte_client_id="client-123", airbyte_client_secret=CLIENT_SECRET
    )
    for echo in ("token", "execute"):
        echoing_airbyte.echo = echo
        connector = SentryConnector(auth_config=auth)
        connector.settings.airbyte_api_url = echoing_airbyte.url
        try:
            with pytest.raises(SentryAgentError) as caught:
                await connector.execute("issues", "get", ISSUE)
        finally:
            await connector.close()
        for text in (str(caught.value), repr(caught.value), str(caught.value.args)):
            assert secret_free(text), text


# -- configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("sntryu_é" + "a" * 40, "non-ASCII"),
        ("sntryu_abc\x7fdefghijkl", "control"),
        ("sntryu_ab cd" + "e" * 20, "space"),
    ],
)
def test_a_token_that_cannot_be_sent_is_a_configuration_error_naming_the_variable(
    tmp_path: Path, token: str, problem: str
) -> None:
    env = server_env("https://sentry.example.com", token=token)
    out = _cli(tmp_path, env, "call", "projects", "list")
    assert out.returncode == 2
    assert "SENTRY_AUTH_TOKEN" in out.stderr and problem in out.stderr
    assert token not in out.stderr and token[7:20] not in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_trailing_newline_or_carriage_return_is_dropped(echoing_sentry: DemoSentryServer, tmp_path: Path) -> None:
    out = _cli(tmp_path, server_env(echoing_sentry.url, token=CANARY_TOKEN + "\r\n"), "check")
    assert out.returncode == 0, out.stderr
    assert "token accepted" in out.stdout


def test_config_validation_errors_never_print_the_secret() -> None:
    with pytest.raises(ValidationError) as wrong_keyword:
        SentryAuthConfig(token=CANARY_TOKEN)  # type: ignore[call-arg]
    with pytest.raises(ValidationError) as unsendable:
        SentryAuthConfig(auth_token=CANARY_TOKEN + "é")
    with pytest.raises(ValidationError) as hosted:
        AirbyteAuthConfig(client_secret=CLIENT_SECRET)  # type: ignore[call-arg]
    for caught in (wrong_keyword, unsendable, hosted):
        text = f"{caught.value} {caught.value!r} {caught.value.errors()!r} {caught.value.json()}"
        assert CANARY_TOKEN not in text and CLIENT_SECRET not in text
    assert "token" in str(wrong_keyword.value) and "auth_token" in str(unsendable.value)


# -- the exit itself ------------------------------------------------------------------------------


def test_the_tool_result_exit_masks_a_secret_in_text_and_structured_content() -> None:
    secret = "learned-at-run-time-0b9e77"
    register(SecretStr(secret))
    result = success_result({"data": [{"title": f"x {secret} y", secret: 1}], "meta": {"has_more": False}})
    assert secret not in str(result.content[0]) and secret not in str(result.structured_content)
    assert f"x {MASK} y" in str(result.structured_content)


def test_escaped_and_encoded_forms_of_a_secret_are_masked_too() -> None:
    secrets = SecretSet()
    secrets.add("sntryu_abc/def+ghi")
    escaped = b'{"detail": "\\u0073ntryu_abc\\/def+ghi", "url": "x?t=sntryu_abc%2Fdef%2Bghi"}'
    assert secrets.loads(escaped) == {"detail": MASK, "url": f"x?t={MASK}"}
    assert secrets.redact_bytes(b"Bearer sntryu_abc/def+ghi") == b"Bearer " + MASK.encode()


def test_an_error_made_with_a_secret_in_it_holds_none_in_any_form() -> None:
    from sentry_agent_mcp.errors import UpstreamError

    secret = "made-into-an-error-4c1d2e"
    register(secret)
    error = UpstreamError(f"failed for {secret}", status=500, detail=f"detail {secret}", hint=f"hint {secret}")
    for text in (str(error), repr(error), str(error.args), str(error.to_dict()), error.message, str(error.hint)):
        assert secret not in text and MASK in text


async def test_a_token_in_a_link_header_never_becomes_the_next_cursor(echoing_sentry: DemoSentryServer) -> None:
    """Headers are not bodies: a Link whose cursor repeats the token must not reach meta.next_cursor."""
    link = f'<{echoing_sentry.url}/api/0/x/?cursor={CANARY_TOKEN}>; rel="next"; results="true"; cursor="{CANARY_TOKEN}"'
    echoing_sentry.app.clear_faults()
    echoing_sentry.add_fault(status=200, body=[], headers={"Link": link}, times=None, path_contains="/issues/")
    try:
        async with SentryConnector(
            auth_config=SentryAuthConfig(auth_token=CANARY_TOKEN), hostname=echoing_sentry.url
        ) as connector:
            page = await connector.execute("issues", "list", {"organization_slug": "acme", "project_slug": "web"})
    finally:
        echoing_sentry.app.clear_faults()
    assert page["meta"]["has_more"] is True and page["meta"]["next_cursor"] == MASK
    assert secret_free(str(page))


def test_url_encoded_form_encoded_and_base64_forms_of_a_secret_are_masked() -> None:
    import base64
    from urllib.parse import quote, quote_plus

    secrets = SecretSet()
    secret = "sntrys_Ab+Cd/Ef=Gh1234"
    secrets.add(secret)
    forms = [
        quote(secret),
        quote(secret, safe="").replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d"),  # lower-case hex
        quote_plus(secret),
        base64.b64encode(secret.encode()).decode(),
        base64.urlsafe_b64encode(f"Bearer {secret}".encode()).decode().rstrip("="),
    ]
    for form in forms:
        assert secrets.redact(f"x {form} y") == f"x {MASK} y", form
