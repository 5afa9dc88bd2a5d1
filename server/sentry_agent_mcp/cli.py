"""The ``sentry-agent-mcp`` command (README "Command line").

Exit codes: see ``EXIT_CODES`` (also in ``--help`` and the README's command-line section).
The MCP SDK is imported only by the commands that serve or drive MCP, so ``call`` and ``tools`` start
fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio

from ._version import __version__
from .config import Settings
from .errors import ConfigurationError, SentryAgentError
from .redaction import redact

EXIT_CODES = """exit codes:
  0    success
  1    a call or check failed (one line on stderr says why)
  2    the configuration or the command line is wrong
  3    serve: the HTTP address cannot be listened on (the port is in use, or the host is not this machine's)
  130  interrupted (Ctrl-C)
  141  the reader of the output went away early (e.g. `| head`)"""
EXIT_OUTPUT_CLOSED = 141
"""As a Unix tool killed by SIGPIPE: 128 + 13."""


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("configuration (overrides the environment; secrets stay env-only)")
    group.add_argument("--demo", action="store_true", help="use the embedded demo Sentry (no credentials)")
    group.add_argument("--backend", choices=["auto", "direct", "hosted", "demo"], help="SENTRY_MCP_BACKEND")
    group.add_argument("--hostname", help="SENTRY_HOSTNAME: sentry.io, host[:port] or a self-hosted URL")
    group.add_argument("--org", help="SENTRY_ORG: default organization_slug")
    group.add_argument("--project", help="SENTRY_PROJECT: default project_slug")
    group.add_argument(
        "--allow-writes", action="store_true", default=None, help="SENTRY_MCP_ALLOW_WRITES: enable write actions"
    )
    group.add_argument("--tools", help="SENTRY_MCP_TOOLS: all, execute, or a comma list of entities")
    group.add_argument("--timeout", type=float, help="SENTRY_MCP_TIMEOUT: per-call deadline in seconds")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sentry-agent-mcp",
        description="An MCP server that lets LLM agents read and act on Sentry.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the MCP server (stdio by default)")
    serve.add_argument("--transport", choices=["stdio", "streamable-http", "sse"], default="stdio")
    serve.add_argument("--host", dest="http_host", help="SENTRY_MCP_HTTP_HOST: address to bind (default 127.0.0.1)")
    serve.add_argument("--port", dest="http_port", type=int, help="SENTRY_MCP_HTTP_PORT: port (default 8000)")
    limits = serve.add_argument_group("HTTP limits (see the README's deployment section)")
    limits.add_argument(
        "--max-sessions", dest="http_max_sessions", type=int, help="SENTRY_MCP_HTTP_MAX_SESSIONS (default 1000)"
    )
    limits.add_argument(
        "--session-idle-timeout",
        dest="http_session_idle_timeout",
        type=float,
        help="SENTRY_MCP_HTTP_SESSION_IDLE_TIMEOUT: seconds (default 600)",
    )
    limits.add_argument(
        "--max-connections",
        dest="http_max_connections",
        type=int,
        help="SENTRY_MCP_HTTP_MAX_CONNECTIONS (default 4096)",
    )
    limits.add_argument(
        "--header-timeout",
        dest="http_header_timeout",
        type=float,
        help="SENTRY_MCP_HTTP_HEADER_TIMEOUT: seconds to send request headers (default 10)",
    )
    limits.add_argument(
        "--keep-alive-timeout",
        dest="http_keep_alive_timeout",
        type=int,
        help="SENTRY_MCP_HTTP_KEEP_ALIVE_TIMEOUT: seconds (default 5)",
    )
    serve.add_argument(
        "--allowed-hosts",
        dest="http_allowed_hosts",
        help="SENTRY_MCP_HTTP_ALLOWED_HOSTS: extra Host names the HTTP transports accept (comma list)",
    )
    serve.add_argument(
        "--list-format",
        choices=["objects", "columns"],
        help="SENTRY_MCP_LIST_FORMAT: list rows as objects (default) or column-wise arrays",
    )
    serve.add_argument(
        "--http-auth",
        choices=["shared", "per-user"],
        help="SENTRY_MCP_HTTP_AUTH: shared (default) or per-user (each request sends its own Sentry token)",
    )
    serve.add_argument(
        "--http-streaming",
        action="store_true",
        default=None,
        help="SENTRY_MCP_HTTP_STREAMING: answer streamable-HTTP calls as event streams, with progress",
    )
    scale = serve.add_argument_group("scale-out (see the README's 'Deploy for a team')")
    scale.add_argument(
        "--stateless",
        dest="http_stateless",
        action="store_true",
        default=None,
        help="SENTRY_MCP_HTTP_STATELESS: streamable HTTP without sessions; any process answers any request",
    )
    scale.add_argument(
        "--workers", dest="http_workers", type=int, help="SENTRY_MCP_HTTP_WORKERS: server processes (needs --stateless)"
    )
    scale.add_argument(
        "--shutdown-timeout",
        dest="http_shutdown_timeout",
        type=float,
        help="SENTRY_MCP_HTTP_SHUTDOWN_TIMEOUT: seconds in-flight calls get to finish on SIGTERM (default 10)",
    )
    _add_config_flags(serve)

    call = sub.add_parser("call", help="make one call and print the JSON result")
    call.add_argument("entity")
    call.add_argument("action")
    call.add_argument("pairs", nargs="*", metavar="key=value", help="params, e.g. organization_slug=acme")
    call.add_argument("--params", help="params as a JSON object (merged under key=value pairs)")
    _add_config_flags(call)

    tools = sub.add_parser("tools", help="print the catalog: every pair, its params, read/write, backends")
    fmt = tools.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON (default: Markdown)")
    fmt.add_argument("--markdown", action="store_true", help="the README's Markdown table")
    tools.add_argument("--write-readme", type=Path, metavar="README", help=argparse.SUPPRESS)
    tools.add_argument("--write-entries", action="store_true", help=argparse.SUPPRESS)

    check = sub.add_parser("check", help="check configuration and credentials against the backend")
    _add_config_flags(check)

    sub.add_parser("demo", help="a scripted walk-through against the embedded demo Sentry")
    return parser


def load_settings(args: argparse.Namespace) -> Settings:
    """Environment settings, overridden by the command-line flags that were given (a flag overrides the
    setting its ``dest`` names; secrets have no flag)."""
    overrides: dict[str, Any] = {}
    for flag in Settings.model_fields:
        value = getattr(args, flag, None)
        if value is not None:
            overrides[flag] = value
    if getattr(args, "demo", False):
        overrides["backend"] = "demo"
    return Settings.read(**overrides)


def _fail(error: SentryAgentError) -> int:
    print(redact(f"error: {error}"), file=sys.stderr)
    return 2 if isinstance(error, ConfigurationError) else 1


def _print(text: str) -> None:
    """Standard output, the CLI's exit: nothing leaves it unredacted."""
    print(redact(text))


def _parse_pairs(pairs: Sequence[str], params_json: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if params_json:
        try:
            loaded = json.loads(params_json)
        except RecursionError:
            raise ConfigurationError("--params is nested too deeply.") from None
        except ValueError as exc:
            raise ConfigurationError(f"--params is not valid JSON: {exc}.") from None
        if not isinstance(loaded, dict):
            raise ConfigurationError("--params must be a JSON object.")
        params.update(loaded)
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigurationError(f"Expected key=value, got {item!r}.")
        params[key] = value
    return params


async def _call(settings: Settings, entity: str, action: str, params: dict[str, Any]) -> Any:
    from .executor import Executor

    executor = Executor.for_settings(settings)
    try:
        return await executor.execute(entity, action, params)
    finally:
        await executor.aclose()


async def _check(settings: Settings) -> str:
    from .backends import create_backend

    backend = create_backend(settings)
    try:
        return await backend.check()
    finally:
        await backend.aclose()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    settings.backend_kind()  # fail fast, exit 2, before any transport starts
    if args.transport == "stdio" and settings.http_auth == "per-user":
        from .per_user_config import refuse_without_http

        raise refuse_without_http("stdio")
    if args.transport != "stdio":
        from .http_app import check_bind

        check_bind(settings.http_host, settings)  # exit 2: no (long enough) token for a non-loopback bind
    from .workers import check_scale_out, serve_workers

    check_scale_out(args.transport, settings)  # exit 2: --workers without --stateless, stateless SSE
    if settings.http_workers > 1:
        serve_workers(args.transport, settings)
        return 0
    from .mcp_server import SentryMCPServer

    server = SentryMCPServer(settings)  # installs the log redaction, after the SDK has set up logging
    server.run(args.transport)  # HTTP: host, port and limits from the settings the flags went into
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        status = _run(args)
        sys.stdout.flush()  # a reader that went away shows here, not as a traceback at exit
        return status
    except BrokenPipeError:
        return _output_closed()


def _output_closed() -> int:
    """``sentry-agent-mcp call ... | head``: stop quietly, as Unix tools do when their reader leaves."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # what is still buffered goes nowhere, not into an error at exit
    os.close(devnull)
    return EXIT_OUTPUT_CLOSED


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "tools":
            from .catalog.docs import catalog_json, markdown_table, update_readme

            if args.write_readme or args.write_entries:
                from .tool_entries import ENTRIES_FILE, write_entries

                written = [(args.write_readme, update_readme)] if args.write_readme else []
                written += [(ENTRIES_FILE, write_entries)] if args.write_entries else []
                for path, write in written:
                    print(f"{path}: {'updated' if write(path) else 'already current'}")
            elif args.json:
                print(json.dumps(catalog_json(), indent=2))
            else:
                print(markdown_table(), end="")
            return 0
        if args.command == "demo":
            from .walkthrough import run_walkthrough

            return anyio.run(run_walkthrough)
        settings = load_settings(args)
        from .redaction import install_redaction, secrets_of

        install_redaction(secrets_of(settings))
        if args.command == "serve":
            return _serve(args, settings)
        if args.command == "check":
            _print(anyio.run(_check, settings))
            return 0
        params = _parse_pairs(args.pairs, args.params)
        result = anyio.run(_call, settings, args.entity, args.action, params)
        _print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    except SentryAgentError as exc:
        return _fail(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:  # a bug of ours: one redacted line, not a traceback that may quote a secret
        print(redact(f"error: unexpected {type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
