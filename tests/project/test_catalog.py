"""The layer catalogue: the shipped specs are complete and coherent, broken specs fail clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas.catalog import FIELD_TYPES, load_catalog, load_spec, parse_spec
from atlas.errors import CatalogError

LAYERS = ("territories", "localities", "water_points", "schools", "mangroves", "nubian_vaults",
          "biodigesters", "waste_sites", "activities")
POINT_LAYERS = ("localities", "water_points", "schools", "nubian_vaults", "biodigesters",
                "waste_sites", "activities")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_catalogue_has_the_nine_layers_in_display_order(catalog):
    assert set(catalog) == set(LAYERS)
    orders = [catalog[name].order for name in catalog]
    assert orders == sorted(orders)
    assert list(catalog)[0] == "territories"
    assert list(catalog)[-1] == "activities"


def test_layer_shapes(catalog):
    assert catalog["territories"].geometry == "MultiPolygon"
    assert catalog["territories"].id_field == "code"
    assert catalog["mangroves"].geometry == "MultiPolygon"
    for name in POINT_LAYERS:
        assert catalog[name].geometry == "Point", name
    assert catalog["activities"].geometry_required is False
    assert all(catalog[name].geometry_required for name in LAYERS if name != "activities")


@pytest.mark.parametrize("name", LAYERS)
def test_spec_is_documented(catalog, name):
    spec = catalog[name]
    assert spec.metadata["source"] and spec.metadata["licence"]
    assert {"fr", "en"} <= set(spec.metadata["description"])
    assert {"fr", "en"} <= set(spec.titles)
    assert spec.theme
    assert spec.field(spec.id_field).required
    assert spec.field(spec.id_field).type == "string"
    for field in spec.fields:
        assert field.type in FIELD_TYPES
        assert {"fr", "en"} <= set(field.titles), f"{name}.{field.name}"
        assert field.synonyms, f"{name}.{field.name} has no synonyms"
        for value in field.values:
            assert {"fr", "en"} <= set(value.labels), f"{name}.{field.name}.{value.code}"
            assert re.match(r"^[a-z][a-z0-9_]*$", value.code)
        if field.minimum is not None and field.maximum is not None:
            assert field.minimum < field.maximum


@pytest.mark.parametrize("name", LAYERS)
def test_style_refers_to_real_values(catalog, name):
    spec = catalog[name]
    style = spec.style
    assert re.match(r"^#[0-9a-fA-F]{6}$", style.default.color)
    if style.by is None:
        assert not style.categories
        return
    field = spec.field(style.by)
    assert field.type == "category"
    assert set(style.categories) == set(field.codes()), "every value has its own symbol"
    colours = [symbol.color.lower() for symbol in style.categories.values()]
    assert len(set(colours)) == len(colours), "two categories share a colour"


@pytest.mark.parametrize("name", LAYERS)
def test_synonyms_are_unambiguous(catalog, name):
    """A column name read from a file must map to one field, and a value to one code."""
    owner: dict[str, str] = {}
    for field in catalog[name].fields:
        for word in {field.name.lower(), *(s.lower() for s in field.synonyms)}:
            assert owner.setdefault(word, field.name) == field.name, (
                f"{name}: '{word}' maps to {owner[word]} and {field.name}")
        meaning: dict[str, str] = {}
        for value in field.values:
            words = {value.code, *value.labels.values(), *value.synonyms}
            for word in {w.lower() for w in words}:
                assert meaning.setdefault(word, value.code) == value.code, (
                    f"{name}.{field.name}: '{word}' means {meaning[word]} and {value.code}")


@pytest.mark.parametrize("name", POINT_LAYERS + ("mangroves",))
def test_layers_carry_their_territory(catalog, name):
    field = catalog[name].field("territory_code")
    assert field.type == "string"
    assert "code_commune" in field.synonyms


def test_territory_fields(catalog):
    spec = catalog["territories"]
    assert spec.field_names == ("code", "name", "level", "level_name", "parent_code", "country",
                                "population", "population_year", "boundary_version")
    assert spec.field("name").required and spec.field("level").required
    assert spec.field("level").type == "integer"
    assert spec.field("population").unit == "hab"
    for synonym in ("ADM1_PCODE", "ADM3_PCODE", "GID_2", "pcode", "code_commune"):
        assert synonym in spec.field("code").synonyms
    for synonym in ("ADM1_FR", "NAME_1", "nom"):
        assert synonym in spec.field("name").synonyms


def test_school_ladders_are_declared(catalog):
    spec = catalog["schools"]
    water = spec.field("water_source")
    assert set(water.codes_where("improved", True)) == {
        "piped", "borehole", "protected_well", "rainwater", "packaged"}
    assert set(water.codes_where("improved", False)) == {
        "unprotected_well", "surface_water", "none"}
    sanitation = spec.field("sanitation_type")
    assert set(sanitation.codes_where("improved", True)) == {
        "flush", "pour_flush", "pit_slab", "vip", "composting"}
    assert set(sanitation.codes_where("improved", False)) == {
        "pit_no_slab", "hanging", "bucket", "none"}
    for name in ("water_available", "handwashing_facility", "handwashing_water",
                 "handwashing_soap"):
        assert spec.field(name).type == "boolean"
    for sex in ("girls", "boys", "mixed"):
        for suffix in ("", "_usable"):
            latrines = spec.field(f"latrines_{sex}{suffix}")
            assert latrines.type == "integer" and latrines.unit == "nb"
    assert spec.field("level").value("primary").label("fr") == "Élémentaire"
    assert spec.field("pupils_girls").unit == "élèves"


def test_domain_attributes_and_units(catalog):
    assert catalog["biodigesters"].field("status").codes_where("functional") == ("working",)
    assert catalog["water_points"].field("status").codes_where("functional") == (
        "functional", "partly_functional")
    assert catalog["mangroves"].field("area_ha").unit == "ha"
    assert catalog["mangroves"].field("survival_rate").maximum == 100
    assert catalog["nubian_vaults"].field("floor_area_m2").unit == "m²"
    assert catalog["biodigesters"].field("volume_m3").unit == "m³"
    assert catalog["waste_sites"].field("capacity_m3").unit == "m³"
    assert catalog["localities"].field("kind").value("chef_lieu").label("fr") == "Chef-lieu"
    assert catalog["activities"].field("programme").codes() == (
        "wash_schools", "biodigesters", "mangroves", "nubian_vaults", "waste", "youth_training")
    assert catalog["activities"].field("date").required
    assert catalog["activities"].field("territory_code").required


# --------------------------------------------------------------------- broken specs

VALID = '''
name = "sample"
title = { fr = "Exemple", en = "Sample" }
geometry = "Point"
id_field = "sample_id"

[metadata]
source = "test"
licence = "CC0"

[style]
by = "kind"
[style.categories]
a = { color = "#112233" }

[[fields]]
name = "sample_id"
type = "string"
required = true

[[fields]]
name = "kind"
type = "category"
values = [{ code = "a", fr = "A" }, { code = "b", fr = "B" }]
'''

BROKEN = {
    "unknown_type": (VALID.replace('type = "string"', 'type = "text"'), "fields[0].type", "text"),
    "unknown_id_field": (VALID.replace('id_field = "sample_id"', 'id_field = "uid"'),
                         "id_field", "uid"),
    "bad_colour": (VALID.replace('"#112233"', '"red"'), "style.categories.a.color", "red"),
    "hostile_layer_name": (VALID.replace('name = "sample"', 'name = "x; drop table"'),
                           "name", "x; drop table"),
    "hostile_field_name": (VALID.replace('name = "sample_id"\ntype',
                                         'name = "x; drop table"\ntype'),
                           "fields[0].name", "x; drop table"),
    "duplicate_field": (VALID.replace('name = "kind"', 'name = "sample_id"'),
                        "fields[1].name", "sample_id"),
    "unknown_style_value": (VALID.replace("a = { color", "zzz = { color"),
                            "style.categories.zzz", "zzz"),
    "unknown_style_field": (VALID.replace('by = "kind"', 'by = "colour"'), "style.by", "colour"),
    "missing_licence": (VALID.replace('licence = "CC0"', ""), "metadata.licence", None),
    "category_without_values": (VALID.replace(
        'values = [{ code = "a", fr = "A" }, { code = "b", fr = "B" }]', "").replace(
        '[style.categories]\na = { color = "#112233" }', "").replace('by = "kind"', ""),
        "fields[1].values", None),
    "reserved_name": (VALID.replace('name = "kind"', 'name = "geometry"').replace(
        'by = "kind"', ""), "fields[1].name", "geometry"),
}


def test_the_valid_sample_parses():
    spec = parse_spec(VALID, source="sample.toml")
    assert spec.field_names == ("sample_id", "kind")
    assert spec.style.symbol_for("a").color == "#112233"


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_spec_names_file_and_key(tmp_path: Path, case: str):
    text, key, value = BROKEN[case]
    path = tmp_path / f"broken_{case}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_spec(path)
    for lang in ("fr", "en"):
        message = caught.value.message(lang)
        assert path.name in message, message
        assert key in message, message
        if value is not None:
            assert value in message, message
    # The whole catalogue refuses to load as well, with the same message.
    with pytest.raises(CatalogError) as whole:
        load_catalog(tmp_path)
    assert whole.value.message("en") == caught.value.message("en")


def test_toml_syntax_error_names_the_file(tmp_path: Path):
    path = tmp_path / "syntax.toml"
    path.write_text(VALID.replace('geometry = "Point"', "geometry = Point"), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_spec(path)
    assert "syntax.toml" in caught.value.message("en")
    assert caught.value.key == "catalog.toml_syntax"


def test_duplicate_layer_names_across_files(tmp_path: Path):
    (tmp_path / "one.toml").write_text(VALID, encoding="utf-8")
    (tmp_path / "two.toml").write_text(VALID, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert "sample" in caught.value.message("en")


def test_empty_directory_is_refused(tmp_path: Path):
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(tmp_path) in caught.value.message("en")
