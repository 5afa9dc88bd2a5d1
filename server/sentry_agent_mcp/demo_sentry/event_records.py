"""JSON shapes for events: the list row (`SimpleEventSerializer`) and the full event with `entries`
(exception with a camelCase stack trace, breadcrumbs, request, spans, csp), contexts, tags and SDK.

Built on demand from the compact generated `Event` and its issue; every choice is seeded by the event
or issue id, so the same event always renders the same way.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import archetypes
from .models import Event, Issue, iso, stable_hash
from .records import release_record

if TYPE_CHECKING:
    from .store import Store

JSON = dict[str, Any]

SDKS = {
    "web": ("sentry.javascript.react", "8.47.0"),
    "api": ("sentry.python.django", "2.19.2"),
    "worker": ("sentry.python.celery", "2.19.2"),
    "ios": ("sentry.cocoa", "8.42.1"),
}
EVENT_TYPES = {"error": "error", "csp": "csp", "performance": "transaction", "feedback": "generic"}
HOSTS = {"web": "https://app.acme.example", "api": "https://api.acme.example"}
LIBRARY_FRAMES: dict[str, tuple[tuple[str, str, str], ...]] = {  # (filename, module, function)
    "web": (
        (
            "./node_modules/react-dom/cjs/react-dom.production.min.js",
            "node_modules/react-dom/cjs/react-dom.production.min",
            "commitHookEffectListMount",
        ),
        (
            "./node_modules/react/cjs/react.production.min.js",
            "node_modules/react/cjs/react.production.min",
            "renderWithHooks",
        ),
    ),
    "api": (
        ("django/core/handlers/exception.py", "django.core.handlers.exception", "inner"),
        ("django/core/handlers/base.py", "django.core.handlers.base", "_get_response"),
        ("rest_framework/views.py", "rest_framework.views", "dispatch"),
    ),
    "worker": (
        ("celery/app/trace.py", "celery.app.trace", "trace_task"),
        ("celery/app/task.py", "celery.app.task", "__call__"),
    ),
    "ios": (("UIKitCore", "UIKitCore", "UIApplicationMain"), ("SwiftUI", "SwiftUI", "ViewGraph.updateOutputs()")),
}
FILLER = {
    "web": (
        "  const [state, setState] = useState(initialState);",
        "  const { data } = useQuery(key, fetcher);",
        "  useEffect(() => track('view'), []);",
        "  if (!data) return <Spinner />;",
    ),
    "api": (
        "        serializer = self.get_serializer(data=request.data)",
        "        user = request.user",
        '        logger.info("processing %s", pk)',
        "        queryset = self.filter_queryset(qs)",
    ),
    "worker": (
        '        logger.info("task started", extra={"id": task_id})',
        "        batch = list(chunk)",
        "        client = get_client()",
        "        now = timezone.now()",
    ),
    "ios": (
        "        let viewModel = ViewModel(store: store)",
        "        guard isViewLoaded else { return }",
        '        logger.debug("render")',
        "        let formatter = NumberFormatter()",
    ),
}


def _context_lines(rng: random.Random, slug: str, line_no: int, header: str, code: str) -> list[list[Any]]:
    filler = FILLER[slug]
    lines = [header, rng.choice(filler), rng.choice(filler), code, rng.choice(filler), ""]
    return [[line_no - 3 + i, text] for i, text in enumerate(lines)]


def _frame(
    slug: str,
    platform: str,
    filename: str,
    module: str,
    function: str,
    line_no: int,
    col: int | None,
    in_app: bool,
    context: list[list[Any]],
    variables: JSON | None,
) -> JSON:
    abs_path = {
        "web": f"webpack://acme-web/{filename}",
        "api": f"/app/src/{filename}",
        "worker": f"/app/src/{filename}",
    }.get(slug, filename)
    if not in_app and slug in ("api", "worker"):
        abs_path = f"/usr/local/lib/python3.12/site-packages/{filename}"
    return {
        "function": function,
        "errors": None,
        "colNo": col,
        "vars": variables,
        "package": f"/private/var/containers/Bundle/Application/{module}.app/{module}" if slug == "ios" else None,
        "absPath": abs_path,
        "inApp": in_app,
        "lineNo": line_no,
        "module": module,
        "filename": filename,
        "platform": None,
        "instructionAddr": f"0x1{line_no * 4099:08x}" if slug == "ios" else None,
        "context": context,
        "symbolAddr": None,
        "trust": "fp" if slug == "ios" else None,
        "symbol": None,
    }


def stack_frames(issue: Issue) -> list[JSON]:
    """Oldest call first, crashing frame last (Sentry's order); library frames are not in-app."""
    assert issue.location is not None and issue.error is not None
    rng = random.Random(f"frames:{issue.id}")
    slug, platform = issue.project_slug, {"web": "javascript", "ios": "cocoa"}.get(issue.project_slug, "python")
    js = slug == "web"
    frames = []
    for filename, module, function in LIBRARY_FRAMES[slug]:
        line = rng.randint(40, 900)
        context = (
            _context_lines(
                rng,
                slug,
                line,
                f"    def {function}(self, *args, **kwargs):",
                "        return handler(*args, **kwargs)",
            )
            if platform == "python"
            else []
        )
        frames.append(
            _frame(
                slug,
                platform,
                filename,
                module,
                function,
                line,
                rng.randint(5, 80) if js else None,
                False,
                context,
                None,
            )
        )
    caller = rng.choice([loc for loc in archetypes.LOCATIONS[slug] if loc != issue.location])
    for loc, crash in ((caller, False), (issue.location, True)):
        line = rng.randint(12, 260)
        code = issue.error.code.format(**issue.slots) if crash else f"    {issue.location.function}(payload)"
        headers = {
            "web": f"export function {loc.function}(props) {{",
            "ios": f"    func {loc.function.split('.')[-1]} {{",
        }
        header = headers.get(slug, f"    def {loc.function}(self, request):")
        variables = (
            None
            if js or slug == "ios"
            else {
                "self": f"<{loc.module}.Handler object at 0x7f3a{rng.randint(4096, 65535):04x}>",
                "payload": f"{{'{issue.slots['key']}': None, 'quantity': '{issue.slots['field']}'}}",
            }
        )
        frames.append(
            _frame(
                slug,
                platform,
                loc.path,
                loc.module,
                loc.function,
                line,
                rng.randint(5, 60) if js else None,
                True,
                _context_lines(rng, slug, line, header, code),
                variables,
            )
        )
    return frames


def _breadcrumbs(event: Event, issue: Issue) -> JSON:
    rng = random.Random(f"crumbs:{event.id}")
    slug = issue.project_slug
    path = rng.choice(archetypes.TRANSACTIONS["web"])
    endpoint = issue.slots["endpoint"]
    options: dict[str, list[tuple[str, str, str, str | None, JSON | None]]] = {
        "web": [
            ("navigation", "navigation", "info", None, {"from": "/", "to": path}),
            ("default", "ui.click", "info", "button#checkout-submit", None),
            ("http", "fetch", "info", None, {"method": "GET", "url": endpoint, "status_code": 200}),
            ("debug", "console", "warning", "Warning: Each child in a list should have a unique key", None),
        ],
        "api": [
            ("default", "query", "info", 'SELECT "accounts_user"."id" FROM "accounts_user" WHERE id = %s', None),
            ("default", "redis", "info", "GET session:8f2a", None),
            (
                "http",
                "httplib",
                "info",
                None,
                {"method": "POST", "url": f"https://{issue.slots['host']}/v1", "status_code": 200},
            ),
        ],
        "worker": [
            ("default", "celery", "info", f"Task {issue.culprit} received", None),
            ("default", "query", "info", 'SELECT COUNT(*) FROM "orders_order"', None),
            (
                "http",
                "httplib",
                "info",
                None,
                {"method": "GET", "url": f"https://{issue.slots['host']}/", "status_code": 502},
            ),
        ],
        "ios": [
            ("navigation", "navigation", "info", None, {"screen": "ProductListView"}),
            ("default", "ui.lifecycle", "info", "viewDidAppear", {"screen": "CheckoutViewController"}),
            (
                "http",
                "http",
                "info",
                None,
                {"method": "GET", "url": f"https://api.acme.example{endpoint}", "status_code": 200},
            ),
        ],
    }
    crumbs = options[slug][: 2 + rng.randint(0, len(options[slug]) - 2)]
    return {
        "type": "breadcrumbs",
        "data": {
            "values": [
                {
                    "type": kind,
                    "category": category,
                    "level": level,
                    "message": message,
                    "data": data,
                    "event_id": None,
                    "timestamp": iso(event.timestamp - timedelta(seconds=(len(crumbs) - n) * 7.5)),
                }
                for n, (kind, category, level, message, data) in enumerate(crumbs)
            ]
        },
    }


def _request(event: Event, issue: Issue) -> JSON | None:
    slug = issue.project_slug
    if slug not in HOSTS:
        return None
    browser = archetypes.BROWSERS[event.variant % len(archetypes.BROWSERS)]
    agent = f"Mozilla/5.0 ({browser[2]} {browser[3]}) {browser[0]}/{browser[1]}"
    path = (
        issue.culprit
        if issue.kind != "error"
        else (issue.slots["endpoint"] if slug == "api" else archetypes.TRANSACTIONS["web"][event.variant % 6])
    )
    return {
        "type": "request",
        "data": {
            "url": HOSTS[slug]
            + path.replace(":slug", "blue-shoes").replace(":id", "1042").replace("{order_id}", "1042"),
            "method": "POST" if slug == "api" else "GET",
            "query": [["ref", "email"]] if event.variant % 3 == 0 else [],
            "fragment": None,
            "data": {"quantity": issue.slots["field"], "sku": "SKU-1042"} if slug == "api" else None,
            "headers": [
                ["Accept", "application/json"],
                ["Host", HOSTS[slug].removeprefix("https://")],
                ["User-Agent", agent],
            ],
            "cookies": [],
            "inferredContentType": "application/json" if slug == "api" else None,
            "env": {"REMOTE_ADDR": event.user.ip_address, "SERVER_NAME": "api-3"} if slug == "api" else None,
            "apiTarget": None,
        },
    }


def _entries(event: Event, issue: Issue) -> list[JSON]:
    request = _request(event, issue)
    extra = [request] if request else []
    if issue.kind == "error":
        assert issue.error is not None
        exception = {
            "type": issue.error.exc_type,
            "value": issue.metadata["value"],
            "module": None if issue.project_slug in ("web", "ios") else "builtins",
            "mechanism": {"type": issue.error.mechanism, "handled": issue.error.handled},
            "stacktrace": {
                "frames": stack_frames(issue),
                "framesOmitted": None,
                "registers": None,
                "hasSystemFrames": True,
            },
            "rawStacktrace": None,
            "threadId": None,
        }
        return [
            {"type": "exception", "data": {"values": [exception], "excOmitted": None, "hasSystemFrames": True}},
            _breadcrumbs(event, issue),
            *extra,
        ]
    if issue.kind == "csp":
        host = issue.metadata["uri"]
        return [
            {
                "type": "csp",
                "data": {
                    "blocked_uri": f"https://{host}/loader.js",
                    "document_uri": f"{HOSTS['web']}/checkout",
                    "effective_directive": "script-src",
                    "violated_directive": "script-src",
                    "original_policy": "script-src 'self' https://js.stripe.com; report-uri /csp-report",
                    "referrer": "",
                    "status_code": 200,
                    "disposition": "enforce",
                    "source_file": None,
                    "line_number": None,
                    "column_number": None,
                    "script_sample": "",
                },
            },
            *extra,
        ]
    if issue.kind == "performance":
        span_id = stable_hash("span", event.id)[:16]
        spans = [
            {
                "span_id": f"{span_id[:-1]}{n}",
                "op": issue.slots["op"],
                "description": issue.metadata["value"],
                "start_timestamp": event.timestamp.timestamp() + n * 0.021,
                "timestamp": event.timestamp.timestamp() + n * 0.021 + 0.018,
                "status": "ok",
                "trace_id": stable_hash("trace", event.id),
                "parent_span_id": span_id,
                "data": {},
            }
            for n in range(1, 6)
        ]
        return [{"type": "spans", "data": spans}, _breadcrumbs(event, issue), *extra]
    return []


def event_tags(event: Event, issue: Issue) -> list[JSON]:
    """Sorted by key, as Sentry returns them."""
    slug = issue.project_slug
    tags = {"environment": event.environment, "level": issue.level}
    if event.release:
        tags["release"] = event.release
    if issue.error is not None:
        tags |= {"handled": "yes" if issue.error.handled else "no", "mechanism": issue.error.mechanism}
    if slug == "web":
        name, version, os_name, os_version = archetypes.BROWSERS[event.variant % len(archetypes.BROWSERS)]
        tags |= {
            "browser": f"{name} {version}",
            "browser.name": name,
            "os": f"{os_name} {os_version}",
            "os.name": os_name,
            "transaction": archetypes.TRANSACTIONS["web"][event.variant % 6],
        }
    elif slug == "ios":
        model, os_version = archetypes.DEVICES[event.variant % len(archetypes.DEVICES)]
        tags |= {
            "device": model,
            "device.family": "iOS",
            "os": f"iOS {os_version}",
            "os.name": "iOS",
            "dist": _dist(event) or "1",
        }
    else:
        tags |= {
            "runtime": "CPython 3.12.8",
            "runtime.name": "CPython",
            "server_name": f"{slug}-{event.variant % 4 + 1}.acme.internal",
            "transaction": issue.culprit
            if issue.kind == "performance"
            else f"{issue.location.module}.{issue.location.function}"
            if issue.location
            else slug,
        }
    if slug != "worker":
        tags["user"] = f"id:{event.user.id}"
    return [{"key": key, "value": tags[key]} for key in sorted(tags)]


def _user(event: Event, issue: Issue) -> JSON | None:
    if issue.project_slug == "worker":
        return None
    country, city, region = event.user.geo
    return {
        "id": event.user.id,
        "email": event.user.email,
        "username": None,
        "ip_address": event.user.ip_address,
        "name": event.user.name,
        "geo": {"country_code": country, "city": city, "region": region},
        "data": None,
    }


def _contexts(event: Event, issue: Issue) -> JSON:
    slug = issue.project_slug
    trace = {
        "trace_id": stable_hash("trace", event.id),
        "span_id": stable_hash("span", event.id)[:16],
        "op": {"web": "pageload", "ios": "ui.load"}.get(
            slug, "queue.task.celery" if slug == "worker" else "http.server"
        ),
        "status": "ok",
        "type": "trace",
    }
    contexts: JSON = {"trace": trace}
    if slug == "web":
        name, version, os_name, os_version = archetypes.BROWSERS[event.variant % len(archetypes.BROWSERS)]
        contexts |= {
            "browser": {"name": name, "version": version, "type": "browser"},
            "os": {"name": os_name, "version": os_version, "type": "os"},
        }
    elif slug == "ios":
        model, os_version = archetypes.DEVICES[event.variant % len(archetypes.DEVICES)]
        version = (event.release or "@0").split("@", 1)[1]
        contexts |= {
            "device": {"family": "iOS", "model": model, "arch": "arm64e", "simulator": False, "type": "device"},
            "os": {"name": "iOS", "version": os_version, "type": "os"},
            "app": {
                "app_identifier": "com.acme.ios",
                "app_version": version.split("+")[0],
                "app_build": version.split("+")[-1],
                "type": "app",
            },
        }
    else:
        contexts["runtime"] = {"name": "CPython", "version": "3.12.8", "type": "runtime"}
    if issue.kind == "feedback":
        contexts["feedback"] = {
            "message": issue.metadata["value"],
            "contact_email": issue.metadata["contact_email"],
            "name": issue.metadata["name"],
            "url": f"{HOSTS['web']}{issue.culprit}",
            "source": "widget",
            "type": "feedback",
        }
    return contexts


def event_simple(store: Store, event: Event, issue: Issue) -> JSON:
    """A row of an events list (without `entries`)."""
    return {
        "id": event.id,
        "event.type": EVENT_TYPES[issue.kind],
        "groupID": issue.id,
        "eventID": event.id,
        "projectID": store.data.project(issue.project_slug).id,
        "message": issue.metadata["value"] if issue.kind == "feedback" else issue.title if issue.kind == "csp" else "",
        "title": issue.title,
        "location": _location(issue),
        "culprit": issue.culprit,
        "user": _user(event, issue),
        "tags": event_tags(event, issue),
        "platform": store.event_platform(issue.project_slug),
        "dateCreated": iso(event.timestamp),
        "crashFile": None,
        "metadata": issue.metadata,
    }


def _location(issue: Issue) -> str | None:
    if issue.location is not None:
        return issue.location.path
    return issue.culprit if issue.kind == "performance" else None


def _dist(event: Event) -> str | None:
    """The build number of an iOS release (`com.acme.ios@4.3.0+131` -> `131`)."""
    version = event.release or ""
    return version.rsplit("+", 1)[1] if "+" in version else None


def _occurrence(event: Event, issue: Issue, project_id: str) -> JSON | None:
    if issue.kind not in ("performance", "feedback"):
        return None
    perf = issue.kind == "performance"
    evidence = (
        [{"name": "Offending Spans", "value": issue.metadata["value"], "important": True}]
        if perf
        else [{"name": "message", "value": issue.metadata["value"], "important": True}]
    )
    return {
        "id": stable_hash("occurrence", event.id),
        "projectId": int(project_id),
        "eventId": event.id,
        "fingerprint": [stable_hash("fingerprint", issue.id)],
        "issueTitle": issue.title,
        "subtitle": issue.metadata["value"],
        "resourceId": None,
        "evidenceData": {"op": issue.slots.get("op")} if perf else {"contactEmail": issue.metadata["contact_email"]},
        "evidenceDisplay": evidence,
        "type": 1006 if perf else 6001,
        "detectionTime": event.timestamp.timestamp(),
        "level": issue.level,
        "culprit": issue.culprit,
        "assignee": None,
        "priority": 50,
    }


def event_full(store: Store, event: Event, issue: Issue) -> JSON:
    """The whole event: `GET .../events/{event_id}/` and `full=true` list rows."""
    events = store.events_of(issue)
    index = next(n for n, e in enumerate(events) if e.id == event.id)
    release = store.release(event.release) if event.release else None
    record = event_simple(store, event, issue)
    del record["event.type"]
    sdk_name, sdk_version = SDKS[issue.project_slug]
    record |= {
        "type": EVENT_TYPES[issue.kind],
        "dateReceived": iso(event.timestamp + timedelta(milliseconds=312)),
        "contexts": _contexts(event, issue),
        "size": 4000 + event.variant % 9000,
        "entries": _entries(event, issue),
        "dist": _dist(event) if issue.project_slug == "ios" else None,
        "sdk": {"name": sdk_name, "version": sdk_version},
        "context": {"session_id": stable_hash(event.id)[:12]},
        "packages": {"django": "5.1.4", "celery": "5.4.0"} if issue.project_slug in ("api", "worker") else {},
        "errors": [],
        "occurrence": _occurrence(event, issue, record["projectID"]),
        "_meta": {},
        "fingerprints": [stable_hash("fingerprint", issue.id)],
        "groupingConfig": {"id": "newstyle:2023-01-11", "enhancements": "KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ"},
        "release": release_record(store, release) if release else None,
        "userReport": None,
        "sdkUpdates": [],
        "resolvedWith": [],
        "nextEventID": events[index + 1].id if index + 1 < len(events) else None,
        "previousEventID": events[index - 1].id if index > 0 else None,
    }
    if issue.kind == "performance":
        record |= {"startTimestamp": event.timestamp.timestamp() - 1.2, "endTimestamp": event.timestamp.timestamp()}
    return record
