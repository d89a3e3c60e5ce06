"""Bulk load into PostGIS: our store against ogr2ogr and geopandas, same data, same server.

Generates random water points (the ``water_points`` layer spec, a few attributes
filled), writes them to a FlatGeobuf file for ogr2ogr, starts a throwaway PostGIS
cluster (tests/pgcluster.py, durable settings) unless ``--database-url`` names one,
and times, each into an empty schema after a CHECKPOINT:

- ``ogr2ogr -f PostgreSQL`` with COPY (``--config PG_USE_COPY YES``), its default
  GiST index, i.e. the same end state as ours (a typed, indexed table);
- the same without a spatial index (``-lco SPATIAL_INDEX=NONE``), for reference;
- ``GeoDataFrame.to_postgis`` (no index: it creates none);
- ``Atlas.write(..., "replace")`` into the empty layer of a new PostGIS atlas
  (validation, checksum, revision, COPY, GiST + unique id + primary key).

Every method runs ``--repeat`` times (a fresh cluster creates its WAL files during
the first loads, which slows whichever runs first) and its best time is kept.

Usage: ``.venv/bin/python bench/bench_load.py --rows 1000000``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg2
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pgcluster import PgCluster, drop_schema, ensure_postgis, with_schema  # noqa: E402

import atlas  # noqa: E402
from atlas.catalog import Catalog, load_catalog  # noqa: E402

LAYER = "water_points"
SETTINGS = {"title": {"fr": "Banc d'essai", "en": "Benchmark"}, "metric_crs": "EPSG:32628"}


def make_points(rows: int, seed: int = 42) -> gpd.GeoDataFrame:
    """Random water points over Senegal with the attributes a survey usually fills."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-17.5, -11.3, rows)
    y = rng.uniform(12.3, 16.7, rows)
    sources = np.array(["borehole", "piped", "protected_well", "unprotected_well"])
    statuses = np.array(["functional", "partly_functional", "non_functional", "abandoned"])
    dates = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1800, rows),
                                                         unit="D")
    ids = pd.Series(np.arange(rows)).map("WP{:07d}".format)
    return gpd.GeoDataFrame({
        "wp_id": ids,
        "name": "Point d'eau " + pd.Series(np.arange(rows)).astype(str),
        "source_type": sources[rng.integers(0, len(sources), rows)],
        "status": statuses[rng.integers(0, len(statuses), rows)],
        "water_available": rng.integers(0, 2, rows).astype(bool),
        "install_year": rng.integers(1960, 2025, rows),
        "report_date": dates.strftime("%Y-%m-%d"),
    }, geometry=gpd.points_from_xy(x, y), crs=4326)


def libpq(url: str) -> str:
    """``PG:`` connection string for GDAL from a postgresql:// URL."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    parts = {"host": parsed.host, "port": parsed.port, "user": parsed.username,
             "password": parsed.password, "dbname": parsed.database}
    return "PG:" + " ".join(f"{k}={v}" for k, v in parts.items() if v)


def reset(url: str, schema: str) -> None:
    """Empty schema, and a checkpoint so one load does not pay for the previous one."""
    drop_schema(url, schema)
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA "{schema}"')
        cur.execute("CHECKPOINT")
    conn.close()


def count(url: str, table: str) -> int:
    """Rows in a table (to check that every load loaded everything)."""
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed bench names
        value = cur.fetchone()[0]
    conn.close()
    return int(value)


def timed(action: Callable[[], object]) -> float:
    """Seconds taken by ``action``."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


SCHEMAS = ("bench_ogr", "bench_ogr_noindex", "bench_gpd", "bench_atlas")


def run(url: str, frame: gpd.GeoDataFrame, source: Path) -> list[tuple[str, float, int]]:
    """Time every loader; (name, seconds, rows loaded) for each.

    Each load starts alone: the previous tables are dropped first (so autovacuum is
    not analysing them on the other core) and a CHECKPOINT flushes their WAL.
    """
    results: list[tuple[str, float, int]] = []
    gdal = libpq(url)

    def ogr(schema: str, *extra: str) -> None:
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", gdal, str(source),
                        "-nln", f"{schema}.{LAYER}", "--config", "PG_USE_COPY", "YES",
                        "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid",
                        "-gt", "unlimited", *extra], check=True, capture_output=True)

    def isolated(name: str, schema: str, load: Callable[[], object]) -> None:
        for other in SCHEMAS:
            drop_schema(url, other)
        reset(url, schema)
        seconds = timed(load)
        results.append((name, seconds, count(url, f"{schema}.{LAYER}")))
        drop_schema(url, schema)

    isolated("ogr2ogr PG_USE_COPY (GiST index)", "bench_ogr", lambda: ogr("bench_ogr"))
    isolated("ogr2ogr PG_USE_COPY (no index)", "bench_ogr_noindex",
             lambda: ogr("bench_ogr_noindex", "-lco", "SPATIAL_INDEX=NONE"))
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    isolated("geopandas to_postgis (no index)", "bench_gpd",
             lambda: frame.to_postgis(LAYER, engine, schema="bench_gpd",
                                      if_exists="replace", index=False))
    engine.dispose()

    catalog = Catalog([load_catalog()[LAYER]])
    drop_schema(url, "bench_atlas")
    with atlas.create(with_schema(url, "bench_atlas"), SETTINGS, catalog) as opened:
        reset(url, "bench_scratch")  # the checkpoint, with the atlas schema in place
        seconds = timed(lambda: opened.write(LAYER, frame, "replace", source="bench"))
        results.append(("atlas Atlas.write replace (GiST, unique id, pk)", seconds,
                        opened.count(LAYER)))
    for schema in (*SCHEMAS, "bench_scratch"):
        drop_schema(url, schema)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="points to load")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds; each method's best time is reported (default 3)")
    parser.add_argument("--database-url", default=os.environ.get("ATLAS_BENCH_DATABASE_URL"),
                        help="existing PostGIS database (default: a throwaway cluster)")
    args = parser.parse_args(argv)
    if shutil.which("ogr2ogr") is None:
        print("ogr2ogr is missing: apt-get install gdal-bin", file=sys.stderr)
        return 2

    print(f"generating {args.rows:,} points...", flush=True)
    frame = make_points(args.rows)
    workdir = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    cluster: PgCluster | None = None
    try:
        source = workdir / f"{LAYER}.fgb"
        frame.to_file(source, driver="FlatGeobuf", engine="pyogrio", SPATIAL_INDEX="NO")
        if args.database_url:
            url = args.database_url
            ensure_postgis(url)
        else:
            cluster = PgCluster(durable=True).start()
            url = cluster.url()
        rounds = []
        for number in range(1, max(1, args.repeat) + 1):
            rounds.append(run(url, frame, source))
            print(f"round {number}: " + ", ".join(f"{seconds:.2f}" for _n, seconds, _r
                                                  in rounds[-1]), flush=True)
        results = [min((r[i] for r in rounds), key=lambda item: item[1])
                   for i in range(len(rounds[0]))]
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    ours = results[-1][1]
    print(f"\nbest of {max(1, args.repeat)} round(s)")
    print(f"{'method':<50} {'seconds':>8} {'rows/s':>11} {'rows':>9}")
    for name, seconds, rows in results:
        print(f"{name:<50} {seconds:8.2f} {rows / seconds:11,.0f} {rows:9,}")
    print()
    for name, seconds, _rows in results[:-1]:
        print(f"speed of atlas relative to {name}: {seconds / ours:.2f}x")
    if any(rows != args.rows for _name, _seconds, rows in results):
        print("ERROR: a loader did not load every row", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
