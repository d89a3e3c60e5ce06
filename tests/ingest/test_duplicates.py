"""Duplicates found without identifiers (issue #16 item 4).

A national borehole list without an id column gets generated ids (file + row), all
distinct: rows entered twice and boreholes at the same place with the same name are
found from the rows themselves, as warnings with counts and rows; ``--drop-duplicates``
keeps the first of each exact duplicate; an append names the stored row it repeats.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner
from fixtures_ingest_files import THIES, issues_of, write_csv

from atlas.cli import main
from atlas.ingest import import_file
from atlas.ingest.duplicates import id_groups

HEADER = ["nom", "type", "etat", "annee_realisation", "lat", "lon"]
#: About 0.33 m of latitude: "the same place" within the default 1 m.
NEAR = 3e-6


def borehole(i: int, status: str = "fonctionnel", shift: float = 0.0) -> list[object]:
    """Borehole number ``i``: its own name and place, about 110 m apart from the next."""
    return [f"Forage {i}", "forage", status, 1990 + i, round(THIES[1] + i * 1e-3 + shift, 7),
            THIES[0]]


def national_list() -> list[list[object]]:
    """30 distinct boreholes (rows 1-30), then 10 exact copies of boreholes 1 to 10
    (rows 31-40), then 12 boreholes 11 to 22 entered again 0.33 m away and now broken
    (rows 41-52): 52 rows, 30 boreholes."""
    rows = [borehole(i) for i in range(1, 31)]
    rows += [borehole(i) for i in range(1, 11)]
    rows += [borehole(i, "en panne", NEAR) for i in range(11, 23)]
    return rows


def test_exact_duplicate_rows_are_one_warning_naming_each_row_and_its_first(sn_atlas,
                                                                            tmp_path):
    path = write_csv(tmp_path / "forages_national.csv", HEADER, national_list())
    plan = import_file(sn_atlas, path, "water_points")
    [issue] = issues_of(plan, "exact_duplicates")
    assert issue.severity == "warning" and plan.ok
    assert issue.params["count"] == 10
    assert issue.params["groups"] == [[i, 30 + i] for i in range(1, 11)]
    assert issue.message("fr") == (
        "10 lignes en double exact (lignes 31 = 1, 32 = 2, 33 = 3, 34 = 4, 35 = 5, 36 = 6,"
        " 37 = 7, 38 = 8, 39 = 9, 40 = 10).")
    assert issue.message("en").startswith("10 exact duplicate rows (rows 31 = 1, 32 = 2,")


def test_same_place_same_name_rows_are_one_warning_with_their_rows(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "forages_national.csv", HEADER, national_list())
    plan = import_file(sn_atlas, path, "water_points")
    [issue] = issues_of(plan, "same_place_same_name")
    assert issue.params["count"] == 12
    assert issue.params["groups"] == [[i, 30 + i] for i in range(11, 23)]
    assert issue.message("fr").startswith(
        "12 points au même endroit (à moins de 1 m) avec le même nom"
        " (lignes 41 = 11 « Forage 11 », 42 = 12 « Forage 12 »,")
    assert not issues_of(plan, "same_place_unnamed")


def test_names_are_compared_without_case_or_accents(sn_atlas, tmp_path):
    rows = [["Forage Ndiayé", "forage", "ok", 1990, THIES[1], THIES[0]],
            ["FORAGE  NDIAYE", "forage", "en panne", 2001, THIES[1] + NEAR, THIES[0]],
            ["Forage Ndiaga", "forage", "ok", 1990, THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, write_csv(tmp_path / "f.csv", HEADER, rows), "water_points")
    [issue] = issues_of(plan, "same_place_same_name")
    assert issue.params["groups"] == [[1, 2]]


def test_points_without_a_name_at_one_place_are_their_own_kind(sn_atlas, tmp_path):
    rows = [["", "forage", "ok", 1990, THIES[1], THIES[0]],
            ["", "forage", "en panne", 2001, THIES[1] + NEAR, THIES[0]],
            ["Forage 1", "forage", "ok", 1995, THIES[1], THIES[0]]]
    plan = import_file(sn_atlas, write_csv(tmp_path / "f.csv", HEADER, rows), "water_points")
    [issue] = issues_of(plan, "same_place_unnamed")
    assert issue.params["groups"] == [[1, 2]] and issue.params["count"] == 1
    assert not issues_of(plan, "same_place_same_name")


def test_the_tolerance_is_in_metres(sn_atlas, tmp_path):
    # 3e-5 degrees of latitude is about 3.3 m: apart at 1 m, the same place at 5 m.
    rows = [borehole(1), borehole(1, "en panne", 3e-5)]
    path = write_csv(tmp_path / "f.csv", HEADER, rows)
    assert not issues_of(import_file(sn_atlas, path, "water_points"), "same_place_same_name")
    plan = import_file(sn_atlas, path, "water_points", duplicate_tolerance_m=5)
    [issue] = issues_of(plan, "same_place_same_name")
    assert issue.params["groups"] == [[1, 2]] and "5 m" in issue.message("fr")


def test_drop_duplicates_stores_the_first_of_each_exact_duplicate(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "forages_national.csv", HEADER, national_list())
    plan = import_file(sn_atlas, path, "water_points", drop_duplicates=True)
    assert plan.dropped_rows == list(range(31, 41))
    assert "Lignes écartées car doublons exacts (--drop-duplicates) : 31, 32, 33, 34, 35," \
        in plan.summary()
    revision = plan.commit()
    # 52 rows - 10 exact copies; the 12 re-entered boreholes are only a warning.
    assert sn_atlas.count("water_points") == 42 == revision.rows_written
    assert "10 doublon(s) exact(s) écarté(s)." in revision.message
    stored = sn_atlas.read("water_points")
    assert sorted(stored["name"]).count("Forage 3") == 1
    assert sorted(stored["name"]).count("Forage 15") == 2


def test_the_cli_drops_duplicates_and_counts_them(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "forages_national.csv", HEADER, national_list())
    result = CliRunner().invoke(main, ["--lang", "en", "import", str(path), "--atlas",
                                       sn_atlas.url, "--layer", "water_points",
                                       "--drop-duplicates"])
    assert result.exit_code == 0, result.output
    assert ("Duplicates: 10 exact duplicate row(s), 12 at the same place with the same name,"
            " 0 at the same place without a name; 10 row(s) left out.") in result.output
    assert sn_atlas.count("water_points") == 42


def test_an_append_of_rows_already_stored_names_the_stored_rows(sn_atlas, tmp_path):
    first = write_csv(tmp_path / "forages_2023.csv", HEADER, [borehole(i) for i in range(1, 6)])
    import_file(sn_atlas, first, "water_points").commit()
    # The same list sent again under another name, with one new borehole and borehole 2
    # re-entered 0.33 m away with another status.
    again = [borehole(1), borehole(2, "en panne", NEAR), borehole(3), borehole(9)]
    plan = import_file(sn_atlas, write_csv(tmp_path / "forages_2024.csv", HEADER, again),
                       "water_points")
    assert [(i.row, i.params["stored"]) for i in issues_of(plan, "stored_duplicate")] == [
        (1, "water_points-forages_2023-1"), (3, "water_points-forages_2023-3")]
    [place] = issues_of(plan, "stored_same_place")
    assert (place.row, place.params["stored"]) == (2, "water_points-forages_2023-2")
    assert place.message("fr") == ("Au même endroit qu'une entité déjà enregistrée portant le"
                                   " même nom « Forage 2 » (identifiant"
                                   " water_points-forages_2023-2).")
    assert plan.ok and plan.counts["error"] == 0


def test_an_upsert_of_a_row_by_its_own_id_is_not_a_duplicate(sn_atlas, tmp_path):
    header = ["code", *HEADER]
    rows = [["F1", *borehole(1)], ["F2", *borehole(2)]]
    import_file(sn_atlas, write_csv(tmp_path / "a.csv", header, rows), "water_points").commit()
    plan = import_file(sn_atlas, write_csv(tmp_path / "b.csv", header, rows), "water_points",
                       mode="upsert")
    assert not issues_of(plan, "stored_duplicate") and not issues_of(plan, "stored_same_place")


def test_twenty_thousand_rows_with_one_id_are_one_group():
    ids = pd.Series(["F1"] * 20_000 + ["F2", "F3", "F3", None, None], dtype=object)
    groups = id_groups(ids)
    assert [len(g) for g in groups] == [20_000, 2]
    assert groups[0].tolist() == list(range(20_000))
    assert groups[1].tolist() == [20_001, 20_002]
    assert [g.tolist() for g in id_groups(ids, skip=np.arange(1, 20_000))] == [[20_001, 20_002]]


def test_a_repeated_id_names_the_other_rows(sn_atlas, tmp_path):
    header = ["code", *HEADER]
    rows = [["F1", *borehole(i)] for i in range(1, 4)]
    plan = import_file(sn_atlas, write_csv(tmp_path / "f.csv", header, rows), "water_points")
    found = [(i.row, i.params["rows"]) for i in issues_of(plan, "duplicate_id")]
    assert found == [(1, "2, 3"), (2, "1, 3"), (3, "1, 2")]
