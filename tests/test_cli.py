"""The command line as a user types it: exit codes, one-line failures, JSON on stdout."""

from __future__ import annotations

import json
import subprocess

from sentry_demo import DemoSentryServer

from conftest import CANARY_TOKEN, PYTHON, ROOT, server_env


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "sentry_agent_mcp", *args],
        capture_output=True,
        text=True,
        env=env or server_env("sentry.io", token=""),
        timeout=60,
        cwd=ROOT,
    )


def test_call_prints_the_json_result() -> None:
    out = run("call", "issues", "list", "organization_slug=acme", "project_slug=web", "limit=2", "--demo")
    assert out.returncode == 0, out.stderr
    page = json.loads(out.stdout)
    assert len(page["data"]) == 2 and page["meta"]["has_more"] is True


def test_call_with_params_json_and_defaults_from_flags() -> None:
    out = run("call", "issues", "list", "--params", '{"limit": 1}', "--org", "acme", "--project", "api", "--demo")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["data"][0]["shortId"].startswith("API-"), "the short id names the project"


def test_failed_call_exits_1_with_one_line() -> None:
    out = run("call", "issues", "get", "organization_slug=acme", "issue_id=NOPE-1", "--demo")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "HTTP 404" in lines[0]
    assert out.stdout == ""


def test_bad_params_exit_1_naming_valid_ones() -> None:
    out = run("call", "releases", "get", "organization_slug=acme", "--demo")
    assert out.returncode == 1
    assert "version: required" in out.stderr and "Valid params" in out.stderr


def test_nothing_configured_exits_2_naming_the_variables() -> None:
    for command in (["serve"], ["call", "projects", "list"], ["check"]):
        out = run(*command)
        assert out.returncode == 2, command
        assert "SENTRY_AUTH_TOKEN" in out.stderr and "--demo" in out.stderr


def test_serve_refuses_to_bind_beyond_loopback() -> None:
    out = run("serve", "--demo", "--transport", "streamable-http", "--host", "0.0.0.0")
    assert out.returncode == 2 and "0.0.0.0" in out.stderr


def test_tools_json_covers_the_catalog_with_backends() -> None:
    out = run("tools", "--json")
    assert out.returncode == 0
    tools = {t["tool"]: t for t in json.loads(out.stdout)}
    assert tools["sentry_issues_list"]["backends"] == ["direct", "demo", "hosted"]
    assert tools["sentry_issues_context_store_search"]["backends"] == ["hosted"]
    assert tools["sentry_releases_get"]["params"]["required"] == ["organization_slug", "version"]


def test_check_against_demo_and_against_a_real_http_sentry(demo_sentry: DemoSentryServer) -> None:
    ok = run("check", "--demo")
    assert ok.returncode == 0 and "token accepted" in ok.stdout
    ok = run("check", env=server_env(demo_sentry.url))
    assert ok.returncode == 0 and demo_sentry.url in ok.stdout
    bad = run("check", env=server_env(demo_sentry.url, token="sntryu_nope"))
    assert bad.returncode == 1 and "Invalid token" in bad.stderr and "sntryu_nope" not in bad.stderr
    assert CANARY_TOKEN not in ok.stdout + ok.stderr


def test_plain_http_to_sentry_io_is_refused_at_startup() -> None:
    out = run("check", env=server_env("http://sentry.io"))
    assert out.returncode == 2 and "unencrypted" in out.stderr


def test_every_serve_flag_overrides_its_setting() -> None:
    """Each flag whose dest names a setting reaches ``Settings``, the HTTP limits and scale-out ones included."""
    from sentry_agent_mcp.cli import _parser, load_settings
    from sentry_agent_mcp.config import Settings

    given = {
        "--host": "0.0.0.0",
        "--port": "9001",
        "--max-sessions": "7",
        "--session-idle-timeout": "12.5",
        "--max-connections": "99",
        "--header-timeout": "3",
        "--keep-alive-timeout": "2",
        "--allowed-hosts": "mcp.example.com",
        "--list-format": "columns",
        "--http-auth": "per-user",
        "--workers": "3",
        "--shutdown-timeout": "4",
        "--hostname": "sentry.example.com",
        "--org": "acme",
        "--project": "web",
        "--tools": "issues",
        "--timeout": "9",
        "--backend": "direct",
    }
    switches = ["--http-streaming", "--stateless", "--allow-writes"]
    args = _parser().parse_args(["serve", *(part for pair in given.items() for part in pair), *switches])
    settings = load_settings(args)
    flag_dests = {name for name in vars(args) if name in Settings.model_fields}
    assert flag_dests == {name for name in flag_dests if getattr(settings, name) != Settings.model_fields[name].default}
    assert (settings.http_host, settings.http_port, settings.http_max_sessions) == ("0.0.0.0", 9001, 7)
    assert (settings.http_session_idle_timeout, settings.http_max_connections) == (12.5, 99)
    assert (settings.http_header_timeout, settings.http_keep_alive_timeout) == (3.0, 2)
    assert (settings.http_allowed_hosts, settings.list_format, settings.http_auth) == (
        "mcp.example.com",
        "columns",
        "per-user",
    )
    assert (settings.http_workers, settings.http_shutdown_timeout, settings.timeout) == (3, 4.0, 9.0)
    assert settings.http_streaming and settings.http_stateless and settings.allow_writes
    assert (settings.hostname, settings.org, settings.project, settings.tools, settings.backend) == (
        "sentry.example.com",
        "acme",
        "web",
        "issues",
        "direct",
    )
