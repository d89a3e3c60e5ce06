"""What every fault-injection test checks afterwards, and how it drives the ``atlas`` command.

After any fault the atlas must be at a consistent revision: every revision of the audit
log has its checksum, the layer holds the row count its last revision recorded, and
the rows that revision wrote have the checksum it recorded. The command must have said
what happened in a sentence (exit code 2), never with a traceback or by calling the
atlas "not an atlas".
"""

from __future__ import annotations

import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg2
from click.testing import CliRunner, Result
from reliability_worker import LAYER, spawn, wait_until, write_csv

import atlas
from atlas.cli import main
from atlas.store import is_postgres_url
from atlas.store.frames import checksum
from atlas.store.postgis import parse_url

#: What must never be printed when something goes wrong.
FORBIDDEN = ("Traceback", "n'est pas un atlas", "is not an atlas")


def state(opened: atlas.Atlas) -> dict[str, Any]:
    """Everything a fault must leave as it was: revisions, rows, content checksum."""
    spec = opened.spec(LAYER)
    return {
        "revision": opened.revision,
        "history": [(r.revision, r.layer, r.mode, r.user, r.rows_written, r.row_count,
                     r.checksum) for r in opened.history()],
        "rows": opened.count(LAYER),
        "checksum": checksum(opened.read(LAYER), spec),
    }


def state_of(url: str) -> dict[str, Any]:
    """:func:`state` of the atlas at ``url``, opened for the occasion."""
    with atlas.open(url) as opened:
        return state(opened)


def assert_consistent(url: str) -> None:
    """The atlas is at a revision whose count and checksum are recorded and true."""
    with atlas.open(url) as opened:
        history = opened.history()
        assert all(r.checksum for r in history), [r.revision for r in history if not r.checksum]
        last = opened.history(LAYER)[-1]
        rows = opened.read(LAYER)
        assert len(rows) == last.row_count
        if last.mode in ("replace", "restore"):  # their checksum covers the whole layer
            assert checksum(rows, opened.spec(LAYER)) == last.checksum


def run_cli(*args: str) -> Result:
    """The ``atlas`` command run in this process (stdout and stderr both captured)."""
    return CliRunner().invoke(main, list(args))


def assert_sentence(output: str, *fragments: str) -> None:
    """``output`` reports an error as a sentence holding ``fragments``, nothing worse."""
    for bad in FORBIDDEN:
        assert bad not in output, output
    assert "Erreur :" in output or "Error:" in output, output
    for fragment in fragments:
        assert fragment in output, output


def sql_as_owner(url: str, server: str | None, statement: str,
                 params: tuple[Any, ...] = ()) -> None:
    """Run ``statement`` on the atlas's tables behind the atlas's back.

    ``{schema}`` in the statement is replaced by the quoted schema and a dot on PostGIS,
    by nothing in a GeoPackage. On PostGIS it runs as the superuser with triggers off
    (``session_replication_role = replica``), as a database owner tampering with history
    could; in a GeoPackage, with plain sqlite3, as any tool editing the file could.
    """
    if not is_postgres_url(url):
        import sqlite3

        with closing(sqlite3.connect(url)) as conn, conn:
            conn.execute(statement.format(schema=""), params)
        return
    assert server is not None
    _, schema = parse_url(url)
    with closing(psycopg2.connect(server)) as conn, conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(statement.format(schema=f'"{schema}".').replace("?", "%s"), params)


def postgis_backends_in_transaction(server: str) -> list[int]:
    """Backend pids of atlas connections holding a transaction open right now."""
    with closing(psycopg2.connect(server, application_name="atlas-tests-watch")) as conn, \
            conn.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name ="
                    " 'atlas-territorial' AND state LIKE 'idle in transaction%'")
        return [row[0] for row in cur.fetchall()]


def paused_import(url: str, signals: Path, rows: int, mode: str = "replace",
                  step: str = "checksum", env: dict[str, str] | None = None
                  ) -> subprocess.Popen[str]:
    """An ``atlas import`` process of ``rows`` new wells, paused after ``step``.

    ``checksum`` (the default) is the last step before the commit: the writer holds the
    writers' lock and has recorded its revision. ``signals`` is the folder of the
    ``paused``/``go`` files (see reliability_worker.py) and of the CSV file.
    """
    signals.mkdir(exist_ok=True)
    source = write_csv(signals / "import.csv", rows, "imp")
    worker = spawn("cli", "--pause-after", step, "--signals", str(signals), "--",
                   "import", str(source), "--layer", LAYER, "--mode", mode,
                   "--atlas", str(url), env=env)
    wait_until((signals / "paused").exists, worker, f"the import to pause after {step}")
    return worker


def resume(worker: subprocess.Popen[str], signals: Path) -> tuple[int, str, str]:
    """Let a paused worker go on; its exit code, stdout and stderr."""
    (signals / "go").touch()
    out, err = worker.communicate(timeout=180)
    return worker.returncode, out, err
