"""Provenance recorded at import (issue #16 item 8): source, licence, date of the data.

Kept with each revision on both stores, shown by ``atlas history``, carried by restores,
and summed per source over the current rows (what maps and sheets cite). Atlases made
before the ``provenance`` column gain it when opened by someone who may alter them, and
are read with empty provenance by anyone else; a writer role cannot rewrite it.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import psycopg2
import pytest
from audit_roles import (
    Roles,
    drop_roles,
    execute,
    granted,
    make_legacy,
    new_role_names,
    refusal,
)
from click.testing import CliRunner
from common import TEST_SETTINGS
from fixtures_ingest_files import THIES, write_csv
from reliability_worker import LAYER, frame

import atlas
from atlas.cli import main
from atlas.errors import IngestError
from atlas.ingest import import_file
from atlas.ingest.provenance import check_as_of
from atlas.store.pg_guard import GUARD_MARK
from atlas.store.postgis import parse_url

HEADER = ["nom", "type", "etat", "lat", "lon"]
Refused = psycopg2.errors.InsufficientPrivilege


def boreholes(tmp_path, name: str = "forages_dnh.csv", count: int = 3):
    rows = [[f"Forage {i}", "forage", "ok", THIES[1] + i * 1e-3, THIES[0]] for i in range(count)]
    return write_csv(tmp_path / name, HEADER, rows)


@pytest.mark.slow
def test_provenance_given_at_import_survives_reopening(store_url, tmp_path):
    with atlas.create(store_url, TEST_SETTINGS) as created:
        plan = import_file(created, boreholes(tmp_path), "water_points",
                           source="DNH, inventaire national des forages",
                           licence="CC-BY 4.0", as_of="2024-03")
        plan.commit()
    with atlas.open(store_url) as reopened:
        [revision] = reopened.history("water_points")
        frame_row = reopened.history_frame("water_points").iloc[0]
    assert revision.provenance == {"source": "DNH, inventaire national des forages",
                                   "licence": "CC-BY 4.0", "as_of": "2024-03"}
    assert (revision.source, revision.licence, revision.as_of) == \
        ("forages_dnh.csv", "CC-BY 4.0", "2024-03")
    assert (frame_row["cited_source"], frame_row["licence"], frame_row["as_of"]) == \
        ("DNH, inventaire national des forages", "CC-BY 4.0", "2024-03")


def test_without_options_the_source_is_the_file_and_the_date_its_modification(gpkg_url,
                                                                             tmp_path):
    path = boreholes(tmp_path, "forages_2023.csv")
    stamp = datetime(2023, 5, 17, 12, 0, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    with atlas.create(gpkg_url, TEST_SETTINGS) as created:
        revision = import_file(created, path, "water_points").commit()
    assert revision.provenance == {"source": "forages_2023.csv", "as_of": "2023-05-17"}
    assert revision.licence is None


def test_set_constants_are_kept_as_given(gpkg_url, tmp_path):
    with atlas.create(gpkg_url, TEST_SETTINGS) as created:
        revision = import_file(created, boreholes(tmp_path), "water_points",
                               constants=["management=community"], as_of="2024").commit()
    assert revision.provenance["constants"] == {"management": "community"}
    assert revision.as_of == "2024"


@pytest.mark.parametrize("value", ["17/05/2023", "2024-13", "2023-02-29", "mai 2024"])
def test_a_date_that_is_not_iso_is_refused_with_a_sentence(gpkg_url, tmp_path, value):
    with atlas.create(gpkg_url, TEST_SETTINGS) as created:
        with pytest.raises(IngestError) as refused:
            import_file(created, boreholes(tmp_path), "water_points", as_of=value)
    assert refused.value.key == "ingest.bad_as_of"
    assert refused.value.message("fr") == (
        f"La date des données « {value} » n'est pas comprise : écrivez-la AAAA-MM-JJ,"
        " AAAA-MM ou AAAA (par exemple 2024-03-15).")


def test_iso_dates_of_a_year_a_month_or_a_day_are_kept_as_written():
    assert [check_as_of(v) for v in ("2024", "2024-03", "2024-02-29", " ", None)] == \
        ["2024", "2024-03", "2024-02-29", None, None]


def test_atlas_history_shows_source_licence_and_date(gpkg_url, tmp_path):
    atlas.create(gpkg_url, TEST_SETTINGS).close()
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(boreholes(tmp_path)), "--atlas", gpkg_url,
                                  "--layer", "water_points", "--source", "DNH",
                                  "--licence", "ODbL", "--as-of", "2024-03-15"])
    assert result.exit_code == 0, result.output
    assert "Provenance : DNH ; licence : ODbL ; données du 2024-03-15." in result.output
    result = runner.invoke(main, ["--lang", "en", "history", "water_points", "--atlas",
                                  gpkg_url])
    assert result.exit_code == 0, result.output
    header, line = result.output.splitlines()[1:3]
    assert "licence" in header and "data as of" in header
    assert "DNH" in line and "ODbL" in line and "2024-03-15" in line


def test_the_sources_of_current_rows_follow_appends_and_upserts(store_url, store_catalog):
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(3, "a"), "replace", provenance={"source": "A", "as_of": "2020"})
        created.write(LAYER, frame(2, "b"), "append", provenance={"source": "B"})
        update = frame(1, "a", seed=7)  # well a000000 again, other values
        created.write(LAYER, update, "upsert", provenance={"source": "C", "licence": "ODbL"})
        days = {r.revision: r.created_at.date().isoformat() for r in created.history(LAYER)}
        assert created.sources(LAYER) == [
            {"source": "A", "licence": None, "as_of": "2020", "imported": days[1],
             "revision": 1, "rows": 2},
            {"source": "B", "licence": None, "as_of": None, "imported": days[2],
             "revision": 2, "rows": 2},
            {"source": "C", "licence": "ODbL", "as_of": None, "imported": days[3],
             "revision": 3, "rows": 1}]


def test_a_restore_keeps_the_provenance_and_the_sources_lead_to_the_imports(store_url,
                                                                            store_catalog):
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(3, "a"), "replace", provenance={"source": "A"})
        created.write(LAYER, frame(2, "b"), "append",
                      provenance={"source": "B", "licence": "CC-BY 4.0"})
        created.write(LAYER, frame(1, "c"), "replace", provenance={"source": "C"})
        restored = created.restore(LAYER, 2)
        assert restored.provenance == {"source": "B", "licence": "CC-BY 4.0",
                                       "restored_from": 2, "origins": {"1": 3, "2": 2}}
        assert [(s["source"], s["revision"], s["rows"]) for s in created.sources(LAYER)] == \
            [("A", 1, 3), ("B", 2, 2)]
    with atlas.open(store_url) as reopened:
        assert reopened.history(LAYER)[-1].provenance == restored.provenance


def test_a_geopackage_made_before_provenance_opens_and_gains_the_column(gpkg_url,
                                                                       store_catalog):
    with atlas.create(gpkg_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(3, "a"), source="ancien.csv")
    with closing(sqlite3.connect(gpkg_url)) as conn:  # as older versions made it
        conn.execute("ALTER TABLE atlas_revisions DROP COLUMN provenance")
        conn.commit()
    with atlas.open(gpkg_url) as opened:
        [old] = opened.history(LAYER)
        new = opened.write(LAYER, frame(1, "b"), "append", provenance={"source": "DNH"})
    assert (old.source, old.provenance) == ("ancien.csv", {})
    assert new.provenance == {"source": "DNH"}
    with closing(sqlite3.connect(gpkg_url)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(atlas_revisions)")]
    assert columns[-1] == "provenance"


# -- PostGIS roles -----------------------------------------------------------------------------

@pytest.fixture
def roles(postgis_url, postgis_server, store_catalog):
    names = new_role_names()
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(5, "a"), user="admin", provenance={"source": "DNH"})
    try:
        yield granted(postgis_url, postgis_server, names)
    finally:
        drop_roles(postgis_server, names)


@pytest.mark.postgis
def test_a_writer_cannot_rewrite_the_provenance_of_a_revision(roles):
    revisions = roles.table("atlas_revisions")
    error = refusal(roles.server_as(roles.writer),
                    f"""UPDATE {revisions} SET provenance = '{{"source": "faux"}}'"""
                    " WHERE revision = 1")
    assert isinstance(error, Refused)
    # Not even of the revision its own transaction opened: only counts and checksum.
    with closing(psycopg2.connect(roles.server_as(roles.writer))) as conn, \
            conn.cursor() as cur:
        cur.execute(f'INSERT INTO {revisions} (revision, layer, mode, created_at, "user",'
                    " rows_written, rows_removed, row_count, checksum, provenance) VALUES"
                    " (2, 'wells', 'append', '2025-01-01T00:00:00+00:00', 'awa', 0, 0, 0, '',"
                    """ '{"source": "DNH"}')""")
        with pytest.raises(Refused):
            cur.execute(f"UPDATE {revisions} SET provenance = NULL WHERE revision = 2")
        conn.rollback()
    with atlas.open(roles.url(roles.writer)) as writer:
        written = writer.write(LAYER, frame(2, "b"), "append", provenance={"source": "ANSD"})
        assert [r.provenance for r in writer.history(LAYER)] == \
            [{"source": "DNH"}, {"source": "ANSD"}] and written.revision == 2


@pytest.fixture
def legacy(postgis_url, postgis_server, store_catalog):
    """An atlas as versions before the guard and the provenance column left it."""
    names = new_role_names()
    with atlas.create(postgis_url, TEST_SETTINGS, store_catalog) as created:
        created.write(LAYER, frame(3, "a"), user="admin", source="ancien.csv")
    schema = parse_url(postgis_url)[1]
    execute(postgis_server, f'ALTER TABLE "{schema}".atlas_revisions DROP COLUMN provenance')
    make_legacy(postgis_server, schema, names)
    try:
        yield Roles(postgis_url, postgis_server, schema, *names)
    finally:
        drop_roles(postgis_server, names)


def provenance_column(roles: Roles) -> bool:
    return bool(execute(roles.server, "SELECT 1 FROM information_schema.columns WHERE"
                        " table_schema = %s AND table_name = 'atlas_revisions'"
                        " AND column_name = 'provenance'", (roles.schema,)))


@pytest.mark.postgis
def test_an_old_postgis_atlas_is_read_as_it_is_until_its_owner_opens_it(legacy):
    with atlas.open(legacy.url(legacy.reader)) as reader:
        assert [r.provenance for r in reader.history(LAYER)] == [{}]
    with atlas.open(legacy.url(legacy.writer)) as writer:  # may not alter the table
        writer.write(LAYER, frame(1, "b"), "append", provenance={"source": "perdu"})
        assert [r.provenance for r in writer.history(LAYER)] == [{}, {}]
    assert not provenance_column(legacy)
    with atlas.open(legacy.owner_url) as owner:
        written = owner.write(LAYER, frame(1, "c"), "append", provenance={"source": "DNH"})
        assert [r.provenance for r in owner.history(LAYER)] == [{}, {}, {"source": "DNH"}]
    assert provenance_column(legacy) and written.provenance == {"source": "DNH"}
    comment = execute(legacy.server, "SELECT obj_description(to_regclass(%s), 'pg_class')",
                      (f'"{legacy.schema}".atlas_lock',))
    assert comment == [(GUARD_MARK,)]
