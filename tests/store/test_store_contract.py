"""The store contract, run against every backend (GeoPackage and PostGIS).

Each test gets the URL of an atlas that does not exist yet (``store_url``); the
same assertions must hold whatever stores the atlas, down to identical frames and
checksums (see ``test_both_stores_give_identical_results``).
"""

from __future__ import annotations

import threading
import time

import geopandas as gpd
import pandas as pd
import pytest
from common import TEST_SETTINGS, WELLS_SPEC
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import MultiPolygon, Point, Polygon, box

import atlas
from atlas.catalog import parse_spec
from atlas.errors import CatalogError, StoreError
from atlas.store.frames import checksum, conform


@pytest.fixture
def opened(store_url, store_catalog):
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        yield created


def wells(ids, *, kind="borehole", depth=12.5, built=1998, working=True,
          visited="2024-03-01", names=None, xs=None):
    """A frame of wells; coordinates derive from the position unless given."""
    n = len(ids)
    xs = xs if xs is not None else [-16.0 + i * 0.1 for i in range(n)]
    return gpd.GeoDataFrame({
        "well_id": list(ids),
        "name": names if names is not None else [f"Puits {i}" for i in ids],
        "kind": [kind] * n,
        "depth": [depth] * n,
        "built": [built] * n,
        "working": [working] * n,
        "visited": [visited] * n,
    }, geometry=[Point(x, 15.0) for x in xs], crs=4326)


def expected(frame, spec):
    """What a store must hand back for ``frame``: canonical shape, sorted by id."""
    out = conform(frame, spec)
    return out.sort_values(spec.id_field, kind="mergesort", ignore_index=True)


def assert_same(actual, wanted):
    assert_geodataframe_equal(actual, wanted, check_like=False, check_less_precise=False)


# -- creation and settings ------------------------------------------------------------------

def test_create_then_open_keeps_settings_and_specs(store_url, store_catalog):
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.store.set_settings({**TEST_SETTINGS, "extra": {"note": "é'\"; --"}})
    with atlas.open(store_url) as reopened:
        settings = reopened.store.get_settings()
        assert settings["extra"] == {"note": "é'\"; --"}
        assert settings["title"] == TEST_SETTINGS["title"]
        assert sorted(reopened.store.layer_specs()) == ["wells", "zones"]
        assert reopened.store.layer_specs()["wells"] == store_catalog["wells"].source_text
        assert reopened.revision == 0
        assert set(reopened.store.styles()) == {"wells", "zones"}


def test_create_refuses_an_existing_atlas(store_url, store_catalog):
    atlas.create(store_url, TEST_SETTINGS, store_catalog).close()
    with pytest.raises(StoreError) as error:
        atlas.create(store_url, TEST_SETTINGS, store_catalog)
    assert error.value.key == "store.exists"


# -- writing --------------------------------------------------------------------------------

def test_replace_append_upsert_give_exact_rows(opened, store_catalog):
    spec = store_catalog["wells"]
    first = wells(["a", "b", "c"])
    r1 = opened.write("wells", first)
    assert_same(opened.read("wells"), expected(first, spec))
    assert (r1.mode, r1.rows_written, r1.rows_removed, r1.row_count) == ("replace", 3, 0, 3)

    more = wells(["d", "e"], kind="dug", depth=None, built=None, working=None, visited=None)
    r2 = opened.write("wells", more, "append")
    assert_same(opened.read("wells"), expected(pd.concat([first, more]), spec))
    assert (r2.rows_written, r2.rows_removed, r2.row_count) == (2, 0, 5)

    changed = wells(["b", "f"], names=["Puits B modifié", "Nouveau"], xs=[-14.0, -13.0])
    r3 = opened.write("wells", changed, "upsert")
    want = pd.concat([first[first.well_id.isin(["a", "c"])], more, changed])
    assert_same(opened.read("wells"), expected(want, spec))
    assert (r3.rows_written, r3.rows_removed, r3.row_count) == (2, 1, 6)

    r4 = opened.write("wells", wells(["z"]))
    assert_same(opened.read("wells"), expected(wells(["z"]), spec))
    assert (r4.rows_written, r4.rows_removed, r4.row_count) == (1, 6, 1)
    assert [r.revision for r in opened.history("wells")] == [1, 2, 3, 4]


def test_append_with_an_existing_id_is_refused_and_writes_nothing(opened):
    opened.write("wells", wells(["a", "b"]))
    before = opened.read("wells")
    with pytest.raises(StoreError) as error:
        opened.write("wells", wells(["c", "b"]), "append")
    assert error.value.key == "store.existing_ids"
    assert "b" in str(error.value)
    assert_same(opened.read("wells"), before)
    assert len(opened.history("wells")) == 1
    assert opened.revision == 1


@pytest.mark.parametrize("mode", ["replace", "append", "upsert"])
def test_duplicate_ids_in_a_batch_are_refused(opened, mode):
    with pytest.raises(StoreError) as error:
        opened.write("wells", wells(["a", "b", "a"]), mode)
    assert error.value.key == "store.duplicate_ids"
    assert opened.count("wells") == 0
    assert opened.history() == []


def test_wrong_crs_is_refused(opened):
    frame = wells(["a"]).set_crs(32628, allow_override=True)
    with pytest.raises(StoreError) as error:
        opened.write("wells", frame)
    assert error.value.key == "store.wrong_crs"
    assert opened.history() == []


def test_wrong_geometry_type_is_refused(opened):
    frame = gpd.GeoDataFrame({"zone_id": [1]}, geometry=[Point(0, 0)], crs=4326)
    with pytest.raises(StoreError) as error:
        opened.write("zones", frame)
    assert error.value.key == "store.wrong_geometry"
    assert opened.count("zones") == 0


def test_polygons_are_promoted_to_multipolygons(opened):
    frame = gpd.GeoDataFrame({"zone_id": [1, 2], "name": ["simple", "multi"]},
                             geometry=[box(0, 0, 1, 1), MultiPolygon([box(2, 2, 3, 3)])],
                             crs=4326)
    opened.write("zones", frame)
    read = opened.read("zones")
    assert list(read.geom_type) == ["MultiPolygon", "MultiPolygon"]
    assert read.geometry[0].equals(MultiPolygon([box(0, 0, 1, 1)]))
    assert read["zone_id"].tolist() == [1, 2]


# -- reading --------------------------------------------------------------------------------

def test_read_by_bbox_and_where(opened, store_catalog):
    opened.write("wells", wells(["a", "b", "c", "d"], xs=[-16.0, -15.0, -14.0, -13.0]))
    box_read = opened.read("wells", bbox=(-15.5, 14.5, -13.5, 15.5))
    assert box_read["well_id"].tolist() == ["b", "c"]
    edge = opened.read("wells", bbox=(-14.0, 15.0, -14.0, 15.0))
    assert edge["well_id"].tolist() == ["c"]
    assert opened.read("wells", bbox=(0, 0, 1, 1)).empty
    where = opened.store.read("wells", where={"well_id": ["d", "a", "zz"]})
    assert where["well_id"].tolist() == ["a", "d"]
    both = opened.store.read("wells", bbox=(-16.5, 14.5, -14.5, 15.5),
                             where={"well_id": ["a", "c"]})
    assert both["well_id"].tolist() == ["a"]
    zones = gpd.GeoDataFrame({"zone_id": [1, 2]},
                             geometry=[box(0, 0, 2, 2), box(10, 10, 12, 12)], crs=4326)
    opened.write("zones", zones)
    assert opened.read("zones", bbox=(1.5, 1.5, 3, 3))["zone_id"].tolist() == [1]
    columns = opened.read("wells", columns=["well_id", "depth"])
    assert list(columns.columns) == ["well_id", "depth", "geometry"]


def test_read_at_a_revision(opened, store_catalog):
    spec = store_catalog["wells"]
    first = wells(["a", "b"])
    opened.write("wells", first)
    opened.write("wells", wells(["b"], names=["changed"]), "upsert")
    opened.write("wells", wells(["c"]), "append")
    assert_same(opened.read("wells", revision=1), expected(first, spec))
    at2 = opened.read("wells", revision=2)
    assert at2["name"].tolist() == ["Puits a", "changed"]
    assert opened.read("wells", revision=3)["well_id"].tolist() == ["a", "b", "c"]
    assert opened.read("wells", revision=1, bbox=(-16.05, 14, -15.95, 16))[
        "well_id"].tolist() == ["a"]


def test_restore_brings_back_an_earlier_revision_exactly(opened, store_catalog):
    spec = store_catalog["wells"]
    opened.write("wells", wells(["a", "b", "c"], depth=3.25))
    original = opened.read("wells")
    digest = opened.history("wells")[-1].checksum
    opened.write("wells", wells(["b"], names=["changed"], depth=None), "upsert")
    opened.write("wells", wells(["x", "y"]))
    restored = opened.restore("wells", 1, user="bob")
    assert restored.mode == "restore" and restored.restored_from == 1
    assert restored.user == "bob"
    assert restored.checksum == digest == checksum(original, spec)
    assert_same(opened.read("wells"), original)
    assert restored.row_count == 3
    # The restore is itself a revision: the state before it is still there.
    assert opened.read("wells", revision=restored.revision - 1)["well_id"].tolist() == \
        ["x", "y"]


def test_restore_of_an_unknown_revision_is_refused(opened):
    opened.write("wells", wells(["a"]))
    with pytest.raises(StoreError) as error:
        opened.restore("wells", 99)
    assert error.value.key == "store.unknown_revision"


def test_failure_half_way_through_a_replace_changes_nothing(opened, monkeypatch):
    opened.write("wells", wells(["a", "b"]))
    before = opened.read("wells")
    history = opened.history()
    store_type = type(opened.store)
    original = store_type._insert_frame

    def half_then_fail(self, conn, table, frame, spec, rev, fids=None):
        original(self, conn, table, frame.iloc[: len(frame) // 2], spec, rev,
                 None if fids is None else fids[: len(frame) // 2])
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(store_type, "_insert_frame", half_then_fail)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        opened.write("wells", wells([f"n{i}" for i in range(40)]))
    monkeypatch.undo()
    assert_same(opened.read("wells"), before)
    assert opened.count("wells") == 2
    assert opened.history() == history
    assert opened.revision == history[-1].revision
    # ...and the atlas is still writable afterwards.
    assert opened.write("wells", wells(["c"]), "append").row_count == 3


def test_history_records_user_source_counts_and_checksum(opened, store_catalog):
    spec = store_catalog["wells"]
    rev = opened.write("wells", wells(["a", "b"]), user="alice", source="survey.xlsx",
                       message="first import", warnings=["2 rows without name"])
    assert (rev.user, rev.source, rev.message) == ("alice", "survey.xlsx", "first import")
    assert rev.warnings == ("2 rows without name",)
    assert (rev.rows_written, rev.rows_removed, rev.row_count) == (2, 0, 2)
    assert rev.checksum == checksum(opened.read("wells"), spec)
    assert opened.history("wells") == [rev]
    assert opened.history("zones") == []
    second = opened.write("wells", wells(["c"]), "append")
    assert second.user  # the login name when none is given
    assert [r.revision for r in opened.history()] == [rev.revision, second.revision]
    assert opened.revision == second.revision


# -- concurrency ------------------------------------------------------------------------------

def test_two_writers_at_once_are_serialised_and_both_kept(store_url, store_catalog,
                                                          monkeypatch):
    with atlas.create(store_url, TEST_SETTINGS, store_catalog) as created:
        created.write("wells", wells(["a", "b"]))
    started = threading.Barrier(2)
    inside = threading.Lock()
    overlaps: list[bool] = []
    errors: list[BaseException] = []
    store_type = type(atlas.open(store_url).store)
    original = store_type._insert_frame

    def slow_insert(self, *args, **kwargs):
        # Both writers reach this point; if the store did not serialise them, the
        # second one would find the lock taken.
        overlaps.append(not inside.acquire(blocking=False))
        try:
            time.sleep(0.3)
            return original(self, *args, **kwargs)
        finally:
            if not overlaps[-1]:
                inside.release()

    monkeypatch.setattr(store_type, "_insert_frame", slow_insert)

    def writer(well_id: str, name: str) -> None:
        try:
            with atlas.open(store_url) as mine:
                started.wait()
                mine.write("wells", wells([well_id], names=[name]), "upsert",
                           user=f"writer-{well_id}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=("a", "from one")),
               threading.Thread(target=writer, args=("z", "from two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert overlaps == [False, False]
    with atlas.open(store_url) as reopened:
        revisions = reopened.history("wells")
        assert len(revisions) == 3
        assert {r.user for r in revisions[1:]} == {"writer-a", "writer-z"}
        assert [r.row_count for r in revisions] == [2, 2, 3] or \
            [r.row_count for r in revisions] == [2, 3, 3]
        names = dict(zip(*[reopened.read("wells")[c] for c in ("well_id", "name")],
                         strict=True))
        assert names == {"a": "from one", "b": "Puits b", "z": "from two"}


def test_readers_during_a_write_see_the_old_or_the_new_state(opened, monkeypatch):
    old = wells([f"o{i:03d}" for i in range(60)])
    new = wells([f"n{i:03d}" for i in range(60)], kind="dug")
    opened.write("wells", old)
    old_ids = opened.read("wells")["well_id"].tolist()
    half_done = threading.Event()
    store_type = type(opened.store)
    original = store_type._insert_frame

    def slow_insert(self, conn, table, frame, spec, rev, fids=None):
        original(self, conn, table, frame.iloc[:30], spec, rev)
        half_done.set()
        time.sleep(0.6)
        original(self, conn, table, frame.iloc[30:], spec, rev)

    monkeypatch.setattr(store_type, "_insert_frame", slow_insert)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with atlas.open(opened.url) as writer:
                writer.write("wells", new)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    assert half_done.wait(30)
    seen = []
    with atlas.open(opened.url) as reader:
        while thread.is_alive():
            seen.append(reader.read("wells")["well_id"].tolist())
            time.sleep(0.05)
        thread.join()
        seen.append(reader.read("wells")["well_id"].tolist())
    assert not errors, errors
    new_ids = sorted(new["well_id"])
    assert all(ids in (old_ids, new_ids) for ids in seen)
    assert seen[0] == old_ids and seen[-1] == new_ids


# -- identifiers and values ------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    'x"; DROP TABLE atlas_meta; --', "Wells", "wells points", "fid", "geom", "_rev_from",
    "1wells", "w" * 64, "puits_é", "a-b",
])
def test_hostile_layer_and_field_identifiers_are_refused_by_the_catalogue(name):
    as_layer = WELLS_SPEC.replace('name = "wells"', f"name = {_toml(name)}")
    with pytest.raises(CatalogError):
        parse_spec(as_layer, "hostile.toml")
    as_field = WELLS_SPEC.replace('name = "depth"', f"name = {_toml(name)}")
    with pytest.raises(CatalogError):
        parse_spec(as_field, "hostile.toml")


def _toml(text: str) -> str:
    import json

    return json.dumps(text)


HOSTILE_VALUES = [
    "'); DROP TABLE wells; --",
    "\"; DROP SCHEMA atlas CASCADE; --",
    "Robert'); DELETE FROM atlas_revisions;--",
    "%s %(name)s :name ? $1",
    "back\\slash \\N \\. end",
    "tab\tnew\nline\r\nreturn",
    "é à ü ß 漢字 🚰 \u200b",
    "<xml attr='1'>&amp;</xml>",
    "x" * 5000,
    "",
]


def test_hostile_values_are_stored_and_read_back_verbatim(opened):
    ids = [f"v{i:02d}" for i in range(len(HOSTILE_VALUES))]
    opened.write("wells", wells(ids, names=HOSTILE_VALUES), source="'); DROP TABLE x; --",
                 message=HOSTILE_VALUES[1], user=HOSTILE_VALUES[0])
    read = opened.read("wells")
    assert read["name"].tolist() == HOSTILE_VALUES
    assert opened.store.read("wells", where={"name": [HOSTILE_VALUES[0]]})["well_id"].tolist() == \
        ["v00"]
    rev = opened.history()[-1]
    assert (rev.source, rev.message, rev.user) == ("'); DROP TABLE x; --", HOSTILE_VALUES[1],
                                                   HOSTILE_VALUES[0])
    hostile_id = HOSTILE_VALUES[0]
    opened.write("wells", wells([hostile_id]), "upsert")
    assert hostile_id in opened.read("wells")["well_id"].tolist()


# -- both stores side by side ------------------------------------------------------------------

def test_both_stores_give_identical_results(gpkg_url, postgis_url, store_catalog):
    spec = store_catalog["wells"]
    steps = [
        ("wells", wells(["a", "b", "c"], depth=1.0 / 3.0, visited="1999-12-31"), "replace"),
        ("wells", wells(["d"], kind="dug", depth=None, built=None, working=None,
                        visited=None, names=[None]), "append"),
        ("wells", wells(["a", "e"], names=["A!", "E"], xs=[-12.123456789012, -11.0],
                        depth=-0.0, built=-(2**40), working=False), "upsert"),
        ("zones", gpd.GeoDataFrame({"zone_id": [3, 1], "name": ["trois", None],
                                    "area": [1e-12, float("nan")]},
                                   geometry=[box(0, 0, 1, 1),
                                             Polygon([(0, 0), (2, 0), (1, 1.5), (0, 0)])],
                                   crs=4326), "replace"),
    ]
    atlases = [atlas.create(url, TEST_SETTINGS, store_catalog)
               for url in (gpkg_url, postgis_url)]
    try:
        for layer, frame, mode in steps:
            revisions = [a.write(layer, frame, mode, user="u", source="s") for a in atlases]
            assert revisions[0].checksum == revisions[1].checksum
            assert (revisions[0].rows_written, revisions[0].rows_removed,
                    revisions[0].row_count) == (revisions[1].rows_written,
                                               revisions[1].rows_removed,
                                               revisions[1].row_count)
        for a in atlases:
            # A replace's checksum is that of the layer it leaves; restoring it gives
            # the same one back (append and upsert checksums cover their batch).
            a.restore("wells", 1)
            assert a.history("wells")[-1].checksum == a.history("wells")[0].checksum
            assert a.history("wells")[0].checksum == checksum(a.read("wells"), spec)
        for layer in ("wells", "zones"):
            for kwargs in ({}, {"bbox": (-16.05, 14.0, -15.85, 16.0)},
                           {"revision": 1}, {"revision": 3}, {"revision": 5},
                           {"where": {spec.id_field: ["a", "d"]}} if layer == "wells" else
                           {"where": {"zone_id": [3]}}):
                frames = [a.store.read(layer, **kwargs) for a in atlases]
                assert_same(frames[0], frames[1])
                lay_spec = store_catalog[layer]
                assert checksum(frames[0], lay_spec) == checksum(frames[1], lay_spec)
        assert atlases[0].checksum() == atlases[1].checksum()
        history = [[(r.revision, r.layer, r.mode, r.rows_written, r.rows_removed, r.row_count,
                     r.checksum, r.restored_from) for r in a.history()] for a in atlases]
        assert history[0] == history[1]
        assert atlases[0].store.styles() == atlases[1].store.styles()
    finally:
        for opened_atlas in atlases:
            opened_atlas.close()
