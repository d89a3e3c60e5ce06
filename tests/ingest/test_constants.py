"""``--set FIELD=VALUE``: a fact true of every row that the file does not hold (#16 item 2).

A national borehole list has no status and no source type column: the analyst says so
once for the whole file instead of editing it. The constant is read like a cell, wins
over a column matched to the same field and is kept with the revision.
"""

from __future__ import annotations

from click.testing import CliRunner
from fixtures_ingest_files import THIES, write_csv

from atlas.cli import main
from atlas.ingest import import_file

HEADER = ["nom", "lat", "lon"]
ROWS = [[f"Forage {i}", round(THIES[1] + i * 1e-3, 7), THIES[0]] for i in range(1, 4)]


def test_constants_fill_fields_the_file_does_not_have(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "forages.csv", HEADER, ROWS)
    plan = import_file(sn_atlas, path, "water_points",
                       constants=["status=en panne", "source_type=Forage"])
    assert plan.ok, plan.summary()
    revision = plan.commit()
    stored = sn_atlas.read("water_points")
    # read like a cell: the French labels become the codes
    assert stored["status"].tolist() == ["non_functional"] * 3
    assert stored["source_type"].tolist() == ["borehole"] * 3
    assert revision.provenance["constants"] == {"status": "en panne", "source_type": "Forage"}


def test_a_constant_wins_over_a_column_of_the_same_field(sn_atlas, tmp_path):
    rows = [[*row, "fonctionnel"] for row in ROWS]
    path = write_csv(tmp_path / "forages.csv", [*HEADER, "etat"], rows)
    plan = import_file(sn_atlas, path, "water_points",
                       constants={"status": "abandoned", "source_type": "borehole"})
    assert plan.frame["status"].tolist() == ["abandoned"] * 3


def test_a_constant_that_is_no_allowed_value_is_an_error_on_every_row(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "forages.csv", HEADER, ROWS)
    plan = import_file(sn_atlas, path, "water_points",
                       constants={"status": "peut-être", "source_type": "borehole"})
    assert not plan.ok
    assert plan.rejected_rows == [1, 2, 3]


def test_a_constant_for_a_field_the_layer_lacks_is_refused_with_the_fields(sn_atlas,
                                                                        tmp_path):
    path = write_csv(tmp_path / "forages.csv", HEADER, ROWS)
    result = CliRunner().invoke(main, ["import", str(path), "--atlas", sn_atlas.url,
                                       "--layer", "water_points", "--set", "couleur=bleu"])
    assert result.exit_code == 2
    assert "couleur" in result.output and "source_type" in result.output
    assert "Traceback" not in result.output
    assert sn_atlas.count("water_points") == 0


def test_the_cli_takes_repeated_set_options(sn_atlas, tmp_path):
    path = write_csv(tmp_path / "forages.csv", HEADER, ROWS)
    result = CliRunner().invoke(main, ["import", str(path), "--atlas", sn_atlas.url,
                                       "--layer", "water_points", "--set", "status=functional",
                                       "--set", "source_type=borehole"])
    assert result.exit_code == 0, result.output
    assert sn_atlas.read("water_points")["status"].tolist() == ["functional"] * 3
