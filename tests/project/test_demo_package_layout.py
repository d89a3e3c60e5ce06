"""The demo generator stays a package of small modules (issue #15): no module over 500
lines, no function over 80, and no import cycle between its modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import atlas.demo

PACKAGE = Path(atlas.demo.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def module_name(path: Path) -> str:
    return "atlas.demo" if path.stem == "__init__" else f"atlas.demo.{path.stem}"


def sibling_imports(path: Path) -> set[str]:
    """Modules of atlas.demo that ``path`` imports when it is first imported."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(f"atlas.demo.{node.module}" if node.module else "atlas.demo")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("atlas.demo"):
            found.add(node.module)
    return found


def test_the_package_holds_the_generator_writer_and_sized_atlases():
    names = {path.stem for path in MODULES}
    assert {"__init__", "geography", "names", "water", "schools", "environment",
            "programmes", "writing", "sized", "state"} <= names


def test_no_module_is_over_500_lines():
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines())
               for path in MODULES}
    assert max(lengths.values()) <= 500, lengths


def test_no_function_is_over_80_lines():
    lengths = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lengths[f"{path.name}:{node.name}"] = node.end_lineno - node.lineno + 1
    longest = max(lengths, key=lengths.get)
    assert lengths[longest] <= 80, (longest, lengths[longest])


def test_no_part_imports_the_package_itself():
    # The package's __init__ imports its parts; a part importing it back is a cycle.
    offenders = {module_name(p) for p in MODULES
                 if p.stem != "__init__" and "atlas.demo" in sibling_imports(p)}
    assert offenders == set()


@pytest.mark.slow
def test_the_modules_import_each_other_without_a_cycle():
    graph = {module_name(p): sibling_imports(p) for p in MODULES}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            visit(target, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
    assert "atlas.demo.state" in graph["atlas.demo.schools"]
