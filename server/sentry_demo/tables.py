"""The demo's data files, `data/<name>.json`: what the demo world contains (people, projects, releases,
the errors its apps throw, alert rules, monitors, ...), kept apart from the code that turns it into
Sentry's responses.

Every file has one layout: a JSON object of named tables; a table is a list of rows (or a mapping of
them), and a row's keys are the field names of the record it becomes. Each file is read once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from importlib import resources
from typing import Any, TypeVar

T = TypeVar("T")


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The tables of `data/<name>.json` (parsed once per process; callers must not mutate them)."""
    text = resources.files(__package__).joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    tables: dict[str, Any] = json.loads(text)
    return tables


def frozen(value: Any) -> Any:
    """JSON lists as tuples, all the way down (records are frozen and hashable)."""
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    return value


def record(make: Callable[..., T], row: Mapping[str, Any]) -> T:
    """One row as a record: lists become tuples and `date_*` fields datetimes (ISO-8601 in the files)."""
    return make(
        **{
            key: datetime.fromisoformat(value) if key.startswith("date_") else frozen(value)
            for key, value in row.items()
        }
    )


def records(make: Callable[..., T], rows: list[Mapping[str, Any]]) -> tuple[T, ...]:
    return tuple(record(make, row) for row in rows)
