"""Write the fictional demo atlas: a GeoPackage plus its population GeoTIFF.

The data comes from :func:`atlas.demo.generate_demo`; this module only stores it,
through the same store API as any import, so the demo exercises the real write
path. The file is built under a temporary name and moved into place at the end,
so an interrupted build never leaves a half-written atlas behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..atlas import Atlas, create
from ..atlas import open as open_atlas
from .generate import generate_demo
from .model import DEFAULT_SEED
from .raster import write_population_raster

DEMO_USER = "atlas demo"


def raster_path_for(out: Path) -> Path:
    """Population GeoTIFF stored next to the atlas file."""
    return out.with_name(f"{out.stem}_population.tif")


#: What the demo's layers cite: generated data, free of rights, dated like its tables.
DEMO_SOURCE = "atlas-territorial, données fictives générées"
DEMO_LICENCE = "CC0 1.0"
DEMO_AS_OF = "2024"


def build_demo(out: str | os.PathLike[str] = "data/demo.gpkg",
               seed: int = DEFAULT_SEED) -> Atlas:
    """Build (or rebuild) the demo atlas at ``out`` and return it opened."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = generate_demo(seed)
    raster = raster_path_for(out)
    settings = {**data.settings, "population_raster": raster.name}
    partial = out.with_name(f".partial-{out.name}")
    partial.unlink(missing_ok=True)
    source = f"atlas demo --seed {seed}"
    # cited under every map and table like an import's --source/--licence/--as-of
    provenance = {"source": f"{DEMO_SOURCE} ({seed})", "licence": DEMO_LICENCE,
                  "as_of": DEMO_AS_OF}
    with create(partial, settings) as built:
        for name, frame in data.layers.items():
            built.write(name, frame, user=DEMO_USER, source=source, provenance=provenance)
    partial_raster = raster.with_name(f".partial-{raster.name}")
    write_population_raster(data, partial_raster)
    os.replace(partial_raster, raster)
    os.replace(partial, out)
    return open_atlas(out)
