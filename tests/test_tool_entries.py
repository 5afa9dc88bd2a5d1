"""The precomputed tool entries: current with the catalog, used without importing it, and never trusted when stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from import_graph import catalog_closure
from sentry_agent_mcp.catalog import CATALOG, Served, callable_pairs
from sentry_agent_mcp.config import Settings
from sentry_agent_mcp.mcp_tools import GENERIC_TOOLS, ToolSurface
from sentry_agent_mcp.startup import tool_entries
from sentry_agent_mcp.tool_entries import (
    ENTRIES_FILE,
    FINGERPRINTED,
    PACKAGE,
    entries_from_catalog,
    read_entries,
    render,
    sources_fingerprint,
    write_entries,
)

from conftest import fresh_python


def test_the_packaged_entries_are_the_catalogs() -> None:
    assert ENTRIES_FILE.read_text(encoding="utf-8") == render(entries_from_catalog()), (
        "tool_entries.json is stale: run `make catalog-files`"
    )
    assert json.loads(ENTRIES_FILE.read_text(encoding="utf-8"))["sources_fingerprint"] == sources_fingerprint()


def test_the_fingerprint_covers_every_module_the_catalog_is_built_from() -> None:
    """A module the catalog imports but the fingerprint leaves out could change a tool unseen."""
    covered = {path for name in FINGERPRINTED for path in _files(PACKAGE / name)}
    missing = sorted(str(path.relative_to(PACKAGE)) for path in catalog_closure() - covered)
    assert not missing, f"add these to tool_entries.FINGERPRINTED: {missing}"


def _files(path: Path) -> set[Path]:
    return set(path.glob("*.py")) if path.is_dir() else {path}


def test_listing_the_tools_imports_no_catalog_and_no_pydantic_params_model() -> None:
    expected = len(callable_pairs(Served.DIRECT, allow_writes=True)) + len(GENERIC_TOOLS)
    code = (
        "import sys\n"
        "from sentry_agent_mcp.config import Settings\n"
        "from sentry_agent_mcp.mcp_tools import ToolSurface\n"
        "surface = ToolSurface.build(Settings(backend='demo', allow_writes=True))\n"
        f"assert len(surface.tools) == {expected}, len(surface.tools)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('sentry_agent_mcp.catalog'))\n"
        "assert not loaded, loaded\n"
    )
    fresh_python(code)


def test_a_missing_broken_or_foreign_file_is_not_read_and_the_catalog_answers(tmp_path: Path) -> None:
    foreign = tmp_path / "tool_entries.json"
    foreign.write_text(json.dumps({"sources_fingerprint": "0" * 64, "entries": []}), encoding="utf-8")
    old_format = tmp_path / "old.json"
    old_format.write_text(json.dumps({"version": "0.1.0", "entries": []}), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    listed = tmp_path / "list.json"
    listed.write_text("[]", encoding="utf-8")
    expected = entries_from_catalog()
    for path in (tmp_path / "missing.json", foreign, old_format, broken, listed):
        assert read_entries(path) is None, path.name
        assert tool_entries(path) == expected, path.name
    assert read_entries() == expected  # and the packaged file gives the same, read from the file


def test_a_stale_file_never_hides_adds_or_changes_a_tool(tmp_path: Path) -> None:
    """The issue's story: a new pair, and a changed description, before anyone regenerates the file.

    A copy of the package whose catalog gains a pair and rewords another, beside the file made before
    the change: the server lists the new tool and the new words, not the file's.
    """
    copy = tmp_path / "sentry_agent_mcp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    write_entries(copy / "tool_entries.json")  # current for the copy, as shipped
    projects = copy / "catalog" / "projects.py"
    text = projects.read_text(encoding="utf-8").replace(
        CATALOG["projects", "get"].description, "Reworded after the file was made."
    )
    text += (
        "\nPAIRS.append(Pair(entity='projects', action='stale_probe', params=ProjectGet, kind=Kind.GET,\n"
        "                  description='Added after the file was made.', route=Route('GET', '/probe/')))\n"
    )
    projects.write_text(text, encoding="utf-8")
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import sentry_agent_mcp\n"
        f"assert sentry_agent_mcp.__file__.startswith({str(tmp_path)!r}), sentry_agent_mcp.__file__\n"
        "from sentry_agent_mcp.config import Settings\n"
        "from sentry_agent_mcp.mcp_tools import ToolSurface\n"
        "from sentry_agent_mcp.tool_entries import read_entries\n"
        "assert read_entries() is None\n"
        "tools = {t.name: t for t in ToolSurface.build(Settings(backend='demo')).tools}\n"
        "assert tools['sentry_projects_stale_probe'].description == 'Added after the file was made.'\n"
        "assert tools['sentry_projects_get'].description == 'Reworded after the file was made.'\n"
    )
    fresh_python(code)


def test_every_configuration_lists_the_same_tools_from_entries_as_from_the_catalog() -> None:
    """The listing built from the file matches one built from the live catalog, configuration by configuration."""
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
