"""The precomputed tool entries: current with the catalog, used without importing it, and not needed."""

from __future__ import annotations

import json
from pathlib import Path

from sentry_agent_mcp import __version__
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_tools import ToolSurface
from sentry_agent_mcp.tool_entries import ENTRIES_FILE, entries_from_catalog, load_entries, render

from conftest import fresh_python


def test_the_packaged_entries_are_the_catalogs() -> None:
    assert ENTRIES_FILE.read_text(encoding="utf-8") == render(entries_from_catalog()), (
        "tool_entries.json is stale: run `make catalog-files`"
    )
    assert json.loads(ENTRIES_FILE.read_text(encoding="utf-8"))["version"] == __version__


def test_listing_the_tools_imports_no_catalog_and_no_pydantic_params_model() -> None:
    code = (
        "import sys\n"
        "from sentry_agent_mcp.config import Settings\n"
        "from sentry_agent_mcp.mcp_tools import ToolSurface\n"
        "surface = ToolSurface.build(Settings(backend='demo', allow_writes=True))\n"
        "assert len(surface.tools) == 45, len(surface.tools)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('sentry_agent_mcp.catalog'))\n"
        "assert not loaded, loaded\n"
    )
    fresh_python(code)


def test_without_the_file_or_with_another_versions_the_same_tools_come_from_the_catalog(tmp_path: Path) -> None:
    other = tmp_path / "tool_entries.json"
    other.write_text(json.dumps({"version": "0.0.0-other", "entries": []}), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    expected = entries_from_catalog()
    for path in (tmp_path / "missing.json", other, broken):
        assert load_entries(path) == expected
    assert load_entries() == expected  # and the packaged file gives the same


def test_every_configuration_lists_the_same_tools_from_entries_as_from_the_catalog() -> None:
    """The listing built from the file matches one built from the live catalog, configuration by configuration."""
    from sentry_agent_mcp.catalog import Served, callable_pairs
    from sentry_agent_mcp.catalog.schema import input_schema

    for settings, served in (
        (Settings(backend="demo"), Served.DIRECT),
        (Settings(backend="demo", allow_writes=True, org="acme", project="web"), Served.DIRECT),
        (Settings(backend="hosted", airbyte_client_id="i", airbyte_client_secret="s", org="acme"), Served.HOSTED),
    ):
        tools = {t.name: t for t in ToolSurface.build(settings).tools}
        for pair in callable_pairs(served, settings.allow_writes):
            schema = input_schema(pair, settings.scoping_defaults, view_options=False, hosted=served is Served.HOSTED)
            assert tools[pair.tool_name].input_schema == schema, pair.tool_name
            assert tools[pair.tool_name].description == pair.description
