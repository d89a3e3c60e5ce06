"""Plan then commit: refused imports change nothing (on every store), accepted ones
become one revision with their source and warnings; the report and the CLI say what
to fix in French and English.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from fixtures_ingest_files import (
    SETTINGS,
    SN_DEPARTEMENTS,
    SN_REGIONS,
    THIES,
    points,
    state,
    write_csv,
    write_shapefile,
)

import atlas
from atlas.cli import main
from atlas.errors import IngestError
from atlas.ingest import ImportPlan, import_file

HEADER = ["code", "nom", "type", "etat", "lat", "lon"]
GOOD = ["P1", "Forage", "forage", "fonctionnel", THIES[1], THIES[0]]


def _swapped(tmp_path):
    return write_csv(tmp_path / "inverse.csv", HEADER,
                     [GOOD, ["P2", "Puits", "forage", "ok", THIES[0], THIES[1]]])


def _duplicates(tmp_path):
    return write_csv(tmp_path / "doublons.csv", HEADER, [GOOD, GOOD])


def _no_prj(tmp_path):
    frame = points([{"code": "F1", "type": "forage", "etat": "ok"}], [THIES])
    return write_shapefile(tmp_path / "sans_prj.shp", frame, prj=False)


def _unknown_value(tmp_path):
    return write_csv(tmp_path / "valeur.csv", HEADER,
                     [GOOD, ["P2", "x", "citerne volante", "ok", THIES[1], THIES[0]]])


@pytest.mark.slow
@pytest.mark.parametrize("make", [_swapped, _duplicates, _no_prj, _unknown_value])
def test_refused_import_changes_nothing(regions_atlas, tmp_path, make):
    import_file(regions_atlas, write_csv(tmp_path / "base.csv", HEADER, [
        ["P0", "Base", "forage", "ok", THIES[1], THIES[0]]]), "water_points").commit()
    before = state(regions_atlas)
    count = regions_atlas.count("water_points")
    plan = import_file(regions_atlas, make(tmp_path), "water_points", mode="replace")
    assert not plan.ok and plan.counts["error"] >= 1
    with pytest.raises(IngestError) as caught:
        plan.commit()
    assert caught.value.key == "ingest.blocked"
    assert "rien n'a été écrit" in caught.value.message("fr")
    assert "nothing was written" in caught.value.message("en")
    assert state(regions_atlas) == before
    assert regions_atlas.count("water_points") == count


@pytest.mark.slow
def test_append_clash_and_stale_plan_change_nothing(regions_atlas, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, [GOOD])
    import_file(regions_atlas, path, "water_points").commit()
    before = state(regions_atlas)
    plan = import_file(regions_atlas, path, "water_points")
    assert [i.code for i in plan.report.errors] == ["existing_id"]
    with pytest.raises(IngestError):
        plan.commit()
    assert state(regions_atlas) == before
    plan = import_file(regions_atlas, path, "water_points", mode="upsert")
    import_file(regions_atlas, write_csv(tmp_path / "b.csv", HEADER, [
        ["P9", "x", "forage", "ok", THIES[1], THIES[0]]]), "water_points").commit()
    moved = state(regions_atlas)
    with pytest.raises(IngestError) as caught:
        plan.commit()
    assert caught.value.key == "ingest.stale"
    assert state(regions_atlas) == moved


def test_commit_is_one_revision_with_source_and_warnings(regions_atlas, tmp_path):
    path = write_csv(tmp_path / "Forages Thiès.csv", HEADER + ["annee_realisation"], [
        GOOD + ["1850"], ["P2", "x", "citerne volante", "ok", THIES[1], THIES[0], "2001"],
        ["P3", "y", "puits busé", "ok", THIES[1], THIES[0], "2002"]])
    plan = import_file(regions_atlas, path, "water_points", skip_invalid=True, lang="fr")
    assert plan.ok and plan.rejected_rows == [2]
    assert plan.rejected["row"].tolist() == [2]
    assert "Valeur inconnue" in plan.rejected["errors"].iloc[0]
    revision = plan.commit(user="moussa")
    assert (revision.source, revision.user, revision.rows_written) == \
        ("Forages Thiès.csv", "moussa", 2)
    assert revision.warnings == (
        "Forages Thiès.csv, ligne 1, champ install_year : 1850 est inférieur au minimum "
        "(1900) pour « Année de réalisation ». Valeur laissée vide.",
        "[ligne rejetée] Forages Thiès.csv, ligne 2, champ source_type : Valeur inconnue "
        "pour « Type de source » : « citerne volante ».")
    assert regions_atlas.history("water_points")[-1] == revision
    assert "2 ligne(s) écrite(s), 1 rejetée(s)" in revision.message
    with pytest.raises(IngestError):
        plan.commit()


def test_plan_from_a_url_commits_through_the_url(regions_atlas, tmp_path):
    path = write_csv(tmp_path / "a.csv", HEADER, [GOOD])
    plan = import_file(regions_atlas.url, path, "water_points", lang="en")
    assert isinstance(plan, ImportPlan) and plan.ok
    plan.commit()
    assert regions_atlas.count("water_points") == 1


def test_report_as_table_json_html_and_notebook(sn_atlas, tmp_path):
    hostile = '<script>alert("x")</script>'
    path = write_csv(tmp_path / "r.csv", HEADER, [
        GOOD, ["P2", "x", hostile, "ok", THIES[1], THIES[0]], ["P3", "x", "forage", "ok", "", ""]])
    plan = import_file(sn_atlas, path, "water_points", lang="en")
    table = pd.DataFrame(plan.report)
    assert list(table.columns[:6]) == ["severity", "row", "field", "value", "message", "hint"]
    assert table["row"].tolist() == [2, 3]
    assert plan.report.counts == {"error": 2, "warning": 0}
    assert plan.report.to_frame("fr")["message"].iloc[1] == "Géométrie ou coordonnées absentes."

    data = json.loads(plan.to_json(tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["ok"] is False and data["rows"] == {"read": 3, "valid": 1, "rejected": 2}
    assert data["issues"][0]["value"] == hostile
    assert data["issues"][0]["hint"].startswith("Use one of the expected values")
    assert "first row after the header" in data["row_numbering"]
    assert {"field": "wp_id", "columns": "code", "how": "synonym"} in data["mapping"]

    page = plan.to_html(tmp_path / "r.html", lang="fr").read_text(encoding="utf-8")
    assert hostile not in page and "&lt;script&gt;" in page
    assert "Valeur inconnue pour « Type de source »" in page and "que faire" in page
    fragment = plan._repr_html_()
    assert hostile not in fragment and "&lt;script&gt;" in fragment
    assert "Unknown value for &#x27;Source type&#x27;" in fragment


@pytest.mark.slow
def test_cli_dry_run_commit_and_blocked_import(sn_atlas, tmp_path):
    runner = CliRunner()
    url = sn_atlas.url
    good = write_csv(tmp_path / "bon.csv", HEADER, [GOOD])
    before = state(sn_atlas)
    result = runner.invoke(main, ["import", str(good), "--atlas", url, "--layer",
                                  "water_points", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Essai à blanc : rien n'a été écrit." in result.output
    assert "wp_id" in result.output and "← code" in result.output
    assert state(sn_atlas) == before

    bad = _swapped(tmp_path)
    report = tmp_path / "rapport.json"
    result = runner.invoke(main, ["--lang", "en", "import", str(bad), "--atlas", url,
                                  "--layer", "water_points", "--report", str(report)])
    assert result.exit_code == 1
    assert "Errors: 1; warnings: 0" in result.output
    assert "latitude and longitude look swapped" in result.output
    assert "→ Swap latitude and longitude in the file" in result.output
    assert "Nothing was written." in result.output
    assert json.loads(report.read_text(encoding="utf-8"))["issues"][0]["code"] == \
        "coords_swapped"
    assert state(sn_atlas) == before

    result = runner.invoke(main, ["import", str(bad), "--atlas", url, "--layer",
                                  "water_points", "--skip-invalid", "--user", "fatou"])
    assert result.exit_code == 0, result.output
    assert "1 ligne(s) rejetée(s) : 2" in result.output
    assert "1 ligne(s) écrite(s) dans la couche « water_points »" in result.output
    assert sn_atlas.history("water_points")[-1].user == "fatou"

    result = runner.invoke(main, ["import", str(good), "--atlas", url, "--layer",
                                  "water_points", "--report", str(tmp_path / "r.txt")])
    assert result.exit_code == 2 and ".json" in result.output


def test_cli_builds_a_tree_level_by_level(gpkg_url, tmp_path):
    atlas.create(gpkg_url, SETTINGS).close()
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(SN_REGIONS), "--atlas", gpkg_url, "--layer",
                                  "territories", "--level", "1", "--mode", "replace"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--lang", "en", "import", str(SN_DEPARTEMENTS), "--atlas",
                                  gpkg_url, "--layer", "territories", "--level", "2"])
    assert result.exit_code == 0, result.output
    assert "parent_code" in result.output and "region_id" in result.output
    with atlas.open(gpkg_url) as opened:
        assert opened.territories.levels == [1, 2]
        assert [r.source for r in opened.history("territories")] == [
            "wof_sn_regions.gpkg", "wof_sn_departements.gpkg"]
