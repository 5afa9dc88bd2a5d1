"""Layers point one way (README "Layout"): no module imports from a layer above its own.

The graph is read from the sources (``bench/import_graph.py``, which also prints it), lazy and
``TYPE_CHECKING`` imports included.
"""

from __future__ import annotations

import ast

from import_graph import LAYERS, PACKAGE, edges, layer_of, module_files, upward


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    wrong = [
        f"{e.source or '__init__'} ({LAYERS[layer_of(e.source)][0]}) imports {e.target or '__init__'} "
        f"({LAYERS[layer_of(e.target)][0]})"
        for e in upward(edges())
    ]
    assert not wrong, "upward imports:\n" + "\n".join(wrong)


def test_the_catalog_and_the_backends_import_nothing_above_them() -> None:
    """Stated on its own: the two layers the issue named, whatever the layer table says of the rest."""
    above = {"executor", "surfaces"}
    for edge in edges():
        source_layer = LAYERS[layer_of(edge.source)][0]
        if source_layer == "catalog":
            assert LAYERS[layer_of(edge.target)][0] not in above | {"backends"}, edge
        if source_layer == "backends":
            assert LAYERS[layer_of(edge.target)][0] not in above, edge
        if source_layer in ("catalog", "backends", "views", "foundation"):
            assert edge.target != "", f"{edge.source} imports the package root (read the version from _version)"


def test_the_graph_sees_every_kind_of_import() -> None:
    """The reader is what the test above stands on: a lazy import, a relative one and the package root count."""
    found = {(e.source, e.target) for e in edges()}
    assert ("mcp_server", "executor") in found  # inside a function
    assert ("catalog", "catalog.events") in found  # `from . import events`
    assert ("backends.direct", "_version") in found  # `from .._version import __version__`
    assert ("catalog.base", "views") in found and next(
        e for e in edges() if (e.source, e.target) == ("catalog.base", "views")
    ).typing_only
    modules = module_files()
    assert set(modules) >= {"", "catalog", "catalog.base", "backends.direct", "tool_spec"}
    assert all(path.is_relative_to(PACKAGE) for path in modules.values())


def test_the_foundation_uses_nothing_but_the_standard_library_and_pydantic() -> None:
    """The leaves any layer may import stay leaves: no HTTP stack, no SDK, no catalog."""
    allowed = {"pydantic", "pydantic_core", "__future__", "typing_extensions"}
    modules = module_files()
    foundation = {module: path for module, path in modules.items() if LAYERS[layer_of(module)][0] == "foundation"}
    assert "redaction" in foundation, "the layer table still names the foundation"
    for module, path in foundation.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom) and getattr(node, "level", 0) == 0:
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    top = name.split(".")[0]
                    assert top in allowed or _is_stdlib(top), f"{module} imports {name}"


def _is_stdlib(name: str) -> bool:
    import sys

    return name in sys.stdlib_module_names
