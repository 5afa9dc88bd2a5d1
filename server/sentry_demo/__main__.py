"""`python -m sentry_demo --host 127.0.0.1 --port 8765`: run the demo Sentry in the
foreground, e.g. to point `sentry-cli`, curl or a direct-backend server at it."""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

import uvicorn

from .app import DEMO_TOKEN, create_app
from .faults import chaos
from .server import bind_socket
from .users import demo_users


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sentry_demo",
        description="Serve the embedded demo Sentry web API (/api/0/) over deterministic demo data.",
        epilog=f"Authenticate with: Authorization: Bearer {DEMO_TOKEN}",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--token", action="append", dest="tokens", help="accepted bearer token (repeatable; default: the demo token)"
    )
    parser.add_argument("--rate-limit", type=int, default=1000, help="requests per window per route")
    parser.add_argument("--rate-window", type=int, default=1, help="window length in seconds")
    parser.add_argument("--self-hosted", action="store_true", help="send no X-Sentry-Rate-Limit-* headers")
    parser.add_argument("--base-url", help="URL used in Link headers and permalinks (default: the listen URL)")
    parser.add_argument(
        "--region",
        action="append",
        dest="regions",
        metavar="NAME=URL",
        help="a region /users/me/regions/ lists (repeatable; default: us=the base URL)",
    )
    parser.add_argument("--no-regions", action="store_true", help="/users/me/regions/ answers 404 (self-hosted)")
    parser.add_argument("--org-region-url", help="the organization's links.regionUrl (default: the base URL)")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="fraction of requests answered with an injected fault (429, 5xx, slow, dropped, truncated)",
    )
    parser.add_argument("--fault-seed", type=int, default=0, help="seed of the fault draws (reproducible runs)")
    args = parser.parse_args(argv)
    regions = None
    if args.no_regions:
        regions = []
    elif args.regions:
        pairs = [r.partition("=") for r in args.regions]
        if any(not sep or not name or not url for name, sep, url in pairs):
            parser.error("--region takes NAME=URL")
        regions = [{"name": name, "url": url} for name, _, url in pairs]
    sock = bind_socket(args.host, args.port)
    url = f"http://{args.host}:{sock.getsockname()[1]}"
    app = create_app(
        tokens=args.tokens,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        self_hosted=args.self_hosted,
        base_url=args.base_url or url,
        regions=regions,
        org_region_url=args.org_region_url,
    )
    app.over_http = True
    if args.fault_rate > 0:
        app.faults.extend(chaos(args.fault_rate, seed=args.fault_seed))
    print(f"demo Sentry listening on {url}", file=sys.stderr, flush=True)
    if not args.tokens:  # the demo's token is public; a --token of the user's own is not echoed
        print(f"demo Sentry token: {DEMO_TOKEN} (SENTRY_AUTH_TOKEN)", file=sys.stderr, flush=True)
        for user in demo_users()[1:]:  # per-user mode: users who see only their teams' projects
            teams = ", ".join(sorted(user.teams or ()))
            print(f"demo Sentry user {user.member_id} token: {user.token} ({teams})", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    signal.signal(signal.SIGTERM, _interrupt)  # uvicorn re-raises it after shutting down: end like Ctrl-C
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        hits = sum(fault.hits for fault in app.faults)
        print(f"demo Sentry served {len(app.requests)} requests, {hits} with an injected fault", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
