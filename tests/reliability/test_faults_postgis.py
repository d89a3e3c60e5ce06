"""The PostgreSQL server stopped at each step of an import or a restore (issue #23).

These tests run their own small PostGIS cluster (tests/pgcluster.py), durable like a
real server, so that stopping it disturbs nothing else. A real ``atlas`` process is
paused at a known step (tests/reliability_worker.py ``cli``): the import has started
planning, its COPY has begun, it has recorded its revision and is about to commit, or a
restore has copied its rows back. The server is stopped there (``pg_ctl stop``, in
``fast`` mode as an administrator would, or ``immediate`` as a crash would), then the
process goes on. It must end with exit code 2 and a sentence in the language asked
for, never a traceback; once the server is back, the atlas must be at its previous
revision, with every checksum recorded.
"""

from __future__ import annotations

import uuid

import pytest
from common import TEST_SETTINGS
from faults import assert_consistent, assert_sentence, paused_import, resume, state_of
from pgcluster import PgCluster, PostGISUnavailable, with_schema
from reliability_worker import LAYER, frame, spawn, wait_until

import atlas

pytestmark = [pytest.mark.postgis, pytest.mark.slow]

LOST = {"fr": "La connexion au serveur PostgreSQL de l'atlas",
        "en": "The connection to the PostgreSQL server of the atlas"}
REFUSED = {"fr": "Connexion impossible à", "en": "Cannot connect to"}


@pytest.fixture(scope="module")
def cluster():
    """A throwaway PostGIS cluster of these tests alone, with fsync on."""
    try:
        server = PgCluster(durable=True).start()
    except PostGISUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def url(cluster, store_catalog) -> str:
    """An atlas with 2,000 wells (revision 1) and 5 more (revision 2) on that cluster."""
    address = with_schema(cluster.url(), f"fault_{uuid.uuid4().hex[:10]}")
    with atlas.create(address, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(2000, "old"), user="tests")
        created.write(LAYER, frame(5, "extra"), "append", user="tests")
    return address


def stop_then_resume(cluster: PgCluster, worker, signals, mode: str) -> tuple[int, str]:
    """Stop the server under the paused worker, let it go on, start the server again."""
    cluster.stop_server(mode)
    try:
        code, _, err = resume(worker, signals)
    finally:
        cluster.start_server()
    return code, err


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("step", "mode", "expected"), [
    ("plan", "fast", REFUSED),  # planning needs the atlas again: it cannot reconnect
    ("copy", "immediate", LOST),  # the COPY stream is cut
    ("checksum", "fast", LOST),  # the commit never reaches the server
])
def test_the_server_stopped_during_an_import(cluster, url, tmp_path, lang, step, mode,
                                             expected):
    before = state_of(url)
    signals = tmp_path / "signals"
    worker = paused_import(url, signals, 500, mode="append", step=step,
                           env={"ATLAS_LANG": lang})
    code, err = stop_then_resume(cluster, worker, signals, mode)
    assert code == 2, err
    assert_sentence(err, expected[lang])
    assert state_of(url) == before
    assert_consistent(url)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_server_stopped_during_a_restore(cluster, url, tmp_path, lang):
    before = state_of(url)
    signals = tmp_path / "signals"
    signals.mkdir()
    worker = spawn("cli", "--pause-after", "rows", "--signals", str(signals), "--",
                   "--lang", lang, "restore", LAYER, "--revision", "1", "--atlas", url)
    wait_until((signals / "paused").exists, worker, "the restore to copy its rows")
    code, err = stop_then_resume(cluster, worker, signals, "fast")
    assert code == 2, err
    assert_sentence(err, LOST[lang])
    assert state_of(url) == before
    assert_consistent(url)
    with atlas.open(url) as reopened:  # the server is back: the restore now succeeds
        assert reopened.restore(LAYER, 1).row_count == 2000
    assert_consistent(url)
