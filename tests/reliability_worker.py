"""Processes that the crash and concurrency tests start, kill and watch.

    python tests/reliability_worker.py write URL LAYER N --prefix P --mode replace \
        [--batches K] [--when FILE]
    python tests/reliability_worker.py read URL LAYER OUT --until FILE
    python tests/reliability_worker.py cli [--pause-after STEP --signals DIR] -- ARGS...

``write`` builds N wells (ids ``P000000``...) and writes them in one call, as one
revision, printing ``writing`` before and ``revision <n>`` after; with ``--batches K``
it writes K such batches one after the other (prefixes ``P0``, ``P1``...), and with
``--when FILE`` it gets ready, then waits for FILE to exist before writing. ``read`` polls
the layer, appending one JSON line per observation (row count and content checksum)
to OUT until the file named by ``--until`` exists. ``cli`` runs the real ``atlas`` command
with ARGS; with ``--pause-after STEP`` it stops right after that step of a write (see
:data:`STEPS`), still inside the write's transaction, creates ``DIR/paused`` and goes on
only once ``DIR/go`` exists: the test kills it there, or stops the database server, or
lets it run into a lock, at a known moment.

They live in a file of their own because a test must be able to SIGKILL them: a
thread cannot be killed, and killing the test process would kill pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import atlas
from atlas.store.frames import checksum
from atlas.store.geopackage import WRITE_CACHE_ENV

#: The layer spec the workers write (``wells`` of the test catalogue in common.py).
LAYER = "wells"
#: Write cache (MB) of the ``write`` worker in a GeoPackage: small, so that it spills.
SPILL_EARLY_MB = "2"


def frame(n: int, prefix: str, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` wells with every field filled, built with numpy (a second for 200k rows)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform([-17.0, 13.0], [-15.0, 15.0], size=(n, 2))
    ids = np.char.add(prefix, np.char.zfill(np.arange(n).astype(str), 6))
    return gpd.GeoDataFrame({
        "well_id": ids.astype(object),
        "name": np.char.add("Puits ", ids).astype(object),
        "kind": np.where(rng.random(n) < 0.5, "borehole", "dug").astype(object),
        "depth": np.round(rng.uniform(1, 80, n), 2),
        "built": rng.integers(1950, 2024, n),
        "working": rng.random(n) < 0.7,
        "visited": np.full(n, "2024-03-01", dtype=object),
    }, geometry=shapely.points(xy), crs=4326)


def write(url: str, layer: str, n: int, prefix: str, mode: str, batches: int,
          when: Path | None = None) -> int:
    """Write ``batches`` batches of ``n`` rows; print each revision number.

    With ``when``, everything is ready (data built, atlas open) before waiting for
    that file to exist: the write then starts within milliseconds of the signal.
    """
    prefixes = [prefix] if batches == 1 else [f"{prefix}{k}" for k in range(batches)]
    # A GeoPackage writer keeps its changes in memory up to a budget before writing
    # them into the file; this one spills almost at once, so that the tests catch it
    # with the file itself half-changed, the hardest case for recovery.
    os.environ.setdefault(WRITE_CACHE_ENV, SPILL_EARLY_MB)
    with atlas.open(url) as opened:
        for name in prefixes:
            data = frame(n, name, seed=len(name) + n)
            print("ready", flush=True)
            while when is not None and not when.exists():
                time.sleep(0.002)
            print("writing", flush=True)
            revision = opened.write(layer, data, mode, user=f"worker-{name}",
                                    source=f"{name}.csv")
            print(f"revision {revision.revision}", flush=True)
    return 0


def write_csv(path: Path, n: int, prefix: str, seed: int = 0) -> Path:
    """The wells of :func:`frame` as a CSV file with ``lon``/``lat`` columns, to import."""
    data = frame(n, prefix, seed)
    data["lon"], data["lat"] = data.geometry.x, data.geometry.y
    data.drop(columns="geometry").to_csv(path, index=False)
    return path


#: Steps after which ``cli --pause-after`` can stop: an import has read the atlas's
#: revision and starts planning (``plan``); a PostGIS COPY has sent its first bytes
#: (``copy``); a restore has copied the rows back (``rows``); a write has recorded its
#: row count and checksum (``checksum``, the last step before the commit).
STEPS = {"plan": ("atlas.ingest.file_pipeline", "Context.build"),
         "copy": ("atlas.store.pg_copy", "CopyStream.read"),
         "rows": ("atlas.store.restore", "copy_state"),
         "checksum": ("atlas.store.sql", "SqlStore._close_revision")}


def pause_after(step: str, signals: Path) -> None:
    """Wrap the function of ``step`` so that it pauses once it has returned."""
    import importlib

    module_name, attribute = STEPS[step]
    owner: object = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    def paused(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        (signals / "paused").touch()
        while not (signals / "go").exists():
            time.sleep(0.01)
        return result

    setattr(owner, name, paused)


def cli(args: list[str], step: str | None, signals: Path | None) -> int:
    """Run the ``atlas`` command in this process, paused after ``step`` if given."""
    from atlas.cli import main as atlas_main

    if step is not None:
        assert signals is not None, "--pause-after needs --signals"
        pause_after(step, signals)
    try:
        atlas_main(args=args, prog_name="atlas")
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    return 0


def read(url: str, layer: str, out: Path, until: Path) -> int:
    """Poll the layer until ``until`` exists; one JSON line per observation."""
    with atlas.open(url) as opened, open(out, "a", encoding="utf-8") as sink:
        spec = opened.spec(layer)
        while True:
            stop = until.exists()
            seen = opened.store.read(layer)  # one statement: one consistent state
            sink.write(json.dumps({"rows": len(seen), "checksum": checksum(seen, spec),
                                   "at": time.time()}) + "\n")
            sink.flush()
            if stop:
                return 0
            time.sleep(0.02)


# -- for the tests: start workers and see when they are in the middle of a write ----------
HERE = Path(__file__).resolve()
#: How long a test waits for a worker to reach the state it watches for.
PATIENCE_S = 60.0


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start this module as a worker process (output captured; ``env`` added to ours)."""
    return subprocess.Popen([sys.executable, str(HERE), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=HERE.parents[1],
                            env={**os.environ, **(env or {})})


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str] | None = None,
               what: str = "condition") -> None:
    """Poll ``condition`` every few milliseconds; fail if the worker exits first."""
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"worker ended before {what}: {out}\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def gpkg_mid_write(path: Path, grown_by: int = 1 << 20) -> Callable[[], bool]:
    """True once a transaction is open (rollback journal present) and has already
    written pages into the database file itself (the file grew by ``grown_by``)."""
    journal = path.with_name(path.name + "-journal")
    initial = path.stat().st_size

    def check() -> bool:
        try:
            return journal.stat().st_size > 0 and path.stat().st_size > initial + grown_by
        except FileNotFoundError:
            return False

    return check


def postgis_copy_backends(server_url: str, schema: str) -> list[int]:
    """Backend pids of atlas connections running a COPY into ``schema`` right now."""
    import psycopg2

    conn = psycopg2.connect(server_url, application_name="atlas-tests-watch")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name ="
                        " 'atlas-territorial' AND state = 'active' AND query ILIKE 'COPY %%'"
                        " AND query LIKE %s", (f"%{schema}.%",))
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def postgis_backend_gone(server_url: str, pid: int) -> Callable[[], bool]:
    """True once the server backend ``pid`` has ended (its transaction rolled back)."""
    import psycopg2

    def check() -> bool:
        conn = psycopg2.connect(server_url, application_name="atlas-tests-watch")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
                return cur.fetchone()[0] == 0
        finally:
            conn.close()

    return check


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    w = commands.add_parser("write")
    w.add_argument("url")
    w.add_argument("layer")
    w.add_argument("n", type=int)
    w.add_argument("--prefix", default="w")
    w.add_argument("--mode", default="replace")
    w.add_argument("--batches", type=int, default=1)
    w.add_argument("--when", type=Path, default=None)
    r = commands.add_parser("read")
    r.add_argument("url")
    r.add_argument("layer")
    r.add_argument("out", type=Path)
    r.add_argument("--until", type=Path, required=True)
    c = commands.add_parser("cli")
    c.add_argument("--pause-after", choices=sorted(STEPS), default=None)
    c.add_argument("--signals", type=Path, default=None)
    c.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "cli":
        rest = args.args[1:] if args.args[:1] == ["--"] else args.args
        return cli(rest, args.pause_after, args.signals)
    if args.command == "write":
        return write(args.url, args.layer, args.n, args.prefix, args.mode, args.batches,
                     args.when)
    return read(args.url, args.layer, args.out, args.until)


if __name__ == "__main__":
    sys.exit(main())
