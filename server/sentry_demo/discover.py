"""`GET /organizations/{org}/events/` (Discover / Explore): a table over one dataset's rows (see
`discover_rows.py`) with Sentry's rules: required repeated `field`s (columns, tags, functions such as
`count()`, `count_unique(user)`, `last_seen()`, `p95(span.duration)`), `dataset`, `query` (filters,
`!`, `[a,b]`, `*` wildcards, `>`/`<` comparisons, aggregate conditions, `AND`/`OR`/parentheses,
free text), `sort` among the
fields (`-` = descending), `project`, `environment`, the time window, `per_page` and `cursor`.

With an aggregate in `field`, rows are grouped by the non-aggregate fields. Without one, each row is
one record, and `id` and `project.name` are added as Sentry's `auto_fields` does.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .dataset import REFERENCE_TIME
from .discover_rows import DATASETS, DURATIONS, Row, column_type, rows
from .handlers import get_org
from .http import ApiError, ApiRequest, ApiResponse
from .pagination import link_header, paginate, parse_cursor, parse_per_page
from .params import environments, in_window, parse_duration, parse_timestamp, project_slugs, time_window
from .search import Term, parse
from .store import Store

MAX_FIELDS = 20
FUNCTION = re.compile(r"^([a-z_0-9]+)\((.*)\)$")
PERCENTILES = {"p50": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99}
NUMERIC = {"avg", "sum", "min", "max", *PERCENTILES}
FUNCTIONS = {"count", "count_unique", "last_seen", "first_seen", "epm", "eps", *NUMERIC}
COMPARISON = re.compile(r"^(>=|<=|>|<|=)?(.+)$")
AGGREGATE_TERM = re.compile(r"^(!?)([a-z_0-9]+\([^)]*\)):(.+)$")


@dataclass(frozen=True)
class Field:
    name: str
    function: str | None = None
    argument: str | None = None

    @property
    def meta(self) -> tuple[str, str | None]:
        """(type, unit) as Sentry reports them in `meta.fields` / `meta.units`."""
        if self.function is None:
            kind = column_type(self.name)
            return kind, "millisecond" if kind == "duration" else None
        if self.function in ("count", "count_unique"):
            return "integer", None
        if self.function in ("last_seen", "first_seen"):
            return "date", None
        if self.function in ("epm", "eps"):
            return "rate", "1/minute" if self.function == "epm" else "1/second"
        if self.argument in DURATIONS:
            return "duration", "millisecond"
        return "number", None


def parse_field(name: str) -> Field:
    match = FUNCTION.match(name.strip())
    if not match:
        return Field(name)
    function, argument = match[1], match[2].strip() or None
    if function not in FUNCTIONS:
        raise ApiError(400, f"{function} is not a valid function")
    if function in NUMERIC and argument not in DURATIONS:
        raise ApiError(400, f"{name}: {argument} is not a numeric column")
    if function == "count_unique" and argument is None:
        raise ApiError(400, f"{name}: expected 1 argument(s) but got 0 argument(s)")
    return Field(name, function, argument)


def aggregate(field: Field, group: list[Row], minutes: float) -> Any:
    weight = sum(r["_weight"] for r in group)
    if field.function == "count":
        return weight
    if field.function in ("epm", "eps"):
        per_minute = weight / max(minutes, 1.0)
        return round(per_minute if field.function == "epm" else per_minute / 60, 6)
    if field.function in ("last_seen", "first_seen"):
        stamps = [r["timestamp"] for r in group]
        return (max if field.function == "last_seen" else min)(stamps)
    assert field.argument is not None
    if field.function == "count_unique":
        distinct = {r.get(field.argument) for r in group} - {None}
        if field.argument == "user":
            return max(len(distinct), round(sum(r["_users"] for r in group)))
        return len(distinct)
    values = sorted(v for r in group if isinstance(v := r.get(field.argument), int | float))
    if not values:
        return None
    if field.function in PERCENTILES:
        return values[min(len(values) - 1, int(PERCENTILES[field.function] * len(values)))]
    functions: dict[str, Callable[[list[float]], float]] = {
        "avg": lambda v: sum(v) / len(v),
        "sum": sum,
        "min": min,
        "max": max,
    }
    return round(functions[str(field.function)](values), 3)


def _number(text: str) -> float:
    """`1500`, `1.5s`, `300ms`, `2m`: durations compare in milliseconds."""
    match = re.fullmatch(r"(-?[\d.]+)(ms|s|m|h)?", text)
    if not match:
        raise ApiError(400, f"Invalid number: {text}")
    scale = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, None: 1}[match[2]]
    return float(match[1]) * scale


def _compare(actual: Any, raw: str, key: str) -> bool:
    match = COMPARISON.match(raw)
    assert match is not None
    op, expected = match[1] or "=", match[2]
    if actual is None:
        return False
    if isinstance(actual, datetime):
        relative = expected.startswith(("-", "+"))
        if relative and op == "=":
            op = ">=" if expected.startswith("-") else "<="
        target: Any = _relative(expected) if relative else parse_timestamp(expected)
    elif isinstance(actual, int | float) and not isinstance(actual, bool):
        target = _number(expected)
    else:
        if op != "=":
            raise ApiError(400, f"Invalid search query: {key} does not support {op}")
        text = str(actual).upper() if key == "issue" else str(actual)
        pattern = expected.upper() if key == "issue" else expected
        return fnmatch.fnmatchcase(text, pattern) if "*" in pattern else text == pattern
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
    }
    return checks[op](actual, target)


def _relative(text: str) -> datetime:
    """`-24h` means "within the last 24 hours" in Sentry's date filters."""
    return REFERENCE_TIME - parse_duration(text.lstrip("+-"))


def _matches(row: Row, term: Term) -> bool:
    if term.key == "has":
        hit = any(row.get(v) not in (None, "") for v in term.values)
    elif term.key == "issue" and all(v.isdigit() for v in term.values):
        hit = str(row.get("issue.id")) in term.values
    else:
        hit = any(_compare(row.get(term.key), value, term.key) for value in term.values)
    return hit != term.negated


def _tokens(query: str) -> list[str]:
    """Split on whitespace outside quotes and brackets; a `(` opening a word and a `)` closing one are
    group parentheses, those of a function such as `count()` stay in their token."""
    tokens: list[str] = []
    word, quoted, bracket = "", False, False
    for ch in query:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "[]":
            bracket = ch == "["
        if (
            quoted
            or bracket
            or ch not in " ()"
            or (ch == "(" and word and word[-1] not in ":!")
            or (ch == ")" and "(" in word and word.count("(") > word.count(")"))
        ):
            word += ch
        else:
            tokens += [word] if word else []
            tokens += [ch] if ch != " " else []
            word = ""
    return tokens + ([word] if word else [])


def _alternatives(query: str) -> list[tuple[list[Term], str]]:
    """The query as OR-ed alternatives of AND-ed terms (`AND`, `OR` and parentheses, as Sentry's search)."""
    tokens = _tokens(query)
    position = 0

    def expression() -> list[list[str]]:
        nonlocal position
        result = conjunction()
        while position < len(tokens) and tokens[position] == "OR":
            position += 1
            result = result + conjunction()
        return result

    def conjunction() -> list[list[str]]:
        nonlocal position
        result: list[list[str]] = [[]]
        while position < len(tokens) and tokens[position] not in ("OR", ")"):
            token = tokens[position]
            position += 1
            if token == "AND":
                continue
            if token == "(":
                part = expression()
                if position >= len(tokens) or tokens[position] != ")":
                    raise ApiError(400, "Parse error: missing closing parenthesis")
                position += 1
            else:
                part = [[token]]
            result = [left + right for left in result for right in part]
        return result

    alternatives = expression()
    if position < len(tokens):
        raise ApiError(400, "Parse error: unbalanced parentheses")
    out = []
    for words in alternatives:
        functions = [m for w in words if (m := AGGREGATE_TERM.match(w))]
        terms, text = parse(" ".join(w for w in words if not AGGREGATE_TERM.match(w)))
        out.append(([Term(m[2], (m[3],), bool(m[1])) for m in functions] + terms, text))
    return out


def _row_matches(row: Row, alternatives: list[tuple[list[Term], str]], aggregates: set[str]) -> bool:
    for terms, text in alternatives:
        needle = text.lower()
        if (
            needle
            and needle not in str(row.get("_title", "")).lower()
            and needle not in str(row.get("message", "")).lower()
        ):
            continue
        if all(_matches(row, t) for t in terms if t.key not in aggregates):
            return True
    return False


def _sort(items: list[dict[str, Any]], sorts: Iterable[str]) -> list[dict[str, Any]]:
    """Stable multi-key sort; missing values go last either way."""
    for sort in reversed(list(sorts)):
        key, descending = sort.lstrip("-"), sort.startswith("-")
        present = [i for i in items if i.get(key) is not None]
        missing = [i for i in items if i.get(key) is None]
        items = sorted(present, key=lambda i: i[key], reverse=descending) + missing
    return items


def _render(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def query_events(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    names = [f for f in request.getlist("field") if f.strip()]
    if not names:
        raise ApiError(400, "No columns selected")
    if len(names) > MAX_FIELDS:
        raise ApiError(400, f"You can view up to {MAX_FIELDS} fields at a time. Please delete some and try again.")
    dataset = request.get("dataset") or "discover"
    if dataset not in DATASETS:
        raise ApiError(400, f"dataset must be one of: {', '.join(DATASETS)}")
    fields = [parse_field(n) for n in dict.fromkeys(names)]
    aggregated = any(f.function for f in fields)
    if not aggregated:
        fields += [Field(extra) for extra in ("id", "project.name") if extra not in names]
    sorts = request.getlist("sort")
    for sort in sorts:
        if sort.lstrip("-") not in names:
            raise ApiError(400, "Cannot sort by a field that is not selected.")
    slugs = project_slugs(store, request, slugs_ok=True)
    wanted = environments(request)
    start, end = time_window(request)
    assert start is not None and end is not None
    minutes = (end - start).total_seconds() / 60
    alternatives = _alternatives(request.get("query") or "")
    conditions = [(t, parse_field(t.key)) for terms, _ in alternatives for t in terms if FUNCTION.match(t.key)]
    found = [
        r
        for r in rows(store, dataset)
        if in_window(r["timestamp"], start, end)
        and (slugs is None or r["project"] in slugs)
        and (not wanted or r.get("environment") in wanted)
        and _row_matches(r, alternatives, {t.key for t, _ in conditions})
    ]
    found.sort(key=lambda r: r["timestamp"], reverse=True)
    if aggregated:
        plain = [f for f in fields if not f.function]
        groups: dict[tuple[Any, ...], list[Row]] = {}
        for r in found:
            groups.setdefault(tuple(r.get(f.name) for f in plain), []).append(r)
        table = []
        for key, group in groups.items():
            if all(_compare(aggregate(f, group, minutes), t.values[0], t.key) != t.negated for t, f in conditions):
                table.append(
                    {f.name: v for f, v in zip(plain, key, strict=True)}
                    | {f.name: aggregate(f, group, minutes) for f in fields if f.function}
                )
        default = next(f.name for f in fields if f.function)
        table = _sort(table, sorts or [f"-{default}"])
    else:
        table = _sort([{f.name: r.get(f.name) for f in fields} for r in found], sorts)
    page = paginate(table, parse_cursor(request.get("cursor")), parse_per_page(request))
    body = {
        "data": [{k: _render(v) for k, v in item.items()} for item in page.items],
        "meta": {
            "fields": {f.name: f.meta[0] for f in fields},
            "units": {f.name: f.meta[1] for f in fields},
            "isMetricsData": False,
            "isMetricsExtractedData": False,
            "tips": {},
            "datasetReason": "unchanged",
            "dataset": dataset,
        },
    }
    return ApiResponse(200, body, [("Link", link_header(store.base_url, request.raw_path, request.query, page))])
