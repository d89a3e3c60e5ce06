"""Form → answers → KoboToolbox / ODK Central export → ``import`` with no mapping.

For every point layer of the catalogue, submissions are synthesised from the XForm
pyxform converts (every question answered), exported the way each platform writes
them, imported with no ``--map`` and read back: the layer holds the answers.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from forms_support import (
    answer_all,
    central_table,
    expected_rows,
    kobo_table,
    point_in,
    read_xform,
    stored_rows,
    write_central_csv,
    write_kobo_csv,
    write_xlsx,
)

import atlas
from atlas.catalog import load_catalog
from atlas.ingest import import_file

POINT_LAYERS = [name for name, spec in load_catalog().items()
                if spec.geometry in ("Point", "MultiPoint")]
FLAVOURS = ("kobo_csv", "kobo_xlsx", "central_csv")


def export(opened: atlas.Atlas, layer: str, flavour: str, folder: Path, count: int = 4,
           seed: int = 2026) -> tuple[Path, list, list]:
    """An export of ``count`` synthetic submissions of the layer's form."""
    form = atlas.form(opened, layer)
    questions = read_xform(form.to_xform())
    rng = random.Random(seed)
    submissions = answer_all(questions, count, seed, lambda code: point_in(opened, code, rng))
    if flavour == "kobo_csv":
        path = write_kobo_csv(folder / f"{layer}_kobo.csv",
                              kobo_table(questions, submissions, form.version))
    elif flavour == "kobo_xlsx":
        path = write_xlsx(folder / f"{layer}_kobo.xlsx",
                          kobo_table(questions, submissions, form.version, typed=True))
    else:
        path = write_central_csv(folder / f"{layer}_central.csv",
                                 central_table(questions, submissions, form.version))
    return path, questions, submissions


def test_every_point_layer_of_the_catalogue_is_tested():
    assert {"schools", "water_points", "localities"} <= set(POINT_LAYERS)


@pytest.mark.parametrize("layer", POINT_LAYERS)
def test_form_of_every_point_layer_converts_with_pyxform(zz_gpkg, layer):
    questions = read_xform(atlas.form(zz_gpkg, layer).to_xform())
    names = {q.name for q in questions}
    spec = zz_gpkg.spec(layer)
    assert set(spec.field_names) <= names
    assert "gps" in names


@pytest.mark.slow
@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("layer", POINT_LAYERS)
def test_export_imports_with_no_mapping_and_the_layer_holds_the_answers(zz_atlas, tmp_path,
                                                                       layer, flavour):
    path, questions, submissions = export(zz_atlas, layer, flavour, tmp_path)
    plan = import_file(zz_atlas, path, layer)
    assert plan.report.issues == []
    plan.commit(user="tests")
    spec = zz_atlas.spec(layer)
    assert stored_rows(zz_atlas, spec) == expected_rows(spec, questions, submissions)


@pytest.mark.slow
def test_every_field_is_fed_by_its_own_question(zz_gpkg, tmp_path):
    path, _, _ = export(zz_gpkg, "schools", "central_csv", tmp_path)
    mapping = import_file(zz_gpkg, path, "schools").mapping
    assert mapping["survey_date"] == "donnees-survey_date"  # not SubmissionDate nor start
    assert mapping["territory_code"] == "lieu-territory_code"
    assert mapping["school_id"] == "school_id"


def test_central_status_column_does_not_feed_the_water_point_status(zz_gpkg, tmp_path):
    path, _, _ = export(zz_gpkg, "water_points", "central_csv", tmp_path)
    assert import_file(zz_gpkg, path, "water_points").mapping["status"] == "donnees-status"


def test_territory_answer_is_kept_when_the_gps_point_falls_elsewhere(zz_gpkg, tmp_path):
    form = atlas.form(zz_gpkg, "water_points")
    questions = read_xform(form.to_xform())
    rng = random.Random(7)
    # Every point in Saly (ZZ2A1), whatever commune was chosen.
    submissions = answer_all(questions, 3, 7, lambda code: point_in(zz_gpkg, "ZZ2A1", rng))
    for answers in submissions:
        answers[("lieu", "territoire_n1")] = "ZZ1"
        answers[("lieu", "territoire_n2")] = "ZZ1A"
        answers[("lieu", "territory_code")] = "ZZ1A2"
    path = write_kobo_csv(tmp_path / "ailleurs.csv", kobo_table(questions, submissions,
                                                               form.version))
    plan = import_file(zz_gpkg, path, "water_points")
    assert [(i.code, i.severity, i.value, i.params["found"]) for i in plan.report.issues] == [
        ("territory_answer_mismatch", "warning", "ZZ1A2", "ZZ2A1")] * 3
    assert plan.report.issues[0].message("fr") == (
        "La réponse indique le territoire « ZZ1A2 » mais le point GPS tombe dans « ZZ2A1 » : "
        "la réponse « ZZ1A2 » a été retenue.")
    assert set(plan.frame["territory_code"]) == {"ZZ1A2"}


def test_file_that_is_no_survey_export_still_keeps_the_point_territory(zz_gpkg, tmp_path):
    path = tmp_path / "forages.csv"
    path.write_text("wp_id,source_type,status,territory_code,lat,lon\n"
                    "F1,forage,fonctionnel,ZZ1A2,14.2,-15.9\n", encoding="utf-8")
    plan = import_file(zz_gpkg, path, "water_points")
    assert [i.code for i in plan.report.issues] == ["territory_mismatch"]
    assert list(plan.frame["territory_code"]) == ["ZZ2A1"]


def test_export_of_a_hand_made_form_still_maps_by_synonyms(zz_gpkg, tmp_path):
    path = tmp_path / "inventaire.csv"
    path.write_text("pe/type_source;pe/etat;_gps_latitude;_gps_longitude;_uuid;_submission_time\n"
                    "Forage;En panne;14.2;-15.9;u-1;2025-03-01T10:00:00\n", encoding="utf-8")
    plan = import_file(zz_gpkg, path, "water_points")
    assert plan.ok, plan.report.issues
    row = plan.frame.iloc[0]
    assert (row["source_type"], row["status"], row["wp_id"]) == ("borehole", "non_functional",
                                                                 "u-1")
