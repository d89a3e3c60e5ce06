"""Restore: one transaction with its checksum, checked against what the revision recorded.

Issue #23: a restore used to commit its rows, then its checksum in a second transaction;
killed in between, the revision kept an empty checksum for ever. Issue #14: a restore
reported success with 0 rows because it never compared what it copied with the
revision's recorded count and checksum. Every test runs on both stores.

The atlas of these tests has four revisions of ``wells``:
1. replace with 2,000 wells ``old000000``..``old001999``;
2. append 5 wells ``extra…`` (2,005 rows);
3. upsert 3 existing wells and 2 new ones (2,007 rows);
4. replace with 3 wells ``new…`` (3 rows).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from common import TEST_SETTINGS
from faults import (
    assert_consistent,
    assert_sentence,
    postgis_backends_in_transaction,
    run_cli,
    sql_as_owner,
    state_of,
)
from reliability_worker import LAYER, frame, postgis_backend_gone, spawn, wait_until

import atlas
from atlas.errors import StoreError
from atlas.store import is_postgres_url
from atlas.store.frames import checksum


@pytest.fixture
def restorable(store_url, store_catalog) -> str:
    """The atlas described in the module docstring."""
    upsert = frame(5, "up")
    upsert.loc[:2, "well_id"] = ["old000000", "old000001", "old000002"]
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(2000, "old"), user="tests", source="old.csv")
        created.write(LAYER, frame(5, "extra"), "append", user="tests")
        created.write(LAYER, upsert, "upsert", user="tests")
        created.write(LAYER, frame(3, "new"), user="tests")
    return store_url


@pytest.fixture
def server(store_url, request) -> str | None:
    """The PostGIS server behind ``store_url`` (None for a GeoPackage)."""
    return request.getfixturevalue("postgis_server") if is_postgres_url(store_url) else None


def test_a_restore_is_one_revision_that_records_its_checksum(restorable):
    with atlas.open(restorable) as opened:
        first = opened.history(LAYER)[0]
        restored = opened.restore(LAYER, 1, user="admin")
        assert (restored.revision, restored.mode, restored.restored_from) == (5, "restore", 1)
        assert restored.row_count == restored.rows_written == 2000
        assert restored.rows_removed == 3
        # The same 2,000 rows as revision 1 wrote: the same fingerprint.
        assert restored.checksum == first.checksum
        assert checksum(opened.read(LAYER), opened.spec(LAYER)) == first.checksum
    assert_consistent(restorable)


def test_restoring_an_append_or_an_upsert_revision_passes_the_check(restorable):
    # Their checksum covers the rows they wrote (the batch), not the whole layer.
    with atlas.open(restorable) as opened:
        assert opened.restore(LAYER, 2).row_count == 2005
        assert opened.restore(LAYER, 3).row_count == 2007
        assert opened.read(LAYER)["well_id"].str.startswith("up").sum() == 2
    assert_consistent(restorable)


@pytest.mark.slow
@pytest.mark.parametrize("step", ["rows", "checksum"])
def test_a_restore_killed_at_any_step_leaves_the_previous_revision(restorable, server,
                                                                   tmp_path, step):
    before = state_of(restorable)
    worker = spawn("cli", "--pause-after", step, "--signals", str(tmp_path), "--",
                   "restore", LAYER, "--revision", "1", "--atlas", restorable)
    try:
        wait_until((tmp_path / "paused").exists, worker, f"the restore to pause at {step}")
        backends = postgis_backends_in_transaction(server) if server else []
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL
    if server is None:
        assert Path(restorable + "-journal").exists()  # cut off inside its transaction
    else:
        assert len(backends) == 1
        wait_until(postgis_backend_gone(server, backends[0]), what="the server to roll back")

    assert state_of(restorable) == before
    assert_consistent(restorable)
    with atlas.open(restorable) as reopened:  # and the next restore takes the next number
        assert reopened.restore(LAYER, 1).revision == before["revision"] + 1
    assert_consistent(restorable)


def test_history_rows_deleted_behind_the_atlas_make_the_restore_refuse(restorable, server):
    sql_as_owner(restorable, server,
                 "DELETE FROM {schema}wells__history WHERE _rev_from = 1"
                 " AND well_id LIKE 'old00001_'")  # old000010 .. old000019
    before = state_of(restorable)
    with atlas.open(restorable) as opened, pytest.raises(StoreError) as refused:
        opened.restore(LAYER, 1)
    assert refused.value.key == "store.restore_count_mismatch"
    assert "2000 entité(s) à la révision 1" in refused.value.message("fr")
    assert "aujourd'hui 1990" in refused.value.message("fr")
    assert "had 2000 feature(s) at revision 1" in refused.value.message("en")
    assert "now gives 1990" in refused.value.message("en")
    assert state_of(restorable) == before  # rolled back: no revision, rows untouched


def test_a_history_value_changed_behind_the_atlas_makes_the_restore_refuse(restorable, server):
    sql_as_owner(restorable, server,
                 "UPDATE {schema}wells__history SET name = ? WHERE well_id = ? AND _rev_from = 1",
                 ("Puits falsifié", "old000042"))
    before = state_of(restorable)
    with atlas.open(restorable) as opened, pytest.raises(StoreError) as refused:
        opened.restore(LAYER, 1)
    assert refused.value.key == "store.restore_checksum_mismatch"
    assert "révision 1 ne correspondent plus à leur empreinte" in refused.value.message("fr")
    assert "written by revision 1 no longer match" in refused.value.message("en")
    assert state_of(restorable) == before


def test_the_restore_command_refuses_a_tampered_history_in_french_and_english(restorable,
                                                                              server):
    sql_as_owner(restorable, server, "DELETE FROM {schema}wells__history WHERE _rev_from = 2")
    before = state_of(restorable)
    french = run_cli("--lang", "fr", "restore", LAYER, "--revision", "2", "--atlas", restorable)
    english = run_cli("--lang", "en", "restore", LAYER, "--revision", "2", "--atlas", restorable)
    assert (french.exit_code, english.exit_code) == (2, 2)
    assert_sentence(french.output, "Restauration refusée", "comptait 2005 entité(s)",
                    "rien n'a été changé")
    assert_sentence(english.output, "Restore refused", "had 2005 feature(s)",
                    "nothing was changed")
    assert state_of(restorable) == before


@pytest.mark.slow
def test_a_revision_recorded_without_checksum_is_restored_on_its_count(restorable, server):
    # Older versions could leave a restore's checksum empty after a crash.
    sql_as_owner(restorable, server,
                 "UPDATE {schema}atlas_revisions SET checksum = '' WHERE revision = 1")
    with atlas.open(restorable) as opened:
        restored = opened.restore(LAYER, 1)
        assert restored.row_count == 2000
        assert restored.checksum == checksum(opened.read(LAYER), opened.spec(LAYER))
