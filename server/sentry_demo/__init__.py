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

    create_app(regions=[])                     # /users/me/regions/ answers 404, like self-hosted
    with DemoSentryServer() as region, DemoSentryServer(
        regions=[{"name": "us", "url": region.url}], org_region_url=region.url
    ) as control: ...                          # control's org says links.regionUrl = region.url

Each `RecordedRequest` has `method`, `path` (raw, still percent-encoded), `query` (decoded pairs),
`headers` (lower-case names), `body` (bytes; `.json` parses it) and `status` (what the demo answered).

Data (the tables in `data/*.json`, generated from by `dataset.py` and the modules named below):
organization `acme` (id 1), projects `web` (4501), `api` (4502), `worker` (4503), `ios` (4504), teams
`frontend` (11) / `backend` (12) / `mobile` (13), members 1101-1106 (users 101-106, Alice Chen 101 owns
the token) plus pending invite 1107, environments production, staging, development (and hidden
`load-test`), 190 issues (130 in `web`) with short ids such as `WEB-1A`, events with stack traces,
breadcrumbs and tags, notes (`notes.py`: exactly `numComments` per issue, ids from 5100001), releases
such as `frontend@1.2.3+build/45 beta` and `api@3.1.0` with deploys and commits, release health for
`web` and `ios` (`frontend@2.4.0` is the bad release, `release_health.py`), outcomes (`outcomes.py`),
cron monitors (`monitor_records.py`, `sync-inventory` failing), legacy alert rules 7201-7203 and issue
rules 8301-8306 (`alert_records.py`), detectors and workflows (`detector_records.py`), 45 replays of
`web` (`replay_data.py`), user feedback, client keys.
The old project slug `frontend-app` answers 302 `resource-moved` pointing at `web`.

Routes: see `routes.py` (every path, handler and accepted scopes).
"""

from .app import DEMO_TOKEN, DemoSentryApp, create_app
from .dataset import REFERENCE_TIME, dataset
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
