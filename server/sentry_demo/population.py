"""Who and what the demo's events come from: end users' names and cities, browsers and devices, and
the commit messages releases are built from. The tables are in `data/population.json`; `dataset.py`
combines them deterministically.
"""

from __future__ import annotations

from .tables import frozen, load

_TABLES = load("population")
FIRST_NAMES: tuple[str, ...] = frozen(_TABLES["first_names"])
LAST_NAMES: tuple[str, ...] = frozen(_TABLES["last_names"])
CITIES: tuple[tuple[str, str, str], ...] = tuple((c["country_code"], c["city"], c["region"]) for c in _TABLES["cities"])
BROWSERS: tuple[tuple[str, str, str, str], ...] = tuple(
    (b["name"], b["version"], b["os_name"], b["os_version"]) for b in _TABLES["browsers"]
)
"""(name, version, os name, os version)."""
DEVICES: tuple[tuple[str, str], ...] = tuple((d["model"], d["os_version"]) for d in _TABLES["devices"])
"""(model, os version)."""
COMMIT_MESSAGES: tuple[str, ...] = frozen(_TABLES["commit_messages"])
