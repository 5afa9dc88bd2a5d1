"""Sentry's issue search syntax over the demo issues: `is:`, `level:`, `issue.category:`,
`assigned:`, `release:`, `environment:`, `timesSeen:>N`, `age:-24h`, tag filters (`browser.name:Chrome`),
`!` negation, `[a,b]` lists, quoted values and free text (one substring over title and culprit,
as Sentry joins free-text words into a single message filter). Also the issue-list sort orders.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .dataset import REFERENCE_TIME
from .event_records import event_tags
from .issue_records import issue_category, issue_type
from .models import Issue
from .store import Store

IS_VALUES = (
    "archived",
    "assigned",
    "escalating",
    "for_review",
    "ignored",
    "linked",
    "muted",
    "new",
    "ongoing",
    "regressed",
    "resolved",
    "unassigned",
    "unlinked",
    "unresolved",
)
SORTS = ("date", "new", "freq", "user", "trends", "inbox", "recommended", "priority")
_TOKEN = re.compile(r'(!?)([A-Za-z_][\w.\-]*):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\S*)|"((?:[^"\\]|\\.)*)"|(\S+)')
_DURATION = re.compile(r"^([+-])(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PRIORITY_RANK = {"high": 3, "medium": 2, "low": 1}


class SearchError(ValueError):
    """An invalid query; the route answers 400 with this text as `detail`."""


@dataclass(frozen=True)
class Term:
    key: str
    values: tuple[str, ...]
    negated: bool


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('\\"', '"')
    return text


def parse(query: str) -> tuple[list[Term], str]:
    """Split a query into filter terms and the free text."""
    terms: list[Term] = []
    words: list[str] = []
    for match in _TOKEN.finditer(query):
        negated, key, raw, quoted, word = match.groups()
        if key is None:
            words.append(quoted if quoted is not None else word)
            continue
        if raw.startswith("[") and raw.endswith("]"):
            values = tuple(_unquote(v.strip()) for v in raw[1:-1].split(",") if v.strip())
        else:
            values = (_unquote(raw),)
        if key == "is" and (not values or any(v not in IS_VALUES for v in values)):
            raise SearchError(f'Invalid value for "is" search, valid values are {list(IS_VALUES)}')
        terms.append(Term(key, values, bool(negated)))
    return terms, " ".join(words).strip()


def _is(store: Store, issue: Issue, value: str) -> bool:
    state = store.state[issue.id]
    if value in ("resolved", "unresolved"):
        return state.status == value
    if value in ("ignored", "archived", "muted"):
        return state.status == "ignored"
    if value in ("assigned", "unassigned"):
        return (state.assignee is not None) == (value == "assigned")
    if value == "for_review":
        return state.inbox and state.status == "unresolved"
    if value in ("linked", "unlinked"):
        return value == "unlinked"
    return state.status == "unresolved" and state.substatus == value


def _assigned(store: Store, issue: Issue, value: str) -> bool:
    assignee = store.state[issue.id].assignee
    if value in ("none", ""):
        return assignee is None
    if value == "me":
        return assignee == f"user:{store.owner.id}"
    if value in ("my_teams", "#my_teams"):
        return assignee in {f"team:{t.id}" for t in store.data.teams if t.slug in store.owner.team_slugs}
    if value.startswith("#"):
        return any(assignee == f"team:{t.id}" for t in store.data.teams if t.slug == value[1:])
    member = store.member_by_actor(value)
    return member is not None and assignee == f"user:{member.id}"


def _time_check(value: str, key: str) -> Callable[[datetime], bool]:
    match = _DURATION.match(value)
    if match:
        sign, amount, unit = match.groups()
        cutoff = REFERENCE_TIME - timedelta(**{_UNITS[unit]: int(amount)})
        return (lambda t: t >= cutoff) if sign == "-" else (lambda t: t <= cutoff)
    op = re.match(r"^(>=|<=|>|<)?(.+)$", value)
    try:
        when = datetime.fromisoformat(op[2]) if op else None
    except ValueError:
        when = None
    if op is None or when is None:
        raise SearchError(
            f'Invalid date for "{key}": "{value}". Expected +/-duration (i.e. +1h) '
            "or ISO 8601-like (i.e. 2026-01-01T00:00:00)"
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=REFERENCE_TIME.tzinfo)
    checks: dict[str, Callable[[datetime], bool]] = {
        ">": lambda t: t > when,
        ">=": lambda t: t >= when,
        "<": lambda t: t < when,
        "<=": lambda t: t <= when,
    }
    return checks.get(op[1] or "", lambda t: t.date() == when.date())


def _count_check(value: str) -> Callable[[int], bool]:
    match = re.match(r"^(>=|<=|>|<)?(\d+)$", value)
    if not match:
        raise SearchError(f'Invalid number for "timesSeen": "{value}"')
    number = int(match[2])
    checks: dict[str, Callable[[int], bool]] = {
        ">": lambda n: n > number,
        ">=": lambda n: n >= number,
        "<": lambda n: n < number,
        "<=": lambda n: n <= number,
        "": lambda n: n == number,
    }
    return checks[match[1] or ""]


def _term_matches(store: Store, issue: Issue, term: Term) -> bool:
    key = term.key
    for value in term.values:
        if key == "is":
            hit = _is(store, issue, value)
        elif key == "level":
            hit = issue.level == value.lower()
        elif key == "issue.category":
            hit = issue_category(issue) == value.lower()
        elif key == "issue.type":
            hit = issue_type(issue) == value.lower()
        elif key in ("issue.priority", "priority"):
            hit = store.state[issue.id].priority == value.lower()
        elif key in ("assigned", "assigned_or_suggested"):
            hit = _assigned(store, issue, value)
        elif key == "bookmarks":
            hit = store.state[issue.id].is_bookmarked and value in ("me", store.owner.email)
        elif key == "project":
            hit = issue.project_slug == value
        elif key in ("firstSeen", "age"):
            hit = _time_check(value, key)(issue.first_seen)
        elif key == "lastSeen":
            hit = _time_check(value, key)(issue.last_seen)
        elif key == "timesSeen":
            hit = _count_check(value)(issue.count)
        elif key in ("release", "environment"):
            hit = any(getattr(e, key) == value for e in store.events_of(issue))
        elif key == "has":
            hit = any(t["key"] == value for e in store.events_of(issue) for t in event_tags(e, issue))
        else:  # any other key is a tag filter, as in Sentry
            hit = any(
                t["key"] == key and t["value"] == value for e in store.events_of(issue) for t in event_tags(e, issue)
            )
        if hit:
            return not term.negated
    return term.negated


def matching(store: Store, issues: list[Issue] | tuple[Issue, ...], query: str) -> list[Issue]:
    """The issues a query selects (raises `SearchError` for an invalid query)."""
    terms, text = parse(query)
    needle = text.lower()
    found = []
    for issue in issues:
        if needle and needle not in issue.title.lower() and needle not in issue.culprit.lower():
            continue
        if all(_term_matches(store, issue, term) for term in terms):
            found.append(issue)
    return found


def sort_issues(store: Store, issues: list[Issue], sort: str) -> list[Issue]:
    """Newest/biggest first, ties by id so pages are stable."""
    if sort not in SORTS:
        raise SearchError(f"Invalid sort: {sort!r}. Valid choices are {list(SORTS)}")
    keys: dict[str, Callable[[Issue], tuple[object, ...]]] = {
        "date": lambda i: (i.last_seen,),
        "new": lambda i: (i.first_seen,),
        "freq": lambda i: (i.count,),
        "trends": lambda i: (i.count,),
        "user": lambda i: (i.user_count,),
        "inbox": lambda i: (store.state[i.id].inbox, i.first_seen),
        "recommended": lambda i: (_PRIORITY_RANK.get(store.state[i.id].priority or "", 0), i.last_seen),
        "priority": lambda i: (_PRIORITY_RANK.get(store.state[i.id].priority or "", 0), i.last_seen),
    }
    key = keys[sort]
    return sorted(issues, key=lambda i: (*key(i), int(i.id)), reverse=True)
