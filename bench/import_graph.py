"""The product package's import graph, layer by layer: which module imports which, and that they point one way.

    .venv/bin/python bench/import_graph.py           # layers, their modules, and what each imports
    .venv/bin/python bench/import_graph.py --dot     # the same graph for Graphviz (| dot -Tsvg > graph.svg)

Read from the sources with ``ast`` (nothing is imported): every ``import`` of a package module counts,
at the top of a file, inside a function (the lazy ones) or under ``TYPE_CHECKING``. Layers, bottom up:

    foundation   the version, settings, errors, redaction, host parsing, tool names and schema finishing
    views        the compact shapes of results
    catalog      the pairs: params models, routes, descriptions
    backends     HTTP to Sentry and the Airbyte API; they read the catalog's routes
    executor     the one execution path (its paging, and the pins of pinned endpoints)
    surfaces     MCP server, CLI, Python API, HTTP transports, startup: everything a user touches

A module may import its own layer and the layers below, never one above (``tests/test_layers.py``).
A new top-level module is a surface until it is placed lower here.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_NAME = "sentry_agent_mcp"
PACKAGE = ROOT / "server" / PACKAGE_NAME
DEMO = ROOT / "server" / "sentry_demo"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("_version", "tool_spec", "errors", "redaction", "config", "per_user_config", "hosts", "models")),
    ("views", ("views",)),
    ("catalog", ("catalog",)),
    ("backends", ("backends",)),
    ("executor", ("executor", "paging", "pinning", "writes")),
    ("surfaces", ("",)),  # everything else
)
"""Each layer and the module names (relative to the package; a name covers its submodules) it holds."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    typing_only: bool
    """Under ``if TYPE_CHECKING:``: never executed, but still a dependency."""


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Each module's dotted name relative to the package (``""`` for its ``__init__``) and its file."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def layer_of(module: str) -> int:
    """The index in ``LAYERS`` of the layer holding ``module``."""
    for index, (_, names) in enumerate(LAYERS):
        if any(name == "" or module == name or module.startswith(name + ".") for name in names):
            return index
    raise AssertionError("the last layer takes every module")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, typing_only: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, typing_only
        elif isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), True)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), typing_only)
        else:
            yield from _imports(node, typing_only)


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> Iterator[str]:
    """The package modules one import statement reaches."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == PACKAGE_NAME or alias.name.startswith(PACKAGE_NAME + "."):
                yield alias.name.removeprefix(PACKAGE_NAME).lstrip(".")
        return
    if node.level == 0:
        if node.module is None or not (node.module == PACKAGE_NAME or node.module.startswith(PACKAGE_NAME + ".")):
            return
        base = node.module.removeprefix(PACKAGE_NAME).lstrip(".")
    else:
        parts = module.split(".") if module else []
        anchor = parts if is_package else parts[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    for alias in node.names:  # `from . import events` imports a submodule; `from .x import name` the module x
        sub = f"{base}.{alias.name}" if base else alias.name
        yield sub if sub in known else base


def edges(package: Path = PACKAGE) -> list[Edge]:
    """Every import of a package module by a package module (each pair once; a runtime import wins)."""
    files = module_files(package)
    known = set(files)
    found: dict[tuple[str, str], bool] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, typing_only in _imports(tree):
            for target in _targets(module, path.name == "__init__.py", node, known):
                if target != module:
                    key = (module, target)
                    found[key] = found.get(key, True) and typing_only
    return [Edge(source, target, typing_only) for (source, target), typing_only in sorted(found.items())]


def upward(all_edges: list[Edge]) -> list[Edge]:
    """The imports that point up: a module importing from a layer above its own."""
    return [e for e in all_edges if layer_of(e.target) > layer_of(e.source)]


def catalog_closure(package: Path = PACKAGE) -> set[Path]:
    """The files of every module the catalog runs when imported: the catalog's own, and what they import."""
    files = module_files(package)
    runtime: dict[str, set[str]] = {}
    for edge in edges(package):
        if not edge.typing_only:
            runtime.setdefault(edge.source, set()).add(edge.target)
    todo = [m for m in files if m == "catalog" or m.startswith("catalog.")]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(runtime.get(module, ()))
        if "." in module:  # importing a submodule runs its packages' __init__ first
            todo.append(module.rpartition(".")[0])
    seen.discard("")  # reached only if something imports the package root; the test of layers forbids that here
    return {files[m] for m in seen}


def lines_of(directory: Path) -> int:
    return sum(len(path.read_text(encoding="utf-8").splitlines()) for path in directory.rglob("*.py"))


def _label(module: str) -> str:
    return module or "__init__"


def print_layers(all_edges: list[Edge]) -> None:
    modules = sorted(module_files())
    for index in reversed(range(len(LAYERS))):
        name = LAYERS[index][0]
        members = [m for m in modules if layer_of(m) == index]
        print(f"{index} {name} ({len(members)} modules)")
        for module in members:
            targets = [e for e in all_edges if e.source == module]
            text = ", ".join(
                f"{_label(e.target)}{'*' if e.typing_only else ''}" for e in targets if layer_of(e.target) != index
            )
            inside = [_label(e.target) for e in targets if layer_of(e.target) == index]
            own = f"  (own layer: {', '.join(inside)})" if inside else ""
            print(f"    {_label(module):28} -> {text or '-'}{own}")
    print("\n* under TYPE_CHECKING only. Lines of the product package:", lines_of(PACKAGE), end="")
    print(f"; of the demo Sentry beside it: {lines_of(DEMO)}" if DEMO.is_dir() else "")
    wrong = upward(all_edges)
    print(f"Upward imports: {len(wrong)}")
    for edge in wrong:
        print(f"    {_label(edge.source)} ({LAYERS[layer_of(edge.source)][0]}) -> {_label(edge.target)}")


def print_dot(all_edges: list[Edge]) -> None:
    print("digraph sentry_agent_mcp {\n  rankdir=BT; node [shape=box, fontsize=10];")
    for index, (name, _) in enumerate(LAYERS):
        members = " ".join(f'"{_label(m)}";' for m in sorted(module_files()) if layer_of(m) == index)
        print(f'  subgraph cluster_{index} {{ label="{name}"; {members} }}')
    for edge in all_edges:
        style = " [style=dashed]" if edge.typing_only else ""
        print(f'  "{_label(edge.source)}" -> "{_label(edge.target)}"{style};')
    print("}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="Graphviz instead of text")
    args = parser.parse_args()
    all_edges = edges()
    (print_dot if args.dot else print_layers)(all_edges)


if __name__ == "__main__":
    main()
