"""A book's page maps (drawn in bulk into one reused figure) show what the static map of
the same territory shows: the same features, at the same places, with the same markers."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PathCollection

from atlas.render import MapOptions, static_map
from atlas.render.map.bulk import PageMaps

COMMUNES = ("ZZ010102", "ZZ020301")


def markers(figure) -> list[tuple[float, float, str]]:
    """Every point marker drawn (metres, rounded to the centimetre) and its shape."""
    found = []
    for collection in figure.axes[0].collections:
        if isinstance(collection, PathCollection) and collection.get_sizes().size:
            shape = collection.get_paths()[0].vertices.round(3).tobytes().hex()
            found += [(round(x, 2), round(y, 2), shape)
                      for x, y in np.asarray(collection.get_offsets())]
    return sorted(found)


@pytest.fixture(scope="module")
def page_maps(demo_atlas):
    options = MapOptions(layers=("localities", "water_points", "schools"), lang="fr",
                         size=(900, 650), dpi=100)
    return options, PageMaps(demo_atlas.snapshot(), options)


@pytest.mark.parametrize("code", COMMUNES)
def test_page_map_shows_the_static_maps_points(demo_atlas, page_maps, code):
    options, drawer = page_maps
    expected = markers(static_map(demo_atlas, code, options=options))
    assert len(expected) > 10 and len({shape for *_, shape in expected}) > 1
    assert markers(drawer.figure(code)) == expected


def test_the_figure_is_reused_and_cleared(demo_atlas, page_maps):
    _, drawer = page_maps
    first = drawer.figure(COMMUNES[0])
    count = len(markers(first))
    second = drawer.figure(COMMUNES[1])
    assert second is first  # one figure per drawer...
    assert len(markers(second)) != count  # ...holding only the last territory's map
    assert len(markers(drawer.figure(COMMUNES[0]))) == count


def test_page_maps_draw_one_territory_at_a_time(page_maps):
    with pytest.raises(ValueError):
        page_maps[1].figure(None)
