"""Crash safety: an import process killed (SIGKILL) in the middle of a large write.

A worker process (tests/reliability_worker.py) replaces a layer of 2,000 rows with
200,000. The test waits until the write is provably under way -- for a GeoPackage,
the rollback journal exists *and* the database file has already grown with pages of
the unfinished transaction; for PostGIS, the server shows the worker's COPY into
the atlas schema as active -- then kills the process with SIGKILL, which no
``finally`` or ``atexit`` survives. The atlas must then open, hold the previous
revision exactly (rows and checksum), have no audit record of the killed write, and
accept the next write with the next revision number.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from common import TEST_SETTINGS
from reliability_worker import (
    LAYER,
    frame,
    gpkg_mid_write,
    postgis_backend_gone,
    postgis_copy_backends,
    spawn,
    wait_until,
)

import atlas
from atlas.store import is_postgres_url
from atlas.store.frames import checksum
from atlas.store.postgis import parse_url

BEFORE_ROWS = 2_000
KILLED_ROWS = 200_000


def state(opened: atlas.Atlas) -> dict[str, Any]:
    """Everything a killed write must not have changed."""
    spec = opened.spec(LAYER)
    return {
        "revision": opened.revision,
        "history": [(r.revision, r.layer, r.mode, r.user, r.rows_written, r.row_count,
                     r.checksum) for r in opened.history()],
        "rows": opened.count(LAYER),
        "checksum": checksum(opened.read(LAYER), spec),
        "at_revision": checksum(opened.read(LAYER, revision=opened.revision), spec),
    }


def kill_mid_write(url: str, server: str | None) -> int | None:
    """Start the big write, SIGKILL it once it is under way; the PostGIS backend pid."""
    worker = spawn("write", url, LAYER, str(KILLED_ROWS), "--prefix", "big", "--mode",
                   "replace")
    backend: list[int] = []
    try:
        if server is None:
            wait_until(gpkg_mid_write(Path(url)), worker, "the GeoPackage write")
        else:
            _, schema = parse_url(url)

            def copying() -> bool:
                backend[:] = postgis_copy_backends(server, schema)
                return bool(backend)

            wait_until(copying, worker, "the PostGIS COPY")
        os.kill(worker.pid, signal.SIGKILL)
        out, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    assert "revision" not in out  # killed before the write returned
    return backend[0] if backend else None


@pytest.mark.slow
def test_a_write_killed_midway_leaves_the_previous_revision(store_url, store_catalog,
                                                            request):
    server = request.getfixturevalue("postgis_server") if is_postgres_url(store_url) else None
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(BEFORE_ROWS, "old"), user="tests", source="old.csv")
        created.write(LAYER, frame(5, "extra"), "append", user="tests")
        before = state(created)
    assert before["rows"] == BEFORE_ROWS + 5

    backend = kill_mid_write(store_url, server)

    if server is None:
        journal = Path(store_url + "-journal")
        assert journal.exists() and journal.stat().st_size > 0  # a hot journal: cut short
    else:
        assert backend is not None
        wait_until(postgis_backend_gone(server, backend), what="the server to roll back")

    with atlas.open(store_url) as reopened:
        assert state(reopened) == before
        if server is None:
            with closing(sqlite3.connect(store_url)) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert not Path(store_url + "-journal").exists()  # rolled back on opening
        after = reopened.write(LAYER, frame(10, "after"), "append", user="tests")
        assert after.revision == before["revision"] + 1  # numbers continue, no hole
        assert reopened.count(LAYER) == before["rows"] + 10
        assert [r.revision for r in reopened.history()] == \
            [*(h[0] for h in before["history"]), after.revision]
        replaced = reopened.write(LAYER, frame(3, "last"), user="tests")
        assert replaced.revision == after.revision + 1 and reopened.count(LAYER) == 3


@pytest.mark.postgis
def test_a_killed_first_load_keeps_the_layer_empty_and_its_indexes(postgis_url, postgis_server,
                                                                   store_catalog):
    # Into an empty layer the PostGIS store drops the secondary indexes, COPYs, then
    # rebuilds them, all in one transaction: a kill in between must leave them in place.
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as created:
        before = state(created)
    backend = kill_mid_write(postgis_url, postgis_server)
    wait_until(postgis_backend_gone(postgis_server, backend), what="the server to roll back")
    import psycopg2

    _, schema = parse_url(postgis_url)
    with closing(psycopg2.connect(postgis_server)) as conn, conn.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                    (schema, LAYER))
        indexes = sorted(row[0] for row in cur.fetchall())
    assert any("gist" in name for name in indexes) and len(indexes) == 3, indexes
    with atlas.open(postgis_url) as reopened:
        assert state(reopened) == before
        assert reopened.write(LAYER, frame(4, "first")).revision == 1
