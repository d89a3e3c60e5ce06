"""A throwaway PostgreSQL + PostGIS cluster for the tests and the load benchmark.

The tests need a real PostGIS (SQLite-style fakes would hide exactly the bugs the
PostGIS store can have: types, SRIDs, locks, COPY), but must not depend on a server
somebody configured by hand. So the test session creates a cluster in a temporary
directory, runs it on a free localhost port with its own unix-socket directory and
``trust`` authentication, and deletes it at the end.

PostgreSQL refuses to run as root: when the tests run as root (containers, CI), the
cluster's files are handed to the ``postgres`` system user and every server command
runs through ``runuser -u postgres --``; otherwise the current user runs it.

When PostgreSQL or PostGIS is missing, :class:`PostGISUnavailable` says exactly what
to install: the PostGIS tests fail rather than skip, so a missing package is never
mistaken for a green run.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

#: Debian packages that provide the server and the extension.
INSTALL_HINT = ("apt-get install postgresql-15 postgresql-15-postgis-3 "
                "(PostgreSQL 15 server and the PostGIS 3 extension)")
#: Name of the database the cluster creates for the tests.
DATABASE = "atlas_test"
#: Superuser created by initdb.
SUPERUSER = "postgres"
#: Seconds to wait for the server to accept connections.
START_TIMEOUT_S = 60


class PostGISUnavailable(RuntimeError):
    """PostgreSQL or PostGIS cannot be run here; the message says what to install."""


def find_bindir() -> Path:
    """Directory of initdb/pg_ctl: ``ATLAS_PG_BINDIR``, else the newest Debian install."""
    override = os.environ.get("ATLAS_PG_BINDIR")
    candidates = [override] if override else sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    raise PostGISUnavailable(f"PostgreSQL server binaries (initdb) not found; {INSTALL_HINT}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    """One temporary cluster: :meth:`start` it, use :attr:`url`, then :meth:`stop` it.

    ``durable=False`` (the default, for tests) turns off fsync and synchronous commit:
    the cluster is deleted anyway, and the tests run faster. The benchmark passes
    ``durable=True`` so that timings include what a real server pays for a commit.
    """

    def __init__(self, *, durable: bool = False, bindir: Path | None = None) -> None:
        self.durable = durable
        self.bindir = bindir or find_bindir()
        self.root: Path | None = None
        self.port = 0
        self.options = ""
        self.as_root = os.geteuid() == 0

    # -- paths ----------------------------------------------------------------------
    @property
    def data(self) -> Path:
        """PGDATA of the cluster."""
        assert self.root is not None
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """Unix socket directory (owned by the server's user)."""
        assert self.root is not None
        return self.root / "socket"

    @property
    def log(self) -> Path:
        """Server log, shown in the error when the server does not start."""
        assert self.root is not None
        return self.root / "server.log"

    def url(self, database: str = DATABASE) -> str:
        """SQLAlchemy/libpq URL of a database of this cluster, over TCP on localhost."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # -- running commands -----------------------------------------------------------
    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        command = [str(a) for a in args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False,
                                cwd="/")
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()
            if self.log.exists():
                detail += "\n--- server log ---\n" + self.log.read_text(errors="replace")[-3000:]
            raise PostGISUnavailable(
                f"{Path(command[-1] if not args else args[0]).name} failed "
                f"({result.returncode}): {detail}")
        return result

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> PgCluster:
        """initdb, start the server, create the test database with PostGIS."""
        self.root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        self.socket_dir.mkdir()
        if self.as_root:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise PostGISUnavailable(
                    f"running as root needs the 'postgres' system user; {INSTALL_HINT}"
                ) from None
            for path in (self.root, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
        try:
            self._run(self.bindir / "initdb", "-D", self.data, "-U", SUPERUSER,
                      "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
            self.port = free_port()
            options = [f"-p {self.port}", f"-k {self.socket_dir}",
                       "-c listen_addresses=127.0.0.1", "-c max_connections=50",
                       "-c shared_buffers=256MB", "-c max_wal_size=2GB"]
            if not self.durable:
                options += ["-c fsync=off", "-c synchronous_commit=off",
                            "-c full_page_writes=off"]
            self.options = " ".join(options)
            self.start_server()
            self._create_database()
        except BaseException:
            self.stop()
            raise
        return self

    def start_server(self) -> None:
        """Start the server of an initialised cluster, with the options it first had."""
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-w",
                  "-t", str(START_TIMEOUT_S), "-o", self.options, "start")

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server but keep the cluster (fault tests; ``mode`` as in ``pg_ctl -m``)."""
        self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def _create_database(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                conn = psycopg2.connect(self.url("postgres"))
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE {DATABASE}")
        finally:
            conn.close()
        ensure_postgis(self.url())

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete every file of the cluster."""
        if self.root is None:
            return
        if (self.data / "postmaster.pid").exists():
            try:
                self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w",
                          "stop")
            except PostGISUnavailable:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> PgCluster:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop and delete on leaving it."""
        self.stop()


def ensure_postgis(url: str) -> None:
    """Create the PostGIS extension in the database at ``url`` (idempotent)."""
    try:
        conn = psycopg2.connect(url)
    except psycopg2.OperationalError as exc:
        raise PostGISUnavailable(f"cannot connect to {url}: {exc}") from exc
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg2.Error as exc:
        raise PostGISUnavailable(
            f"the PostGIS extension cannot be created in {url} ({exc.pgerror or exc}); "
            f"{INSTALL_HINT}") from exc
    finally:
        conn.close()


def with_schema(url: str, schema: str) -> str:
    """``url`` with the atlas ``schema`` query parameter added."""
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


def drop_schema(url: str, schema: str) -> None:
    """Delete a test atlas: its schema and its rows in ``public.layer_styles``."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cur.execute("SELECT to_regclass('public.layer_styles') IS NOT NULL")
            if cur.fetchone()[0]:
                cur.execute("DELETE FROM public.layer_styles WHERE f_table_schema = %s",
                            (schema,))
    finally:
        conn.close()
