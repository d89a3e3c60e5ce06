"""Readers during a large write: 20 ``atlas diagnose`` alone, then during a 300,000-row replace.

Issue #23: on a GeoPackage, 20 diagnoses started during a 300,000-row import waited
for its whole write phase (193-201 s each instead of 4.7 s). This script measures it on
the national benchmark atlas of bench/bench_diagnose.py (611 territories, 100,000 water
points, a population raster), for the GeoPackage store and for PostGIS (a throwaway
durable cluster from tests/pgcluster.py, the same atlas copied into it):

0. ``water_points`` is first replaced with ``--rows`` points, untimed, so that readers
   have the same amount of work whether they see the layer before or after the write;
1. one ``atlas diagnose --level commune`` alone (the single-reader time);
2. ``--readers`` of them started together, no write (the "alone" time under the same
   contention for the 2 cores);
3. a writer process replacing ``water_points`` with ``--rows`` new points; once its
   write has begun, the same readers started together ("during").

Each diagnose is a real process, timed from its start to its exit; the machine's load
(``uptime``) is printed around each phase. The GeoPackage target: readers during the
write finish within 2x their time alone. ``--writer-cache-mb 2`` gives the GeoPackage
writer the page cache it had before issue #23 (it spills at once and locks the readers
out until its commit), for comparison.

Usage: ``.venv/bin/python bench/bench_readers_during_write.py [--rows 300000]
[--readers 20] [--stores gpkg,postgis] [--keep DIR] [--writer-cache-mb MB]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import atlas  # noqa: E402
from atlas.store.geopackage import WRITE_CACHE_ENV  # noqa: E402

LAYER = "water_points"


# -- the writer process -------------------------------------------------------------------
def replacement(opened: atlas.Atlas, n: int, seed: int = 7):
    """``n`` water points over the atlas's communes (bench_diagnose's generator)."""
    import bench_diagnose as generator

    rng = np.random.default_rng(seed)
    territories = opened.read("territories")
    communes = territories[territories["level"] == 3]
    pick = rng.choice
    return generator._frame(
        generator._points(rng, n), communes, wp_id=[f"X{i:07d}" for i in range(n)],
        source_type=pick(["borehole", "piped", "protected_well", "unprotected_well"], n),
        technology=pick(["tap", "hand_pump", "bucket", None], n),
        status=pick(["functional", "partly_functional", "non_functional"], n),
        install_year=rng.integers(1975, 2024, n), report_date="2024-06-30")


def write_worker(url: str, rows: int, seed: int = 7) -> None:
    """Build the rows, print ``writing``, replace the layer, print the seconds it took."""
    with atlas.open(url) as opened:
        frame = replacement(opened, rows, seed)
        print("writing", flush=True)
        started = time.perf_counter()
        revision = opened.write(LAYER, frame, user="bench", source="bench.csv")
        print(f"committed {time.perf_counter() - started:.1f} revision {revision.revision}",
              flush=True)


# -- measuring ------------------------------------------------------------------------------
def uptime() -> str:
    """The load averages, as ``uptime`` prints them."""
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    return out.strip().split("load average:")[-1].strip()


def diagnoses(url: str, count: int, folder: Path) -> list[float]:
    """Start ``count`` ``atlas diagnose`` processes at once; each one's wall time (s)."""
    command = [sys.executable, "-m", "atlas.cli", "diagnose", "--atlas", url,
               "--level", "commune"]
    started, processes = [], []
    for i in range(count):
        started.append(time.perf_counter())
        processes.append(subprocess.Popen([*command, "-o", str(folder / f"diag{i}.csv")],
                                          cwd=folder, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True))
    times = [0.0] * count
    pending = set(range(count))
    while pending:
        for i in list(pending):
            if processes[i].poll() is not None:
                times[i] = time.perf_counter() - started[i]
                pending.discard(i)
                if processes[i].returncode != 0:
                    raise RuntimeError(f"diagnose failed: {processes[i].stderr.read()}")
        time.sleep(0.05)
    return times


def summary(times: list[float]) -> str:
    """Median, min and max of a list of durations."""
    return (f"median {statistics.median(times):.1f} s, min {min(times):.1f} s, "
            f"max {max(times):.1f} s")


def measure(url: str, readers: int, rows: int, folder: Path,
            writer_env: dict[str, str]) -> dict[str, float]:
    """The phases 1-3 of the module docstring on one atlas; prints and returns figures."""
    print(f"  load before: {uptime()}")
    single = diagnoses(url, 1, folder)[0]
    print(f"  one diagnose alone: {single:.1f} s")
    alone = diagnoses(url, readers, folder)
    print(f"  {readers} diagnoses, no write: {summary(alone)}   (load {uptime()})")
    writer = subprocess.Popen([sys.executable, __file__, "--write-worker", url,
                               "--rows", str(rows)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, **writer_env})
    assert writer.stdout is not None
    if writer.stdout.readline().strip() != "writing":
        raise RuntimeError("the writer failed before writing")
    write_started = time.perf_counter()
    time.sleep(1.0)  # well inside the write phase
    during = diagnoses(url, readers, folder)
    readers_done = time.perf_counter() - write_started
    committed = writer.stdout.readline().strip()
    writer.wait()
    write_time = float(committed.split()[1])
    print(f"  {readers} diagnoses during the {rows:,}-row replace: {summary(during)}"
          f"   (load {uptime()})")
    print(f"  the replace took {write_time:.1f} s; the readers were all done "
          f"{readers_done:.1f} s after it began"
          + (" (before its commit)" if readers_done < write_time else " (after its commit)"))
    ratio = statistics.median(during) / statistics.median(alone)
    worst = max(during) / max(alone)
    print(f"  ratio during / alone: median {ratio:.2f}x, max {worst:.2f}x")
    return {"single": single, "alone": statistics.median(alone),
            "during": statistics.median(during), "ratio": ratio, "write": write_time}


def postgis_copy(gpkg: Path):
    """A durable throwaway cluster holding a copy of the atlas; (cluster, URL)."""
    from pgcluster import PgCluster, with_schema

    from atlas.store.copy import copy_atlas

    cluster = PgCluster(durable=True).start()
    url = with_schema(cluster.url(), f"bench_{uuid.uuid4().hex[:8]}")
    copy_atlas(gpkg, url, user="bench")
    return cluster, url


def main() -> None:
    """Build the national atlas, then measure each store."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--stores", default="gpkg,postgis")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder in which to keep (and reuse) the generated atlas")
    parser.add_argument("--writer-cache-mb", default=None,
                        help="page cache of the GeoPackage writer (default: the store's)")
    parser.add_argument("--write-worker", metavar="URL", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_worker:
        write_worker(args.write_worker, args.rows)
        return
    import shutil

    import bench_diagnose

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        pristine = folder / "national.gpkg"
        if not pristine.exists():
            bench_diagnose.build(folder)
        for store in args.stores.split(","):
            work = Path(tmp) / store
            work.mkdir(exist_ok=True)
            shutil.copy(folder / "population.tif", work / "population.tif")
            gpkg = work / "national.gpkg"
            shutil.copy(pristine, gpkg)
            with atlas.open(gpkg) as opened:  # phase 0
                opened.write(LAYER, replacement(opened, args.rows, seed=1), user="bench")
            print(f"{store}: {args.readers} readers, {args.rows:,}-row replace of {LAYER}")
            env = {} if args.writer_cache_mb is None else {WRITE_CACHE_ENV: args.writer_cache_mb}
            if store == "gpkg":
                measure(str(gpkg), args.readers, args.rows, work, env)
                continue
            cluster, url = postgis_copy(gpkg)
            try:
                measure(url, args.readers, args.rows, work, env)
            finally:
                cluster.stop()


if __name__ == "__main__":
    main()
