"""GeoPackage faults: readers during a long write, locks past the timeout, read-only media.

Issue #23: readers waited for the whole write phase of a large import (the writer's
page cache spilled into the file, which takes the exclusive lock until the commit);
past the busy timeout they were told the file was "not an atlas… create it with atlas
init", or got a ``database is locked`` traceback; and an atlas left with a hot journal on
a read-only USB key was called "not an atlas" too, advice that would destroy it.

Writers are real ``atlas`` processes (tests/reliability_worker.py ``cli``) paused inside
their transaction; read-only media are real read-only mounts, made for one process
with ``unshare`` (a private mount namespace, so nothing changes for anyone else).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

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
from reliability_worker import LAYER, frame, gpkg_mid_write, spawn, wait_until, write_csv

import atlas
from atlas.errors import ConcurrentWriteError
from atlas.store import geopackage
from atlas.store.geopackage import WRITE_CACHE_ENV

ROOT = Path(__file__).resolve().parents[2]
#: Rows of the large import: some 15 MB of changed pages, far past SQLite's default
#: 2 MB page cache, which used to spill and lock the readers out.
BIG = 60_000


@pytest.fixture
def gpkg(tmp_path, store_catalog) -> Path:
    """An atlas with 2,000 wells (revision 1) and 5 more (revision 2), in its own folder."""
    path = tmp_path / "media" / "atlas.gpkg"
    with atlas.create(path, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(2000, "old"), user="tests", source="old.csv")
        created.write(LAYER, frame(5, "extra"), "append", user="tests")
    return path


@pytest.fixture
def short_timeout(monkeypatch):
    """Readers and writers of this process give up after 1 s instead of 120 s."""
    monkeypatch.setattr(geopackage, "BUSY_TIMEOUT_S", 1)


def let_finish(worker: subprocess.Popen[str], signals: Path) -> str:
    """Let a paused import commit; its standard output."""
    code, out, err = resume(worker, signals)
    assert code == 0, err
    return out


@pytest.mark.slow
def test_readers_see_the_previous_revision_during_a_large_import(gpkg, tmp_path,
                                                                  short_timeout):
    before = state_of(gpkg)
    size = gpkg.stat().st_size
    worker = paused_import(str(gpkg), tmp_path / "signals", BIG)
    try:
        # Every change is still in the writer's memory: readers are not held at all.
        assert gpkg.stat().st_size == size
        assert state_of(gpkg) == before
        listed = run_cli("--lang", "fr", "layers", "--atlas", str(gpkg))
        assert listed.exit_code == 0, listed.output
        assert "2005" in listed.output
    finally:
        out = let_finish(worker, tmp_path / "signals")
    assert "révision 3" in out
    with atlas.open(gpkg) as reopened:
        assert reopened.count(LAYER) == BIG and reopened.revision == 3
    assert_consistent(gpkg)


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "sentence"), [
    ("fr", "L'atlas est occupé par une autre écriture depuis plus de 1 s"),
    ("en", "The atlas has been held by another write for more than 1 s"),
])
def test_a_write_holding_readers_past_the_timeout_is_a_busy_sentence(gpkg, tmp_path,
                                                                      short_timeout, lang,
                                                                      sentence):
    # Past its memory budget (1 MB here) a writer spills into the file and holds the
    # exclusive lock until its commit: readers wait, then give up with a sentence.
    before = state_of(gpkg)
    size = gpkg.stat().st_size
    opened = atlas.open(gpkg)  # an app viewer that opened the atlas before the write
    worker = paused_import(str(gpkg), tmp_path / "signals", BIG, env={WRITE_CACHE_ENV: "1"})
    try:
        assert gpkg.stat().st_size > size  # spilled: the file is half-changed, and locked
        listed = run_cli("--lang", lang, "layers", "--atlas", str(gpkg))
        assert listed.exit_code == 2
        assert_sentence(listed.output, sentence)
        with pytest.raises(ConcurrentWriteError) as waited:
            opened.read(LAYER)
        assert waited.value.key == "store.busy"
        with pytest.raises(ConcurrentWriteError):
            atlas.open(gpkg)
    finally:
        opened.close()
        let_finish(worker, tmp_path / "signals")
    after = state_of(gpkg)
    assert after["revision"] == before["revision"] + 1 and after["rows"] == BIG
    assert_consistent(gpkg)


def on_read_only_medium(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``atlas ARGS`` in a process that sees ``folder`` mounted read-only.

    ``unshare`` gives the command its own mount namespace, in which the folder is
    bind-mounted onto itself read-only: the files are the real ones, only writing is
    impossible, as on a write-protected USB key. Outside that process nothing changes.
    """
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    as_root = [] if os.geteuid() == 0 else ["--map-root-user"]
    return subprocess.run(
        ["unshare", "--mount", *as_root, "sh", "-c", script, "sh", str(folder),
         sys.executable, "-m", "atlas.cli", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)


def crash_mid_write(path: Path) -> None:
    """SIGKILL a 200,000-row replace once it has changed the file: a hot journal stays."""
    worker = spawn("write", str(path), LAYER, "200000", "--prefix", "big", "--mode", "replace")
    try:
        wait_until(gpkg_mid_write(path), worker, "the GeoPackage write")
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert Path(f"{path}-journal").stat().st_size > 0


@pytest.mark.slow
def test_a_hot_journal_on_a_read_only_medium_says_how_to_recover(gpkg, tmp_path):
    before = state_of(gpkg)
    crash_mid_write(gpkg)
    french = on_read_only_medium(gpkg.parent, "--lang", "fr", "layers", "--atlas", str(gpkg))
    english = on_read_only_medium(gpkg.parent, "--lang", "en", "layers", "--atlas", str(gpkg))
    assert (french.returncode, english.returncode) == (2, 2), french.stderr
    assert_sentence(french.stderr, "interrompu au milieu d'une écriture",
                    "support en lecture seule", "« atlas.gpkg-journal »",
                    "sur un disque où l'on peut écrire", "Ne supprimez pas le journal")
    assert_sentence(english.stderr, "cut off in the middle of a write", "read-only storage",
                    "'atlas.gpkg-journal'", "to writable storage", "Do not delete the journal")
    assert Path(f"{gpkg}-journal").exists()  # nothing was touched on the medium

    # The advice works: the file and its journal copied to writable storage, opened once.
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(gpkg, copy / "atlas.gpkg")
    shutil.copy(f"{gpkg}-journal", copy / "atlas.gpkg-journal")
    assert state_of(copy / "atlas.gpkg") == before
    assert not (copy / "atlas.gpkg-journal").exists()
    with closing(sqlite3.connect(copy / "atlas.gpkg")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert_consistent(str(copy / "atlas.gpkg"))


@pytest.mark.slow
def test_an_atlas_on_a_read_only_medium_can_be_read_but_not_written(gpkg, tmp_path):
    before = state_of(gpkg)
    source = write_csv(tmp_path / "more.csv", 10, "more")
    listed = on_read_only_medium(gpkg.parent, "--lang", "fr", "layers", "--atlas", str(gpkg))
    assert listed.returncode == 0, listed.stderr
    assert "2005" in listed.stdout
    for lang, sentence in (("fr", "est sur un support en lecture seule"),
                           ("en", "is on read-only storage")):
        refused = on_read_only_medium(gpkg.parent, "--lang", lang, "import", str(source),
                                      "--layer", LAYER, "--atlas", str(gpkg))
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert_sentence(refused.stderr, sentence)
    assert state_of(gpkg) == before


@pytest.mark.parametrize(("lang", "sentence"), [
    ("fr", "La base de données de l'atlas a refusé ou interrompu l'opération"),
    ("en", "The atlas's database refused or interrupted the operation"),
])
def test_a_failure_no_store_foresaw_is_still_a_sentence(gpkg, lang, sentence):
    # Another tool dropped a layer's table: reading it fails in SQLite itself.
    with closing(sqlite3.connect(gpkg)) as conn, conn:
        conn.execute("DROP TABLE wells")
    result = run_cli("--lang", lang, "layers", "--atlas", str(gpkg))
    assert result.exit_code == 2
    assert_sentence(result.output, sentence, "no such table: wells")
