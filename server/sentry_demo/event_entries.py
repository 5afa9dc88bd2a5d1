"""The `entries` of a full event: the exception with a camelCase stack trace (in-app and library
frames, context lines, vars), breadcrumbs, the HTTP request, spans and the CSP report.

Every choice is seeded by the event or issue id, so the same event always renders the same way.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from . import archetypes, population
from .models import Event, Issue, iso, stable_hash
from .tables import frozen, load

JSON = dict[str, Any]

_TABLES = load("event_code")
HOSTS: dict[str, str] = _TABLES["hosts"]
LIBRARY_FRAMES: dict[str, tuple[tuple[str, str, str], ...]] = {
    slug: tuple((f["filename"], f["module"], f["function"]) for f in frames)
    for slug, frames in _TABLES["library_frames"].items()
}
"""Per platform, the library frames under the in-app ones: (filename, module, function)."""
FILLER: dict[str, tuple[str, ...]] = {slug: frozen(lines) for slug, lines in _TABLES["filler"].items()}
"""Per platform, ordinary lines of code around the failing one (context lines)."""


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


def breadcrumbs(event: Event, issue: Issue) -> JSON:
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


def request_entry(event: Event, issue: Issue) -> JSON | None:
    slug = issue.project_slug
    if slug not in HOSTS:
        return None
    browser = population.BROWSERS[event.variant % len(population.BROWSERS)]
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


def entries(event: Event, issue: Issue) -> list[JSON]:
    request = request_entry(event, issue)
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
            breadcrumbs(event, issue),
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
        return [{"type": "spans", "data": spans(event, issue)}, breadcrumbs(event, issue), *extra]
    return []


def spans(event: Event, issue: Issue) -> list[JSON]:
    """The offending spans of a performance issue's transaction (1.2 s ending at the event's time)."""
    rng = random.Random(f"spans:{event.id}")
    span_id = stable_hash("span", event.id)[:16]
    start = event.timestamp.timestamp() - 1.2
    out = []
    for n in range(1, 6):
        begin = start + 0.05 + (n - 1) * 0.2
        out.append(
            {
                "span_id": f"{span_id[:-1]}{n}",
                "op": issue.slots["op"],
                "description": issue.metadata["value"],
                "start_timestamp": round(begin, 6),
                "timestamp": round(begin + rng.uniform(0.03, 0.19), 6),
                "status": "ok",
                "trace_id": stable_hash("trace", event.id),
                "parent_span_id": span_id,
                "data": {},
            }
        )
    return out
