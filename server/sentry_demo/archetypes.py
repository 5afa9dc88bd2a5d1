"""Archetypes the demo data is drawn from: per platform, the errors, performance problems and
feedback a real app of that kind sends to Sentry, with the code locations they happen in.

The tables are in `data/archetypes.json`; `dataset.py` combines them deterministically into varied
but believable issues.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tables import frozen, load, records


@dataclass(frozen=True)
class ErrorKind:
    """An exception archetype; `value` and `code` are `str.format` templates over `SLOTS`."""

    exc_type: str
    value: str
    code: str
    level: str = "error"
    handled: bool = False
    mechanism: str = "onerror"


@dataclass(frozen=True)
class PerfKind:
    """A performance issue archetype (issue platform type, title, offending span)."""

    issue_type: str
    title: str
    evidence: str
    op: str


@dataclass(frozen=True)
class Location:
    """An in-app code location: file path, module, function; `culprit` is what Sentry shows."""

    path: str
    module: str
    function: str


_TABLES = load("archetypes")
SLOTS: dict[str, tuple[str, ...]] = {key: frozen(values) for key, values in _TABLES["slots"].items()}
"""Values the `{slot}` placeholders of the templates below are filled with."""
ERRORS: dict[str, tuple[ErrorKind, ...]] = {slug: records(ErrorKind, rows) for slug, rows in _TABLES["errors"].items()}
LOCATIONS: dict[str, tuple[Location, ...]] = {
    slug: records(Location, rows) for slug, rows in _TABLES["locations"].items()
}
PERFORMANCE: dict[str, tuple[PerfKind, ...]] = {
    slug: records(PerfKind, rows) for slug, rows in _TABLES["performance"].items()
}
TRANSACTIONS: dict[str, tuple[str, ...]] = {slug: frozen(names) for slug, names in _TABLES["transactions"].items()}
FEEDBACK: tuple[str, ...] = frozen(_TABLES["feedback"])
CSP_HOSTS: tuple[str, ...] = frozen(_TABLES["csp_hosts"])
