"""Benchmark: the PDF atlas book of every commune of a national-scale atlas, and QGIS.

The atlas is the seeded national one of ``bench/bench_diagnose.py`` (about 550
communes in 46 départements and 14 régions, 100,000 water points, 10,000 schools, a
3-million-cell population raster), generated once in a temporary folder (or kept with
``--keep DIR``). Then, timed separately:

1. **ours, simple** — the page QGIS users know: a title and a map of the commune with
   the 100,000 water points (``atlas_book(layout="map", layers=["water_points"])``);
2. **QGIS, simple** — the same page with QGIS's atlas: a print layout (A4 landscape,
   a title label and an atlas-driven map of the communes and the water points) on the
   same GeoPackage, exported to one PDF by ``QgsLayoutExporter.exportToPdf`` in a
   PyQGIS script run by ``/usr/bin/python3`` (``QT_QPA_PLATFORM=offscreen``);
3. **ours, book** — the default book page: map, key figures against the parent and
   siblings, priority lists (``layout="summary"``), diagnostics included;
4. **ours, full sheets** — each commune's complete fact sheet (``layout="sheets"``),
   on ``--sheets N`` communes (all by default; ``0`` skips it).

Wall-clock time and CPU time (this process and its workers) are printed for each, and
the ratio ours/QGIS for the simple page. The machine may be shared: CPU time says
what the work costs, wall time what the user waits.

Run: ``.venv/bin/python bench/bench_book.py [--keep DIR] [--seed N] [--sheets N]
[--workers N] [--skip-qgis]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from pypdf import PdfReader

import atlas
from atlas.render import atlas_book

HERE = Path(__file__).resolve().parent
QGIS_PYTHON = "/usr/bin/python3"

QGIS_SCRIPT = textwrap.dedent('''
    """Atlas export of the communes with the water points (run by QGIS's Python)."""
    import json
    import sys
    import time

    started = time.perf_counter()
    from qgis.core import (QgsApplication, QgsLayoutExporter, QgsLayoutItemLabel,
                           QgsLayoutItemMap, QgsLayoutPoint, QgsLayoutSize, QgsPrintLayout,
                           QgsProject, QgsUnitTypes, QgsVectorLayer)
    from qgis.PyQt.QtGui import QFont

    app = QgsApplication([], False)
    app.initQgis()
    gpkg, out = sys.argv[1], sys.argv[2]
    project = QgsProject.instance()
    communes = QgsVectorLayer(f"{gpkg}|layername=territories", "communes", "ogr")
    communes.setSubsetString('"level" = 3')
    points = QgsVectorLayer(f"{gpkg}|layername=water_points", "water_points", "ogr")
    assert communes.isValid() and points.isValid()
    project.addMapLayers([communes, points])
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()  # one A4 landscape page
    mm = QgsUnitTypes.LayoutMillimeters
    title = QgsLayoutItemLabel(layout)
    title.setText('[% "name" %] ([% "code" %])')
    title.setFont(QFont("DejaVu Sans", 18))
    title.attemptMove(QgsLayoutPoint(10, 6, mm))
    title.attemptResize(QgsLayoutSize(277, 12, mm))
    layout.addLayoutItem(title)
    item = QgsLayoutItemMap(layout)
    item.attemptMove(QgsLayoutPoint(10, 20, mm))
    item.attemptResize(QgsLayoutSize(277, 180, mm))
    item.setLayers([points, communes])
    item.setExtent(communes.extent())
    item.setAtlasDriven(True)
    item.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    item.setAtlasMargin(0.05)
    layout.addLayoutItem(item)
    atlas = layout.atlas()
    atlas.setCoverageLayer(communes)
    atlas.setPageNameExpression('"code"')
    atlas.setEnabled(True)
    settings = QgsLayoutExporter.PdfExportSettings()
    ready = time.perf_counter()
    result, error = QgsLayoutExporter.exportToPdf(atlas, out, settings)
    done = time.perf_counter()
    print(json.dumps({"result": int(result), "error": error, "pages": atlas.count(),
                      "setup_s": ready - started, "export_s": done - ready}))
    app.exitQgis()
''')


def load_generator():
    """``bench/bench_diagnose.py``: the seeded national atlas builder."""
    spec = importlib.util.spec_from_file_location("bench_diagnose", HERE / "bench_diagnose.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_diagnose", module)
    spec.loader.exec_module(module)
    return module


def timed(label: str, run) -> dict:
    """Run ``run()`` and measure wall and CPU time (this process and its children)."""
    before, started = os.times(), time.perf_counter()
    path = run()
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.user - before.user + after.system - before.system
           + after.children_user - before.children_user
           + after.children_system - before.children_system)
    pages = len(PdfReader(path).pages)
    size = Path(path).stat().st_size / 1e6
    print(f"{label:<24} {wall:7.1f} s wall {cpu:7.1f} s CPU  {pages:5d} pages "
          f"{size:6.1f} MB  {path}", flush=True)
    return {"wall": wall, "cpu": cpu, "pages": pages, "path": str(path)}


def run_qgis(gpkg: Path, out: Path, folder: Path) -> dict | None:
    """The PyQGIS atlas export, timed from outside (start-up included) and inside."""
    script = folder / "qgis_atlas.py"
    script.write_text(QGIS_SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(folder)}
    before, started = os.times(), time.perf_counter()
    done = subprocess.run([QGIS_PYTHON, str(script), str(gpkg), str(out)], env=env,
                          capture_output=True, text=True, timeout=1800, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = after.children_user - before.children_user \
        + after.children_system - before.children_system
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print("QGIS failed:", done.returncode, done.stderr[-2000:], file=sys.stderr)
        return None
    info = json.loads(lines[-1])
    pages = len(PdfReader(out).pages)
    print(f"{'QGIS, simple':<24} {wall:7.1f} s wall {cpu:7.1f} s CPU  {pages:5d} pages "
          f"{out.stat().st_size / 1e6:6.1f} MB  (export alone {info['export_s']:.1f} s, "
          f"set-up {info['setup_s']:.1f} s)", flush=True)
    return {"wall": wall, "cpu": cpu, "pages": pages, "export": info["export_s"]}


def main() -> None:
    """Generate the atlas, then time our books and the QGIS atlas export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder in which to keep (and reuse) the generated atlas")
    parser.add_argument("--sheets", type=int, default=None,
                        help="communes in the full-sheets run (default all, 0 skips it)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--skip-qgis", action="store_true")
    args = parser.parse_args()
    print(f"cores available: {len(os.sched_getaffinity(0))}, load average: "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        gpkg = folder / "national.gpkg"
        if not gpkg.exists():
            started = time.perf_counter()
            gpkg = load_generator().build(folder, args.seed)
            print(f"atlas generated in {time.perf_counter() - started:.1f} s: {gpkg}")
        out = Path(tmp)
        with atlas.open(gpkg) as opened:
            communes = len(opened.territories.at_level(3))
            print(f"communes: {communes}, water points: {opened.count('water_points'):,}")
            simple = timed("ours, simple (map)", lambda: atlas_book(
                opened, out / "simple.pdf", layout="map", layers=["water_points"],
                workers=args.workers))
            qgis = None if args.skip_qgis else run_qgis(gpkg, out / "qgis.pdf", out)
            book = timed("ours, book (summary)", lambda: atlas_book(
                opened, out / "book.pdf", workers=args.workers))
            sheets = None
            count = communes if args.sheets is None else args.sheets
            if count:
                parents = _parents_covering(opened, count)
                sheets = [timed(f"ours, full sheets {p}", lambda p=p: atlas_book(
                    opened, out / f"sheets-{p}.pdf", parent=p, layout="sheets",
                    workers=args.workers)) for p in parents] if parents else [timed(
                        "ours, full sheets", lambda: atlas_book(
                            opened, out / "sheets.pdf", layout="sheets",
                            workers=args.workers))]
        print()
        print(f"ours, simple page:  {simple['wall']:.1f} s for {simple['pages']} pages")
        if qgis:
            print(f"QGIS, simple page:  {qgis['wall']:.1f} s (export alone {qgis['export']:.1f}"
                  f" s) for {qgis['pages']} pages")
            print(f"ratio ours/QGIS:    {simple['wall'] / qgis['wall']:.1f} x (wall), "
                  f"{simple['cpu'] / max(qgis['cpu'], 1e-9):.1f} x (CPU)")
        print(f"ours, book:         {book['wall']:.1f} s for {book['pages']} pages "
              f"(target: under 60 s)")
        if sheets:
            wall = sum(s["wall"] for s in sheets)
            pages = sum(s["pages"] for s in sheets)
            print(f"ours, full sheets:  {wall:.1f} s for {pages} pages")


def _parents_covering(opened, count: int) -> list[str] | None:
    """Régions whose communes add up to about ``count`` (None: the whole atlas)."""
    tree = opened.territories
    if count >= len(tree.at_level(3)):
        return None
    chosen, total = [], 0
    for code in tree.at_level(1).index:
        if total >= count:
            break
        chosen.append(code)
        total += len(tree.descendants(code, level=3))
    return chosen


if __name__ == "__main__":
    main()
