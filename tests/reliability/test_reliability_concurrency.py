"""Concurrency across processes, on both stores: writers queue, readers never see a mix.

- Two ``atlas import`` commands into the same layer at the same moment: each ends
  as its own revision, or is refused with a clear message (the plan went stale);
  the layer ends exactly as one of the serial orders would leave it.
- A second writer that starts while a large write is under way waits for it, then
  applies on top of it: two consecutive revisions, nothing half-applied.
- A reader process polling a layer while a writer process commits large batches
  only ever observes committed states (each observation's checksum is the checksum
  of the layer at one revision of the audit log).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import badinput
import geopandas as gpd
import pandas as pd
import pytest
from badinput import territory_frame
from common import TEST_SETTINGS
from reliability_worker import (
    LAYER,
    frame,
    gpkg_mid_write,
    postgis_copy_backends,
    spawn,
    wait_until,
)

import atlas
from atlas.errors import IngestError, StoreError
from atlas.ingest import import_file
from atlas.store import is_postgres_url
from atlas.store.frames import checksum
from atlas.store.postgis import parse_url

ROOT = Path(__file__).resolve().parents[2]
#: Rows of each file imported at the same time.
ROWS = 600
#: Rows of the large write, by store: long enough to be caught in the middle (PostGIS
#: loads several times faster than SQLite).
BIG = {"gpkg": 60_000, "postgis": 100_000}


def mid_write(url: str, server: str | None) -> Callable[[], bool]:
    """The condition "a write is under way" for either store (see reliability_worker)."""
    if server is None:
        return gpkg_mid_write(Path(url), grown_by=256 * 1024)
    _, schema = parse_url(url)
    return lambda: bool(postgis_copy_backends(server, schema))


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


# -- two imports at once -------------------------------------------------------------------
def _points_csv(path: Path, prefix: str, n: int) -> Path:
    rows = [[f"{prefix}{i:05d}", f"{prefix} {i}", "forage", "fonctionnel",
             13.2 + (i % 170) * 0.01, -16.9 + (i // 170) * 0.01] for i in range(n)]
    path.write_text(badinput.csv_text(badinput.WP_HEADER, rows), encoding="utf-8")
    return path


@pytest.mark.slow
def test_two_imports_into_one_layer_at_once(store_url, tmp_path):
    with atlas.create(store_url, TEST_SETTINGS) as created:
        created.write("territories", territory_frame(), user="tests")
        start = created.revision
    files = {name: _points_csv(tmp_path / f"{name}.csv", name, ROWS) for name in ("A", "B")}
    command = [sys.executable, "-m", "atlas.cli", "--lang", "fr", "import", "--atlas",
               store_url, "--layer", "water_points", "--mode", "replace"]
    processes = {name: subprocess.Popen([*command[:6], str(path), *command[6:]], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
                 for name, path in files.items()}
    results = {name: finish(process) for name, process in processes.items()}
    committed = [name for name, (code, _, _) in results.items() if code == 0]
    for code, out, err in results.values():
        if code != 0:  # refused: with a sentence, never a traceback
            assert code == 2, (out, err)
            assert "Traceback" not in err
            assert ("L'atlas a changé depuis la préparation de l'import" in err
                    or "L'atlas est occupé par une autre écriture" in err), err
    assert committed, results
    with atlas.open(store_url) as opened:
        history = opened.history("water_points")
        assert [r.revision for r in history] == list(range(start + 1,
                                                           start + 1 + len(committed)))
        assert sorted(r.source for r in history) == sorted(f"{n}.csv" for n in committed)
        last = history[-1].source.removesuffix(".csv")
        ids = sorted(opened.read("water_points", columns=["wp_id"])["wp_id"])
        assert ids == [f"{last}{i:05d}" for i in range(ROWS)]  # one serial outcome, whole
        assert history[-1].checksum == checksum(opened.read("water_points"),
                                                opened.spec("water_points"))


def test_a_plan_that_went_stale_between_check_and_write_is_refused(store_url, tmp_path,
                                                                  monkeypatch):
    # The race the early check in ImportPlan.commit cannot close: another import lands
    # right after the check. The store repeats the check under the writers' lock.
    with atlas.create(store_url, TEST_SETTINGS) as opened:
        opened.write("territories", territory_frame(), user="tests")
        plan = import_file(opened, _points_csv(tmp_path / "A.csv", "A", 20), "water_points",
                           mode="replace")
        planned = plan.revision_at_plan
        import_file(opened, _points_csv(tmp_path / "B.csv", "B", 5), "water_points",
                    mode="replace").commit(user="other")
        before = (opened.revision, opened.history(), opened.read("water_points"))
        monkeypatch.setattr(atlas.Atlas, "revision", property(lambda self: planned))
        with pytest.raises(IngestError) as refused:
            plan.commit(user="late")
        monkeypatch.undo()
        assert refused.value.key == "ingest.stale"
        assert f"révision {planned}, maintenant {planned + 1}" in refused.value.message("fr")
        assert (opened.revision, opened.history()) == before[:2]
        assert opened.read("water_points").equals(before[2])
        with pytest.raises(StoreError) as direct:
            opened.store.write("water_points", before[2], expected_revision=planned)
        assert direct.value.key == "store.stale"
        assert "nothing was written" in direct.value.message("en")
        assert opened.revision == before[0]
        written = opened.store.write("water_points", before[2], expected_revision=before[0])
        assert written.revision == before[0] + 1


# -- a second writer while a large write is under way ----------------------------------------
@pytest.mark.slow
def test_a_writer_that_arrives_mid_write_waits_then_applies_on_top(store_url, store_catalog,
                                                                   request, tmp_path):
    server = request.getfixturevalue("postgis_server") if is_postgres_url(store_url) else None
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(1000, "old"), user="tests")
    go = tmp_path / "go"
    # The second writer starts at once and gets ready; it writes when told to.
    small = spawn("write", store_url, LAYER, "10", "--prefix", "small", "--mode", "append",
                  "--when", str(go))
    rows = BIG["postgis" if server else "gpkg"]
    big = spawn("write", store_url, LAYER, str(rows), "--prefix", "big", "--mode", "replace")
    wait_until(mid_write(store_url, server), big, "the large write")
    go.touch()
    if server is not None:  # the second writer is seen queuing on the writers' lock
        def queued() -> bool:
            import psycopg2

            with psycopg2.connect(server) as conn, conn.cursor() as cur:
                # Waiting for the lock row of atlas_lock: a wait on its holder's
                # transaction (atlas.store.pg_guard).
                cur.execute("SELECT count(*) FROM pg_locks WHERE NOT granted"
                            " AND locktype IN ('transactionid', 'tuple')")
                return cur.fetchone()[0] > 0
        wait_until(queued, small, "the second writer to queue")
    results = [finish(big), finish(small)]
    assert [code for code, _, _ in results] == [0, 0], results
    with atlas.open(store_url) as opened:
        history = opened.history(LAYER)
        assert [(r.user, r.row_count) for r in history] == [
            (history[0].user, 1000), ("worker-big", rows), ("worker-small", rows + 10)]
        assert [r.revision for r in history] == [1, 2, 3]
        expected = gpd.GeoDataFrame(pd.concat([frame(rows, "big", seed=3 + rows),
                                               frame(10, "small", seed=5 + 10)]),
                                    crs=4326)
        spec = opened.spec(LAYER)
        assert checksum(opened.read(LAYER), spec) == checksum(expected, spec)


# -- readers while a writer commits ------------------------------------------------------------
@pytest.mark.slow
def test_readers_only_ever_see_committed_states(store_url, store_catalog, tmp_path):
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(20000, "first"), user="tests")
    log, stop, go = tmp_path / "seen.jsonl", tmp_path / "stop", tmp_path / "go"
    reader = spawn("read", store_url, LAYER, str(log), "--until", str(stop))
    writer = spawn("write", store_url, LAYER, "25000", "--prefix", "batch", "--mode",
                   "replace", "--batches", "3", "--when", str(go))
    wait_until(lambda: log.exists() and log.stat().st_size > 0, reader, "a first reading")
    began = time.time()
    go.touch()
    code, out, err = finish(writer)
    ended = time.time()
    assert code == 0, err
    time.sleep(0.3)
    stop.touch()
    assert finish(reader)[0] == 0
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    with atlas.open(store_url) as opened:
        spec = opened.spec(LAYER)
        committed = {r.revision: (r.row_count, checksum(opened.read(LAYER, revision=r.revision),
                                                        spec))
                     for r in opened.history(LAYER)}
    assert len(committed) == 4
    states = set(committed.values())
    observed = [(s["rows"], s["checksum"]) for s in seen]
    assert all(state in states for state in observed), \
        [state for state in observed if state not in states][:3]
    during = [s for s in seen if began <= s["at"] <= ended]
    assert during, "the reader made no observation while the writer was writing"
    assert len(set(observed)) >= 2  # it did see the layer change
    assert observed[0] == committed[1] and observed[-1] == committed[4]
