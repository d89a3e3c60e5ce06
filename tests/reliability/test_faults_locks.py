"""A writer holding the writers' lock past the timeout, on both stores (issue #23).

A real ``atlas import`` process is paused just before its commit, holding the lock
(``BEGIN IMMEDIATE`` in a GeoPackage, the writers' lock of the PostGIS schema). Meanwhile
readers are not held at all and see the previous revision, and a second import gives
up after the timeout (1 s here instead of 120 s) with a sentence, exit code 2, having
written nothing. Then the first import commits, as one revision with its checksum.
"""

from __future__ import annotations

import pytest
from common import TEST_SETTINGS
from faults import (
    assert_consistent,
    assert_sentence,
    paused_import,
    resume,
    run_cli,
    state_of,
)
from reliability_worker import LAYER, frame, write_csv

import atlas
from atlas.store import geopackage, postgis


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "sentence"), [
    ("fr", "L'atlas est occupé par une autre écriture depuis plus de 1 s ; réessayez"),
    ("en", "The atlas has been held by another write for more than 1 s; try again"),
])
def test_a_writer_holding_the_lock_past_the_timeout(store_url, store_catalog, tmp_path,
                                                    monkeypatch, lang, sentence):
    monkeypatch.setattr(geopackage, "BUSY_TIMEOUT_S", 1)
    monkeypatch.setattr(postgis, "BUSY_TIMEOUT_S", 1)
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(2000, "old"), user="tests")
        created.write(LAYER, frame(5, "extra"), "append", user="tests")
    before = state_of(store_url)
    worker = paused_import(store_url, tmp_path / "first", 500, mode="append")
    try:
        listed = run_cli("--lang", lang, "layers", "--atlas", store_url)
        assert listed.exit_code == 0, listed.output
        assert "2005" in listed.output  # the previous revision, without waiting
        second = write_csv(tmp_path / "second.csv", 20, "second")
        refused = run_cli("--lang", lang, "import", str(second), "--layer", LAYER,
                          "--mode", "append", "--atlas", store_url)
        assert refused.exit_code == 2
        assert_sentence(refused.output, sentence)
        assert state_of(store_url) == before
    finally:
        code, _, err = resume(worker, tmp_path / "first")
    assert code == 0, err
    after = state_of(store_url)
    assert after["revision"] == before["revision"] + 1 and after["rows"] == 2505
    assert_consistent(store_url)
