"""The population grid as a GeoTIFF, written so that the same seed gives the same file."""

from __future__ import annotations

import os
from pathlib import Path

import rasterio

from .model import DemoData


def write_population_raster(data: DemoData, path: str | os.PathLike[str]) -> Path:
    """Write the population grid as a deflate-compressed GeoTIFF with fixed tags.

    Tags carry no timestamp, so the same seed writes the same file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    height, width = data.population.shape
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1,
        "dtype": "float32", "crs": rasterio.crs.CRS.from_user_input(data.crs.to_wkt()),
        "transform": data.transform, "compress": "deflate", "predictor": 3,
        "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    with rasterio.open(target, "w", **profile) as dst:
        dst.write(data.population.astype("float32"), 1)
        dst.update_tags(
            TITLE="Population (fictional demo atlas)",
            SOURCE="atlas-territorial demo generator",
            FICTIONAL="yes",
            SEED=str(data.settings.get("seed", "")),
            POPULATION_YEAR=str(data.settings.get("population_year", "")),
        )
        dst.update_tags(1, UNITS="people per cell")
        dst.set_band_description(1, "population")
    return target
