"""The demo Sentry's data files (`server/sentry_demo/data/*.json`) keep one layout and are all in use."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import sentry_demo
from sentry_demo.tables import load

PACKAGE = Path(sentry_demo.__file__).parent
DATA_FILES = sorted(path.stem for path in (PACKAGE / "data").glob("*.json"))


def test_every_data_file_is_an_object_of_named_tables() -> None:
    assert DATA_FILES, "no data files found"
    for name in DATA_FILES:
        tables = load(name)
        assert isinstance(tables, dict) and tables, name
        assert all(re.fullmatch(r"[a-z_]+", key) for key in tables), f"{name}: table names are snake_case"


def test_every_data_file_is_loaded_by_some_module() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in PACKAGE.glob("*.py"))
    loaded = set(re.findall(r'\bload\("([a-z_]+)"\)', source))
    assert loaded == set(DATA_FILES)


def test_records_are_frozen_and_dated() -> None:
    data = sentry_demo.dataset()
    alice = data.members[0]
    assert isinstance(alice.team_slugs, tuple) and alice.date_joined.tzinfo is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        alice.name = "changed"  # type: ignore[misc]
