"""The territory question: a cascade région → département → commune from the atlas's tree."""

from __future__ import annotations

import pytest
from fixtures_ingest_files import THIES_DEPARTEMENT, THIES_REGION
from forms_support import TREE, write_tree

import atlas
from atlas.errors import NotFoundError

FR, EN = "Français (fr)", "English (en)"


def territory_rows(form: atlas.forms.SurveyForm) -> list[tuple[str, str, str | None]]:
    """(name, type, choice_filter) of the questions of the location group."""
    names = [row.get("name") for row in form.survey]
    rows = form.survey[names.index("lieu") + 1:names.index("gps")]
    return [(r["name"], r["type"], r.get("choice_filter")) for r in rows]


def offered(form: atlas.forms.SurveyForm, list_name: str) -> list[tuple[str, str | None]]:
    return [(c["name"], c.get("parent")) for c in form.choices if c["list_name"] == list_name]


def test_cascade_asks_region_then_departement_then_commune(zz_gpkg):
    assert territory_rows(atlas.form(zz_gpkg, "schools")) == [
        ("territoire_n1", "select_one territoires_n1", None),
        ("territoire_n2", "select_one territoires_n2", "parent=${territoire_n1}"),
        ("territory_code", "select_one territoires_n3", "parent=${territoire_n2}")]


def test_each_choice_names_its_parent_for_the_filter(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    assert offered(form, "territoires_n1") == [("ZZ1", None), ("ZZ2", None)]
    assert offered(form, "territoires_n2") == [("ZZ1A", "ZZ1"), ("ZZ1B", "ZZ1"), ("ZZ2A", "ZZ2")]
    assert offered(form, "territoires_n3") == [("ZZ1A1", "ZZ1A"), ("ZZ1A2", "ZZ1A"),
                                               ("ZZ1B1", "ZZ1B"), ("ZZ2A1", "ZZ2A"),
                                               ("ZZ2A2", "ZZ2A")]


def test_levels_are_named_in_each_language(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    row = next(r for r in form.survey if r.get("name") == "territory_code")
    assert (row[f"label::{FR}"], row[f"label::{EN}"]) == ("Commune", "Municipality")
    assert row["required"] == "yes"


def test_choices_are_labelled_with_the_territory_names(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    labels = {c["name"]: (c[f"label::{FR}"], c[f"label::{EN}"]) for c in form.choices
              if c["list_name"] == "territoires_n3"}
    assert labels["ZZ2A2"] == ("Nguékhokh", "Nguékhokh")


def test_territory_option_keeps_only_the_territories_below_it(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools", territory="ZZ1")
    assert territory_rows(form) == [
        ("territoire_n2", "select_one territoires_n2", None),
        ("territory_code", "select_one territoires_n3", "parent=${territoire_n2}")]
    assert offered(form, "territoires_n2") == [("ZZ1A", None), ("ZZ1B", None)]
    assert [code for code, _ in offered(form, "territoires_n3")] == ["ZZ1A1", "ZZ1A2", "ZZ1B1"]


def test_form_for_one_commune_records_its_code_without_asking(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools", territory="ZZ2A1")
    assert territory_rows(form) == [("territory_code", "calculate", None)]
    row = next(r for r in form.survey if r.get("name") == "territory_code")
    assert row["calculation"] == "'ZZ2A1'"


def test_unknown_territory_is_refused(zz_gpkg):
    with pytest.raises(NotFoundError) as caught:
        atlas.form(zz_gpkg, "schools", territory="ZZ9")
    assert "ZZ9" in caught.value.message("fr")


def test_territory_question_is_left_out_when_fields_leave_it_out(zz_gpkg):
    assert territory_rows(atlas.form(zz_gpkg, "schools", fields="teachers")) == []


def test_region_without_departements_is_offered_again_below(tmp_path):
    # ZZ3 has no département and no commune; ZZ2B1 is a commune hanging from its région.
    rows = [*TREE, ("ZZ3", "Îles", 1, "ZZ", (-16.6, 15.0, -16.0, 15.5)),
            ("ZZ2B1", "Joal", 3, "ZZ2", (-16.0, 15.0, -15.4, 15.5))]
    with atlas.create(tmp_path / "uneven.gpkg", {"title": "Inégal"}) as opened:
        write_tree(opened, rows)
        form = atlas.form(opened, "schools")
    departements = offered(form, "territoires_n2")
    communes = offered(form, "territoires_n3")
    assert ("ZZ3", "ZZ3") in departements and ("ZZ3", "ZZ3") in communes
    assert ("ZZ2", "ZZ2") in departements and ("ZZ2B1", "ZZ2") in communes
    label = next(c[f"label::{FR}"] for c in form.choices
                 if c["list_name"] == "territoires_n2" and c["name"] == "ZZ3")
    assert label == "Îles (sans subdivision)"


def test_real_senegal_tree_gives_a_form_pyxform_accepts(sn_atlas):
    form = atlas.form(sn_atlas, "water_points")  # Who's On First régions and départements
    assert len(offered(form, "territoires_n1")) == 14
    departements = offered(form, "territoires_n2")
    assert len(departements) == 44
    assert (THIES_DEPARTEMENT, THIES_REGION) in departements
    assert "<territory_code/>" in form.to_xform()
