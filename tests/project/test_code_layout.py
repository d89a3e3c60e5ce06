"""The code stays in small pieces: no module over 500 lines, no function over 80.

Every Python file of ``atlas/`` and ``app_pages/`` (and ``app.py``) is parsed with
:mod:`ast`; a function's length runs from its ``def`` line (decorators excluded) to
its last line, nested functions counted with the function that holds them and also
on their own. No module of ``atlas`` imports, at module level, a module that imports it
back: the only way round is an import inside a function (the ``Atlas`` convenience
methods that draw maps and sheets), which this check leaves out on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def python_files() -> list[Path]:
    files = sorted((ROOT / "atlas").rglob("*.py")) + sorted((ROOT / "app_pages").rglob("*.py"))
    return [*files, ROOT / "app.py"]


def offences(path: Path) -> set[str]:
    """``"module"`` when the file is too long, plus the name of every long function."""
    text = path.read_text(encoding="utf-8")
    found = {"module"} if len(text.splitlines()) > MAX_MODULE_LINES else set()
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.add(f"{node.name}:{node.lineno}")
    return found


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


FILES = python_files()


@pytest.mark.parametrize("path", FILES, ids=[relative(p) for p in FILES])
def test_modules_and_functions_are_small(path):
    found = offences(path)
    assert not found, (
        f"{relative(path)}: over {MAX_MODULE_LINES} lines or functions over "
        f"{MAX_FUNCTION_LINES} lines: {sorted(found)}")


def module_imports(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports at module level.

    Imports under ``if TYPE_CHECKING:`` and inside functions are not followed: they do
    not run when the module is loaded. ``from . import name`` counts as importing the
    submodule ``name`` when there is one, else the package.
    """
    root = package.parent
    names = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        found: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = (here[:len(here) - node.level + 1] if node.level else [])
                target = ".".join(base + (node.module.split(".") if node.module else []))
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in names else target)
        graph[name] = {other for other in found if other in names and other != name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import one another in a ring (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while group[-1:] != [node]:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_module_imports_one_that_imports_it_back():
    assert import_cycles(module_imports(ROOT / "atlas")) == []


def test_the_cycle_finder_sees_a_ring(tmp_path):
    package = tmp_path / "ring"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("from .c import thing\n")
    (package / "c.py").write_text("from ring.a import x\nthing = 1\n")
    (package / "d.py").write_text("from . import a\n")
    assert import_cycles(module_imports(package)) == [["ring.a", "ring.b", "ring.c"]]


def test_the_counter_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    sample = tmp_path / "sample.py"
    sample.write_text(f"def long():\n{body}\n\n\ndef short():\n    return 1\n",
                      encoding="utf-8")
    assert offences(sample) == {"long:1"}
    sample.write_text("x = 1\n" * (MAX_MODULE_LINES + 1), encoding="utf-8")
    assert offences(sample) == {"module"}


# -- import cycles -------------------------------------------------------------------------
#: Packages whose modules must not import each other in a circle (imports inside
#: functions count; ``if TYPE_CHECKING:`` blocks do not). The one cycle the design
#: allows, ``Atlas.map``/``sheet``/``book`` calling the renderers that take an Atlas,
#: starts in ``atlas.atlas``, which is left out of the graph.
ACYCLIC = ("atlas.render", "atlas.snapshot", "atlas.diagnostics.programmes")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imported(path: Path, known: set[str]) -> set[str]:
    """Modules of ``known`` that a file imports (directly named or as ``from x import m``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", 0) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(node.level - 1, 0)):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else \
                (base if node.level else node.module or "")
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return {name for name in found if name in known}


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph (its modules in order), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_renderers_import_each_other_without_cycles():
    paths = {module_name(p): p for p in (ROOT / "atlas").rglob("*.py")}
    nodes = {name for name in paths if name.startswith(ACYCLIC)}
    graph = {name: imported(paths[name], nodes) - {name} for name in nodes}
    assert cycle_in(graph) is None


def test_the_cycle_finder_finds_a_cycle():
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) is None
