"""The XLSForm drawn from the catalogue: one question per field, as the spec declares it."""

from __future__ import annotations

import openpyxl
import pytest
from forms_support import TREE, write_tree
from pyxform.xls2xform import convert

import atlas
from atlas.catalog import Catalog, load_catalog, parse_spec
from atlas.errors import FormError

FR, EN = "Français (fr)", "English (en)"


def question(form: atlas.forms.SurveyForm, name: str) -> dict:
    return next(row for row in form.survey if row.get("name") == name)


def choices(form: atlas.forms.SurveyForm, list_name: str) -> list[dict]:
    return [row for row in form.choices if row["list_name"] == list_name]


# -- one question per field ----------------------------------------------------------------
def test_integer_field_is_an_integer_question_bounded_by_its_range(zz_gpkg):
    row = question(atlas.form(zz_gpkg, "schools"), "pupils_girls")
    assert row["type"] == "integer"
    assert row["constraint"] == ". >= 0 and . <= 10000"
    assert row[f"constraint_message::{FR}"] == "Une valeur entre 0 et 10000."
    assert row[f"constraint_message::{EN}"] == "A value between 0 and 10000."


def test_unit_is_given_in_the_hint(zz_gpkg):
    row = question(atlas.form(zz_gpkg, "schools"), "pupils_girls")
    assert row[f"hint::{FR}"] == "Unité : élèves."
    assert row[f"hint::{EN}"] == "Unit: élèves."


def test_float_field_is_a_decimal_question_with_description_and_unit(zz_gpkg):
    row = question(atlas.form(zz_gpkg, "biodigesters"), "volume_m3")
    assert row["type"] == "decimal"
    assert row["constraint"] == ". >= 0 and . <= 200"
    assert row[f"hint::{FR}"] == ("Un biodigesteur de 10 m³ produit environ 2,5 m³ de biogaz "
                                  "par jour. Unité : m³.")


def test_lower_bound_alone_is_a_constraint_of_its_own(zz_gpkg):
    row = question(atlas.form(zz_gpkg, "localities"), "population")  # min = 0, no max
    assert row["constraint"] == ". >= 0"
    assert row[f"constraint_message::{FR}"] == "Une valeur d'au moins 0."


@pytest.mark.slow
def test_boolean_field_is_a_oui_non_select(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    assert question(form, "fenced")["type"] == "select_one oui_non"
    assert [(c["name"], c[f"label::{FR}"], c[f"label::{EN}"])
            for c in choices(form, "oui_non")] == [("oui", "Oui", "Yes"), ("non", "Non", "No")]


def test_category_field_offers_its_codes_with_french_and_english_labels(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    assert question(form, "level")["type"] == "select_one level"
    assert [(c["name"], c[f"label::{FR}"], c[f"label::{EN}"])
            for c in choices(form, "level")] == [
        ("preschool", "Préscolaire", "Pre-primary"), ("primary", "Élémentaire", "Primary"),
        ("middle", "Moyen", "Lower secondary"), ("secondary", "Secondaire", "Upper secondary")]


def test_string_and_date_fields_are_text_and_date_questions(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    assert question(form, "wash_programme")["type"] == "text"
    assert question(form, "survey_date")["type"] == "date"


def test_question_labels_are_the_field_titles(zz_gpkg):
    row = question(atlas.form(zz_gpkg, "schools"), "water_source")
    assert (row[f"label::{FR}"], row[f"label::{EN}"]) == (
        "Source principale d'eau de boisson", "Main drinking-water source")


def test_required_field_is_required_with_a_message(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    assert question(form, "name")["required"] == "yes"
    assert question(form, "name")[f"required_message::{FR}"] == "Réponse obligatoire."
    assert "required" not in question(form, "teachers")


def test_identifier_is_a_uuid_drawn_once(zz_gpkg):
    row = question(atlas.form(zz_gpkg, "schools"), "school_id")
    assert (row["type"], row["calculation"]) == ("calculate", "once(uuid())")


def test_point_layer_asks_a_required_gps_point(zz_gpkg):
    row = question(atlas.form(zz_gpkg, "water_points"), "gps")
    assert (row["type"], row["required"]) == ("geopoint", "yes")


def test_gps_point_is_optional_where_the_layer_allows_no_geometry(zz_gpkg):
    assert "required" not in question(atlas.form(zz_gpkg, "activities"), "gps")


def test_polygon_layer_asks_a_geoshape(zz_gpkg):
    assert question(atlas.form(zz_gpkg, "mangroves"), "contour")["type"] == "geoshape"


def test_line_layer_asks_a_geotrace(tmp_path):
    line = parse_spec('name = "tracks"\ntitle = "Pistes"\ngeometry = "LineString"\n'
                      'id_field = "track_id"\n[metadata]\nsource = "t"\nlicence = "CC0"\n'
                      '[[fields]]\nname = "track_id"\ntype = "string"\n', "tracks.toml")
    catalog = Catalog([load_catalog()["territories"], line])
    with atlas.create(tmp_path / "lines.gpkg", {"title": "Lignes"}, catalog) as opened:
        assert question(atlas.form(opened, "tracks"), "trace")["type"] == "geotrace"


def test_geometry_question_gives_way_to_a_field_named_gps(tmp_path):
    spec = parse_spec('name = "sites"\ntitle = "Sites"\ngeometry = "Point"\n'
                      'id_field = "site_id"\n[metadata]\nsource = "t"\nlicence = "CC0"\n'
                      '[[fields]]\nname = "site_id"\ntype = "string"\n'
                      '[[fields]]\nname = "gps"\ntype = "string"\n', "sites.toml")
    catalog = Catalog([load_catalog()["territories"], spec])
    with atlas.create(tmp_path / "sites.gpkg", {"title": "Sites"}, catalog) as opened:
        form = atlas.form(opened, "sites")
    assert question(form, "point_gps")["type"] == "geopoint"
    assert question(form, "gps")["type"] == "text"


def test_every_question_of_the_data_group_is_a_field_of_the_layer(zz_gpkg):
    form = atlas.form(zz_gpkg, "water_points")
    names = [row.get("name") for row in form.survey]
    inside = names[names.index("donnees") + 1:-1]
    assert inside == ["name", "source_type", "technology", "status", "water_available",
                      "install_year", "rehab_year", "management", "pay", "report_date"]


# -- settings --------------------------------------------------------------------------------
def test_form_id_is_the_layer_and_version_starts_with_the_atlas_revision(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools")
    assert form.settings["form_id"] == "schools"
    assert form.version.startswith(f"{zz_gpkg.revision:06d}-")
    assert form.settings["version"] == form.version
    assert form.settings["default_language"] == FR
    assert form.settings["form_title"] == "Écoles — Atlas d'essai"
    assert form.settings["instance_name"] == "concat(${name})"


def test_version_changes_with_the_questions_not_with_a_second_drawing(zz_gpkg):
    full, again = atlas.form(zz_gpkg, "schools"), atlas.form(zz_gpkg, "schools")
    fewer = atlas.form(zz_gpkg, "schools", fields="teachers")
    assert full.version == again.version
    assert fewer.version != full.version


def test_form_limited_to_a_territory_has_its_code_in_form_id(zz_gpkg):
    assert atlas.form(zz_gpkg, "schools", territory="ZZ1").form_id == "schools_ZZ1"


# -- options ---------------------------------------------------------------------------------
def test_fields_option_keeps_the_identifier_and_the_required_fields(zz_gpkg):
    form = atlas.form(zz_gpkg, "water_points", fields="technology")
    names = [row["name"] for row in form.survey if "name" in row]
    assert names == ["start", "end", "wp_id", "lieu", "gps", "donnees", "source_type",
                     "technology", "status"]


def test_unknown_field_is_refused_with_the_list_of_fields(zz_gpkg):
    with pytest.raises(FormError) as caught:
        atlas.form(zz_gpkg, "water_points", fields="status,debit")
    assert caught.value.message("fr").startswith(
        "Champ(s) inconnu(s) pour la couche « water_points » : debit. Champs : wp_id, name,")
    assert caught.value.message("en").startswith("Unknown field(s) for layer 'water_points'")


def test_english_only_form_has_only_english_columns(zz_gpkg):
    form = atlas.form(zz_gpkg, "schools", langs="en")
    columns = {key for row in [*form.survey, *form.choices] for key in row}
    assert not [c for c in columns if FR in c]
    assert form.settings["default_language"] == EN
    assert question(form, "level")[f"label::{EN}"] == "Education level"


def test_first_language_is_the_default(zz_gpkg):
    assert atlas.form(zz_gpkg, "schools", langs="en,fr").settings["default_language"] == EN


def test_unknown_language_is_refused(zz_gpkg):
    with pytest.raises(FormError, match="Langue de formulaire inconnue : « wo »"):
        atlas.form(zz_gpkg, "schools", langs="fr,wo")


def test_territories_layer_has_no_form(zz_gpkg):
    with pytest.raises(FormError, match="ne se collecte pas par formulaire"):
        atlas.form(zz_gpkg, "territories")


def test_unknown_layer_is_refused_with_the_layers_of_the_atlas(zz_gpkg):
    with pytest.raises(atlas.AtlasError, match="schools"):
        atlas.form(zz_gpkg, "ecoles")


def test_atlas_without_territories_asks_no_territory_and_says_so(tmp_path):
    with atlas.create(tmp_path / "empty.gpkg", {"title": "Vide"}) as opened:
        form = atlas.form(opened, "schools")
    assert not [row for row in form.survey if row.get("name") == "territory_code"]
    assert form.notes == ["forms.no_territories"]


# -- files -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_saved_workbook_has_the_three_sheets_and_converts(zz_gpkg, tmp_path):
    path = tmp_path / "formulaire.xlsx"
    atlas.form(zz_gpkg, "schools", path=path)
    assert openpyxl.load_workbook(path).sheetnames == ["survey", "choices", "settings"]
    xform = convert(xlsform=str(path)).xform
    assert 'id="schools"' in xform and "<pupils_girls/>" in xform


def test_xml_output_is_the_xform(zz_gpkg, tmp_path):
    path = atlas.form(zz_gpkg, "schools").save(tmp_path / "formulaire.xml")
    assert path.read_text(encoding="utf-8").startswith("<?xml")
    assert "once(uuid())" in path.read_text(encoding="utf-8")


def test_other_output_suffix_is_refused_and_nothing_written(zz_gpkg, tmp_path):
    with pytest.raises(FormError, match=r"\.xlsx \(XLSForm\) ou \.xml"):
        atlas.form(zz_gpkg, "schools", path=tmp_path / "formulaire.csv")
    assert list(tmp_path.glob("formulaire*")) == []


def test_form_from_an_atlas_url(zz_gpkg):
    assert atlas.form(zz_gpkg.url, "schools").form_id == "schools"


def test_hostile_territory_names_stay_plain_text(tmp_path):
    rows = [(c, n, lv, p, b) for c, n, lv, p, b in TREE]
    rows[1] = ("ZZ1", '=HYPERLINK("http://x.invalid","Cliquez")', 1, "ZZ", rows[1][4])
    rows[2] = ("ZZ2", "Delta ${gps}", 1, "ZZ", rows[2][4])
    with atlas.create(tmp_path / "hostile.gpkg", {"title": "Hostile"}) as opened:
        write_tree(opened, rows)
        form = atlas.form(opened, "schools", path=tmp_path / "f.xlsx")  # pyxform accepts it
    labels = {c["name"]: c[f"label::{FR}"] for c in choices(form, "territoires_n1")}
    assert labels == {"ZZ1": '=HYPERLINK("http://x.invalid","Cliquez")', "ZZ2": "Delta $ {gps}"}
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx")["choices"]
    cell = next(c for row in sheet.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_unwritable_path_is_a_sentence_not_a_traceback(zz_gpkg, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier", encoding="utf-8")
    with pytest.raises(FormError) as caught:
        atlas.form(zz_gpkg, "schools").save(blocker / "formulaire.xlsx")
    assert caught.value.message("fr").startswith(f"Impossible d'écrire {blocker}")
    assert blocker.read_text(encoding="utf-8") == "pas un dossier"
