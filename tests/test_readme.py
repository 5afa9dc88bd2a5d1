"""The README's tool table is generated from the catalog; a stale table fails here."""

from __future__ import annotations

from sentry_agent_mcp.catalog import CATALOG
from sentry_agent_mcp.catalog.docs import render_readme

from conftest import ROOT


def test_readme_tool_table_is_current() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_readme(text) == text, "README tool table is stale: run `make catalog-files`"
    for pair in CATALOG.values():
        assert f"`{pair.tool_name}`" in text
