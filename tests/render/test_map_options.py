"""One frozen MapOptions for every map: checked when made, read alike by both kinds of map."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from click.testing import CliRunner

from atlas.cli import main as cli
from atlas.render import (
    MapOptions,
    RenderError,
    legend_texts,
    map_options,
    static_map,
    territory_map,
)
from atlas.render.map.leaflet import AtlasLayer, Legend

COMMUNE = "ZZ010102"
DEPARTEMENT = "ZZ0101"


def layer_counts(fmap) -> dict[str, int]:
    return {c.layer_key: c.feature_count for c in fmap._children.values()
            if isinstance(c, AtlasLayer)}


def test_options_are_frozen_and_sequences_become_tuples():
    options = MapOptions(layers=["water_points", "schools"], breaks=[10, 20, 50],
                         cluster=["water_points"])
    assert options.layers == ("water_points", "schools")
    assert options.breaks == (10.0, 20.0, 50.0) and options.cluster == ("water_points",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.classes = 3  # type: ignore[misc]
    assert MapOptions(layers="schools").layers == ("schools",)


@pytest.mark.parametrize(("changes", "words"), [
    ({"scheme": "kmeans"}, "Méthode de classification inconnue"),
    ({"classes": 0}, "nombre de classes"),
    ({"classes": 40}, "nombre de classes"),
    ({"breaks": [5, 2]}, "croissants"),
    ({"breaks": ["dix"]}, "croissants"),
    ({"size": (0, 600)}, "taille de la carte"),
    ({"size": (99_999, 600)}, "taille de la carte"),
    ({"size": "grand"}, "taille de la carte"),
    ({"dpi": 5}, "résolution"),
])
def test_impossible_options_are_refused_in_a_sentence(changes, words):
    with pytest.raises(RenderError) as error:
        MapOptions(**changes)
    assert words in error.value.message("fr")
    assert error.value.message("en") != error.value.message("fr")


def test_keywords_build_the_same_options():
    made = map_options(MapOptions(layers=("schools",)), classes=3, lang="en")
    assert (made.layers, made.classes, made.lang) == (("schools",), 3, "en")
    with pytest.raises(TypeError):
        map_options(colour="red")


def test_every_map_takes_the_territory_then_keyword_only_options():
    from atlas.render import save_static_map, static_map_png, static_map_svg

    shapes = set()
    for entry in (territory_map, static_map, static_map_png, static_map_svg):
        params = list(inspect.signature(entry).parameters.values())
        shapes.add(tuple((p.name, p.kind) for p in params))
        assert [p.name for p in params] == ["atlas", "territory", "options", "fields"]
    assert len(shapes) == 1
    saved = list(inspect.signature(save_static_map).parameters)
    assert saved == ["atlas", "path", "territory", "options", "fields"]


def test_options_or_their_fields_draw_the_same_map(demo_atlas):
    options = MapOptions(layers=("water_points", "schools"), lang="en")
    by_object = territory_map(demo_atlas, COMMUNE, options=options)
    by_keywords = territory_map(demo_atlas, COMMUNE, layers=["water_points", "schools"],
                                lang="en")
    assert layer_counts(by_object) == layer_counts(by_keywords)
    assert layer_counts(by_object)["water_points"] > 0


def test_interactive_and_static_maps_show_the_same_classes(demo_atlas):
    options = MapOptions(layers=(), indicator="pop_total", level="commune", classes=4,
                         scheme="equal_interval", size=(800, 600), dpi=100)
    fmap = territory_map(demo_atlas, DEPARTEMENT, options=options)
    legend = next(c for c in fmap._children.values() if isinstance(c, Legend)).html
    texts = legend_texts(static_map(demo_atlas, DEPARTEMENT, options=options))
    ranges = [text for text in texts if " – " in text]
    assert len(ranges) == 4
    for text in ranges:  # the static legend's class bounds are the interactive one's
        assert text.replace("\u00a0", "&nbsp;") in legend.replace("\u00a0", "&nbsp;")


def test_the_command_line_refuses_bad_options_and_writes_nothing(demo_atlas_path, tmp_path):
    out = tmp_path / "carte.png"
    result = CliRunner().invoke(cli, ["map", "--atlas", str(demo_atlas_path), "-t", COMMUNE,
                                      "-k", "0", "-o", str(out)])
    assert result.exit_code == 2 and "nombre de classes" in result.output
    assert "Traceback" not in result.output and not out.exists()
    good = CliRunner().invoke(cli, ["map", "--atlas", str(demo_atlas_path), "-t", COMMUNE,
                                    "--layers", "schools", "--indicator", "pop_total",
                                    "--level", "3", "-k", "3", "-o", str(out)])
    assert good.exit_code == 0, good.output
    assert out.read_bytes().startswith(b"\x89PNG") and not list(tmp_path.glob("*.part"))
