"""Strip outputs from notebooks before committing them.

Usage::

    .venv/bin/python scripts/strip_notebooks.py            # every notebooks/*.ipynb
    .venv/bin/python scripts/strip_notebooks.py FILE...    # these notebooks
    .venv/bin/python scripts/strip_notebooks.py --check    # list unstripped ones, exit 1

Code cells lose their outputs, execution counts and execution timings; the
notebook loses its widget state and keeps only the language name of its
language_info (not the Python version of whoever ran it last). Sources, cell ids
and the kernel spec are kept.
tests/project/test_notebooks.py fails on a notebook that still has outputs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Cell metadata written by Jupyter while running or viewing a notebook.
VOLATILE_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
VOLATILE_NOTEBOOK_METADATA = ("widgets",)


def strip(nb: nbformat.NotebookNode) -> bool:
    """Remove outputs and run-time metadata in place; True when something changed."""
    changed = False
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
        if cell.cell_type != "code":
            continue
        if cell.outputs:
            cell.outputs = []
            changed = True
        if cell.execution_count is not None:
            cell.execution_count = None
            changed = True
    for key in VOLATILE_NOTEBOOK_METADATA:
        if key in nb.metadata:
            del nb.metadata[key]
            changed = True
    language = nb.metadata.get("language_info")
    if language and set(language) != {"name"}:  # the kernel's Python version, lexers...
        nb.metadata["language_info"] = {"name": language.get("name", "python")}
        changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    """Strip (or with ``--check``, list) the notebooks given, by default notebooks/*.ipynb."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a notebook has outputs")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(NOTEBOOKS.glob("*.ipynb"))
    dirty = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if not strip(nb):
            continue
        dirty.append(path)
        if not args.check:
            nbformat.write(nb, path)
    for path in dirty:
        print(f"{'has outputs' if args.check else 'stripped'}: {path}")
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
