"""The embedded demo Sentry: a fake Sentry web API (`/api/0/`) over deterministic generated data.

It backs `--demo`, the README's first command and the tests, and behaves like Sentry where a client
can tell: bearer auth and Sentry's error bodies, trailing-slash routes, id-or-slug and short-id
lookups, `Link` cursor pagination with both rels and `results=`, `per_page`/`limit` bounds,
`X-Sentry-Rate-Limit-*` headers and 429s, issue state changes, and bodies that conform to the
published OpenAPI spec.

Use it in-process or over real HTTP::

    app = create_app()                         # ASGI app; httpx.ASGITransport(app) works
    app.requests                               # request log (also app.state.requests)
    app.add_fault(status=503, times=1)         # inject a failure (see faults.py)
    app.clock = lambda: 1_700_000_000.0        # pin the rate-limit clock in tests

    with DemoSentryServer(rate_limit=5) as server:   # uvicorn on 127.0.0.1, free port
        httpx.get(f"{server.url}/api/0/projects/", headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
        server.requests[-1].path, server.requests[-1].query, server.requests[-1].headers

Each `RecordedRequest` has `method`, `path` (raw, still percent-encoded), `query` (decoded pairs),
`headers` (lower-case names), `body` (bytes; `.json` parses it) and `status` (what the demo answered).

Data (see `data.py`): organization `acme` (id 1), projects `web` (4501), `api` (4502), `worker` (4503),
`ios` (4504), teams `frontend`/`backend`/`mobile`, 190 issues (130 in `web`) with short ids such as
`WEB-1A`, events with stack traces, releases such as `frontend@1.2.3+build/45 beta` and `api@3.1.0`.
The old project slug `frontend-app` answers 302 `resource-moved` pointing at `web`.

Routes (all under `/api/0/`): index; organizations list/detail, org projects and teams; projects
list (`/projects/`) and detail; project issues; org issues list, detail, PUT, issue events (+
`latest`/`oldest`/`recommended`), short-id lookup; project events list/detail; releases list/detail.
"""

from .app import DEMO_TOKEN, DemoSentryApp, create_app
from .data import REFERENCE_TIME, dataset
from .faults import Fault
from .http import RecordedRequest
from .server import DemoSentryServer

__all__ = [
    "DEMO_TOKEN",
    "REFERENCE_TIME",
    "DemoSentryApp",
    "DemoSentryServer",
    "Fault",
    "RecordedRequest",
    "create_app",
    "dataset",
]
