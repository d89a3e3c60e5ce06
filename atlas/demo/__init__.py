"""Fictional demo atlas: a Sahelian river valley with a coastal delta, built from a seed.

The demo lets people try every part of the platform (maps, fact sheets, indicators,
imports) without real data, and gives the tests a realistic, reproducible atlas. The
generator is pure data and the store decides how to write it. Everything is drawn from
one ``numpy.random.default_rng(seed)`` and no set is ever iterated, so the same seed
gives identical layers, grid and settings on every machine and in every process.

Geometry is built in the atlas's metric CRS (UTM 28N) so that distances and buffers are
in metres, then converted once to the storage CRS; the commune of every point is found
in the storage CRS, the one the data is stored and checked in.

Modules, in the order their parts are drawn: :mod:`.state` (the generator and the
geography drawn first: :mod:`.geography`, :mod:`.localities`, with :mod:`.names`),
then the layers :mod:`.schools`, :mod:`.water`, :mod:`.environment`,
:mod:`.programmes`, :mod:`.activities`, :mod:`.territories`, put together by
:mod:`.generate`; :mod:`.writing` stores the result, :mod:`.sized` builds atlases of
chosen sizes for benchmarks.
"""

from __future__ import annotations

from .generate import generate_demo
from .model import (
    COUNTRY_CODE,
    DEFAULT_SEED,
    LAYER_NAMES,
    LEVEL_NAMES,
    LEVEL_NAMES_EN,
    POPULATION_YEAR,
    RASTER_RESOLUTION,
    DemoData,
    demo_checksum,
)
from .raster import write_population_raster
from .writing import DEMO_USER, build_demo, raster_path_for

__all__ = [
    "COUNTRY_CODE", "DEFAULT_SEED", "DEMO_USER", "LAYER_NAMES", "LEVEL_NAMES", "LEVEL_NAMES_EN",
    "POPULATION_YEAR", "RASTER_RESOLUTION", "DemoData", "build_demo", "demo_checksum",
    "generate_demo", "raster_path_for", "write_population_raster",
]
