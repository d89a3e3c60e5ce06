"""Static maps (atlas.render.map.static): image size, not blank, legend, scale, sources."""

from __future__ import annotations

import io
from datetime import date

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from atlas.demo import sized
from atlas.render import (
    RenderError,
    figure_png,
    figure_svg,
    legend_texts,
    save_static_map,
    static_map,
    static_map_png,
    static_map_svg,
)
from atlas.render.map.decor import nice_length


@pytest.fixture(scope="module")
def small_atlas(tmp_path_factory):
    path = tmp_path_factory.mktemp("static") / "small.gpkg"
    shape = sized.Shape(regions=1, departements=2, communes=6, scale=0.05)
    with sized.build_sized_atlas(path, seed=5, shape=shape, hostile=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def region(small_atlas):
    return small_atlas.territories.at_level(1).index[0]


@pytest.fixture(scope="module")
def region_figure(small_atlas, region):
    codes = list(small_atlas.territories.at_level(3).index)
    values = pd.Series(np.linspace(5, 95, len(codes)), index=codes)
    values.iloc[0] = np.nan
    return static_map(small_atlas, region, layers=["water_points", "localities", "mangroves"],
                      indicator=values, label="Accès à l'eau", unit="%",
                      source="Enquête 2024", size=(900, 600), dpi=100,
                      today=date(2025, 2, 1))


def pixels(png: bytes) -> np.ndarray:
    return matplotlib.image.imread(io.BytesIO(png), format="png")


@pytest.mark.slow
def test_image_size_and_not_blank(region_figure):
    image = pixels(figure_png(region_figure))
    assert image.shape[:2] == (600, 900)
    rgb = image[..., :3]
    non_white = (rgb < 0.97).any(axis=2).mean()
    assert 0.15 < non_white < 0.95
    assert rgb.std() > 0.1
    assert len(np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 30


def test_legend_names_every_symbol(region_figure):
    texts = legend_texts(region_figure)
    assert texts[0] == "Accès à l'eau (%)"
    assert "Pas de données" in texts
    assert len([t for t in texts if " – " in t]) == 5  # five classes, French ranges
    for expected in ("Points d'eau", "Fonctionnel", "En panne", "Localités", "Chef-lieu",
                     "Mangroves"):
        assert expected in texts
    assert texts.index("Points d'eau") < texts.index("Fonctionnel")


def test_point_categories_differ_by_shape(region_figure):
    box = region_figure.axes[0].get_legend()
    texts = [t.get_text() for t in box.get_texts()]
    handles = box.legend_handles
    start = texts.index("Points d'eau") + 1
    markers = [h.get_marker() for h in handles[start:start + 4] if isinstance(h, Line2D)]
    assert len(markers) == 4 and len(set(markers)) == 4


def test_scale_bar_north_arrow_sources_and_date(region_figure):
    ax = region_figure.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert any(t.endswith(" km") for t in labels) and "N" in labels
    figure_texts = " ".join(t.get_text() for t in region_figure.texts)
    assert "Source : " in figure_texts and "Enquête 2024" in figure_texts
    assert "Carte produite le 01/02/2025" in figure_texts.replace("\n", " ")
    assert "Données fictives" in figure_texts


def test_english_svg_and_hostile_names(small_atlas):
    commune = next(c for c in small_atlas.territories.at_level(3).index
                   if "<script>" in small_atlas.territories.name(c))
    svg = static_map_svg(small_atlas, commune, layers=["water_points"], lang="en",
                         size=(600, 400), dpi=100)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<script" not in svg  # titles are drawn as paths, never as markup
    figure = static_map(small_atlas, commune, layers=["water_points"], lang="en",
                        size=(600, 400), dpi=100)
    assert isinstance(figure, Figure)
    assert "Water points" in legend_texts(figure)
    assert any("<script>" in t.get_text() for t in figure.texts)  # shown as text


def test_png_bytes_and_files(small_atlas, region, tmp_path):
    png = static_map_png(small_atlas, region, layers=["schools"], size=(400, 300), dpi=100,
                         legend=False)
    assert png.startswith(b"\x89PNG") and pixels(png).shape[:2] == (300, 400)
    written = save_static_map(small_atlas, tmp_path / "map.svg", region, layers=["schools"],
                              size=(400, 300), dpi=100)
    assert written.read_text(encoding="utf-8").count("<svg") == 1
    with pytest.raises(RenderError, match=r"\.pdf"):
        save_static_map(small_atlas, tmp_path / "map.pdf", region)
    assert figure_svg(Figure()).startswith("<?xml")


def test_nice_scale_lengths():
    assert nice_length(100_000) == 20_000
    assert nice_length(7_000) == 1_000
    assert nice_length(260_000) == 50_000
