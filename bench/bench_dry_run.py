"""Benchmark: peak memory and time of ``atlas import --dry-run`` on large files.

Two files are generated here (seeded, never committed): a GeoJSON FeatureCollection of
1,000,000 water points (about 176 MB, the size that took 2.5 GB and 200 s when parsed
whole) and a workbook of 500,000 rows (the size that took 1.1 GB and 7 minutes through
``pandas.read_excel``). Each is planned (``atlas.import_file``, what ``atlas import
--dry-run`` runs) against a small GeoPackage atlas whose territories contain every
point, in a child process; the child's peak resident memory comes from ``os.wait4``
(its own ``ru_maxrss``), the time from the wall clock, Python's start included. The
import reads, maps, checks and places every row and writes nothing.

Run: ``.venv/bin/python bench/bench_dry_run.py [--points N] [--rows N] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import atlas

WEST, SOUTH, EAST, NORTH = -17.0, 13.0, -15.0, 15.0
SETTINGS = {
    "title": {"fr": "Atlas de banc d'essai (fictif)", "en": "Benchmark atlas"},
    "metric_crs": "EPSG:32628",
    "countries": ["SN"],
    "level_names": {"0": {"fr": "pays", "en": "country"},
                    "1": {"fr": "région", "en": "region"}},
}
TYPES = ("forage", "puits moderne", "borne fontaine", "puits traditionnel")
STATES = ("fonctionnel", "en panne", "abandonné")


def build_atlas(path: Path) -> None:
    """A country box split into two régions: every generated point falls in one."""
    middle = (WEST + EAST) / 2
    frame = gpd.GeoDataFrame(
        {"code": ["ZZ", "ZZ01", "ZZ02"], "name": ["Pays", "Ouest", "Est"], "level": [0, 1, 1],
         "parent_code": [None, "ZZ", "ZZ"], "country": ["SN"] * 3},
        geometry=[shapely.MultiPolygon([shapely.box(WEST, SOUTH, EAST, NORTH)]),
                  shapely.MultiPolygon([shapely.box(WEST, SOUTH, middle, NORTH)]),
                  shapely.MultiPolygon([shapely.box(middle, SOUTH, EAST, NORTH)])], crs=4326)
    with atlas.create(path, SETTINGS) as opened:
        opened.write("territories", frame, user="bench")


def _points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return (rng.uniform(WEST + 0.01, EAST - 0.01, n).round(6),
            rng.uniform(SOUTH + 0.01, NORTH - 0.01, n).round(6))


def write_geojson(path: Path, n: int, seed: int) -> Path:
    """A FeatureCollection of ``n`` points with five properties each, written in blocks."""
    rng = np.random.default_rng(seed)
    lon, lat = _points(rng, n)
    kinds, states = rng.integers(0, len(TYPES), n), rng.integers(0, len(STATES), n)
    depth = rng.uniform(5, 120, n).round(1)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "name": "forages", "features": [\n')
        for start in range(0, n, 50_000):
            block = []
            for i in range(start, min(n, start + 50_000)):
                block.append(
                    f'{{"type":"Feature","properties":{{"code":"WP{i:07d}",'
                    f'"nom":"P{i}","type":"{TYPES[kinds[i]]}",'
                    f'"etat":"{STATES[states[i]]}","profondeur":{depth[i]}}},'
                    f'"geometry":{{"type":"Point","coordinates":[{lon[i]},{lat[i]}]}}}}')
            out.write(",\n".join(block))
            out.write(",\n" if start + 50_000 < n else "\n")
        out.write("]}\n")
    return path


def write_xlsx(path: Path, n: int, seed: int) -> Path:
    """A workbook of ``n`` rows (code, name, type, state, lat, lon), streamed by openpyxl."""
    from openpyxl import Workbook

    rng = np.random.default_rng(seed + 1)
    lon, lat = _points(rng, n)
    kinds, states = rng.integers(0, len(TYPES), n), rng.integers(0, len(STATES), n)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("forages")
    sheet.append(["code", "nom", "type", "etat", "latitude", "longitude"])
    for i in range(n):
        sheet.append([f"X{i:07d}", f"Point {i}", TYPES[kinds[i]], STATES[states[i]],
                      float(lat[i]), float(lon[i])])
    book.save(path)
    return path


#: The child: plan the import and print the plan's verdict (nothing is written).
CHILD = """
import sys
from atlas.ingest import import_file
plan = import_file(sys.argv[1], sys.argv[2], "water_points", lang="en")
print(plan, plan.summary("en").splitlines()[-1])
"""


def dry_run(atlas_path: Path, source: Path) -> tuple[float, float, int, str]:
    """Seconds, peak MiB, exit code and last output line of one planning child."""
    command = [sys.executable, "-c", CHILD, str(atlas_path), str(source)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = child.stdout.read().decode("utf-8", errors="replace") if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.strip()]
    return seconds, usage.ru_maxrss / 1024, child.returncode, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, default=None, help="keep the files in DIR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="atlas-bench-dry-run-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        atlas_path = folder / "bench.gpkg"
        if atlas_path.exists():
            atlas_path.unlink()
        build_atlas(atlas_path)
        started = time.perf_counter()
        geojson = write_geojson(folder / "points.geojson", args.points, args.seed)
        xlsx = write_xlsx(folder / "forages.xlsx", args.rows, args.seed)
        print(f"files generated in {time.perf_counter() - started:.1f} s: "
              f"{geojson.name} {geojson.stat().st_size / 2**20:.1f} MiB, "
              f"{xlsx.name} {xlsx.stat().st_size / 2**20:.1f} MiB")
        print(f"{'file':<16}{'rows':>10}{'seconds':>10}{'peak MiB':>10}  exit  result")
        for source, rows in ((geojson, args.points), (xlsx, args.rows)):
            seconds, peak, code, last = dry_run(atlas_path, source)
            print(f"{source.name:<16}{rows:>10,}{seconds:>10.1f}{peak:>10.0f}  {code:>4}  "
                  f"{last[:110]}")
        print(pd.Timestamp.now().isoformat(timespec="seconds"), os.uname().nodename,
              f"{os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
