"""The analyst notebooks run top to bottom against a fresh copy of the demo atlas.

Each notebook reads its atlas from ``ATLAS_URL``; here that is a private copy of the
session's demo atlas (with its population raster), so a notebook that writes (03)
never touches anything else. The kernel is started from the interpreter running the
tests (a kernel spec written to a temporary folder, never to the user's home), with
the notebooks folder as working directory and a timeout per cell. A failing cell
fails the test with its source and error. The stored notebooks must have no outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellControlSignal, DeadKernelError

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = (
    "01_decouvrir_atlas.ipynb",
    "02_diagnostic_eau_commune.ipynb",
    "03_importer_enquete_kobo.ipynb",
    "04_creer_son_indicateur.ipynb",
)
#: Seconds a single cell may take (the slowest, a PDF sheet, takes a few seconds).
CELL_TIMEOUT = 120
KERNEL_NAME = "atlas-tests-python"
#: How every notebook picks its atlas (the test points ATLAS_URL at a copy).
ATLAS_LINE = 'os.environ.get("ATLAS_URL", "../data/demo.gpkg")'
#: Appended to each run: the kernel reports the interpreter it runs on.
PROBE = "import sys as _sys\nprint('kernel-prefix=' + _sys.prefix)"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def stored_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="session")
def kernel_spec_manager(tmp_path_factory) -> KernelSpecManager:
    """A kernel spec that starts ipykernel with this very interpreter (the venv's)."""
    root = tmp_path_factory.mktemp("kernels")
    folder = root / KERNEL_NAME
    folder.mkdir()
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python (atlas tests)", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(root)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_demo(demo_atlas_path: Path, folder: Path) -> Path:
    """A private copy of the demo atlas and its population raster."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "demo.gpkg"
    shutil.copy(demo_atlas_path, target)
    shutil.copy(demo_atlas_path.with_name("demo_population.tif"),
                folder / "demo_population.tif")
    return target


def failure_text(name: str, index: int | None, cell: nbformat.NotebookNode | None,
                 error: Exception) -> str:
    """Which cell failed, its source and its error, readable in pytest's output."""
    outputs = cell.get("outputs", []) if cell is not None else []
    raised = [o for o in outputs if o.get("output_type") == "error"]
    if isinstance(error, TimeoutError):  # nbclient interrupted the kernel
        detail = f"timed out after {CELL_TIMEOUT} s ({type(error).__name__}: {error})"
    elif raised:  # the traceback as the kernel printed it
        detail = "\n".join(raised[-1].get("traceback", [])) or \
            f"{raised[-1].get('ename')}: {raised[-1].get('evalue')}"
    else:  # a timeout or a dead kernel
        detail = f"{type(error).__name__}: {error}"
    where = "?" if index is None else str(index + 1)
    source = cell.source if cell is not None else "?"
    return (f"{name}: cell {where} failed\n"
            f"---- cell source ----\n{source}\n"
            f"---- error ----\n{ANSI.sub('', detail)}")


def run_notebook(path: Path, atlas_url: Path, manager: KernelSpecManager
                 ) -> nbformat.NotebookNode:
    """Execute a notebook in a fresh kernel; fail the test on the first failing cell."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    started: dict[str, object] = {}

    def on_cell_start(cell: nbformat.NotebookNode, cell_index: int) -> None:
        started.update(cell=cell, index=cell_index)

    env = {**os.environ, "ATLAS_URL": str(atlas_url)}
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=manager)
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, startup_timeout=120,
                            allow_errors=False, on_cell_start=on_cell_start,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    failure = None
    try:
        client.execute(cleanup_kc=True, env=env)
    except (CellControlSignal, DeadKernelError) as error:
        failure = failure_text(path.name, started.get("index"), started.get("cell"), error)
    if failure is not None:  # raised here, so that nbclient's own message is not chained
        pytest.fail(failure, pytrace=False)
    return nb


def kernel_prefix(nb: nbformat.NotebookNode) -> str | None:
    for output in nb.cells[-1].get("outputs", []):
        for line in str(output.get("text", "")).splitlines():
            if line.startswith("kernel-prefix="):
                return line.split("=", 1)[1]
    return None


def test_every_expected_notebook_is_there():
    assert [p.name for p in stored_notebooks()] == list(EXPECTED)


@pytest.mark.parametrize("path", stored_notebooks(), ids=lambda p: p.stem)
def test_stored_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [index + 1 for index, cell in enumerate(nb.cells) if cell.cell_type == "code" and (
        cell.get("outputs") or cell.get("execution_count") is not None
        or "execution" in cell.get("metadata", {}))]
    assert not dirty, (f"{path.name}: cells {dirty} keep outputs or execution counts; "
                       f"run `python scripts/strip_notebooks.py {path}`")


@pytest.mark.parametrize("path", stored_notebooks(), ids=lambda p: p.stem)
def test_notebook_reads_its_atlas_from_atlas_url(path):
    sources = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                        if c.cell_type == "code")
    assert ATLAS_LINE in sources


@pytest.mark.slow
@pytest.mark.parametrize("path", stored_notebooks(), ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, demo_atlas_path, kernel_spec_manager, tmp_path):
    import atlas

    url = copy_demo(demo_atlas_path, tmp_path / "atlas")
    with atlas.open(url) as opened:
        revision, checksum = opened.revision, opened.checksum()
        schools_revision = opened.history("schools")[-1].revision
    shared_before = digest(demo_atlas_path)
    left_before = sorted(p.name for p in NOTEBOOKS.iterdir())
    started = time.perf_counter()
    nb = run_notebook(path, url, kernel_spec_manager)
    elapsed = time.perf_counter() - started
    print(f"{path.name}: {elapsed:.1f} s")
    # the kernel is this interpreter (the venv's), not whatever "python" a PATH finds
    assert kernel_prefix(nb) == sys.prefix
    # it wrote nothing but its own atlas: not the shared demo, not the notebooks folder
    assert digest(demo_atlas_path) == shared_before
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == left_before
    with atlas.open(url) as opened:
        if path.name.startswith("03_"):
            # the import was committed then undone: two new revisions, same content
            schools = [r for r in opened.history("schools") if r.revision > revision]
            assert len(schools) == 2 and schools[-1].restored_from == schools_revision
            assert opened.checksum() == checksum
        else:
            assert opened.revision == revision
