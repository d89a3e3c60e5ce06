"""A territory's own data as one GeoPackage: what a commune takes home from a workshop.

:func:`territory_extract` writes, for every layer of the catalogue, the rows that
:meth:`atlas.Atlas.read` gives for the territory (its sub-units for the territories
layer, features inside or attached to it for the others) as one GeoPackage layer of
the same name, in EPSG:4326, readable by QGIS without the platform. It is a copy,
not an atlas: no revisions, no specs, just the data and a ``README`` table saying
where and when it came from (and that the demo data are fictional).
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio

from .i18n import t

if TYPE_CHECKING:
    from .atlas import Atlas


def _writable(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GDAL can write: dates stay dates, other Python objects become text."""
    frame = frame.copy()
    for column in frame.columns:
        if column == frame.geometry.name or frame[column].dtype != object:
            continue
        values = frame[column].dropna()
        if values.empty:
            frame[column] = frame[column].astype("string")
        elif values.map(lambda v: isinstance(v, (date, datetime))).all():
            frame[column] = pd.to_datetime(frame[column])
        elif not values.map(lambda v: isinstance(v, str)).all():
            frame[column] = frame[column].map(lambda v: None if v is None or v is pd.NA
                                              else str(v))
    return frame


def territory_extract(atlas: Atlas, code: str, path: str | os.PathLike[str],
                      lang: str | None = None) -> Path:
    """Write the territory's data to ``path`` (a new ``.gpkg``); returns the path.

    Layers without any row for the territory are left out (GDAL cannot give an empty
    layer a geometry type it never saw). The file is written next to ``path`` and
    moved in place at the end, so a failed extract leaves nothing half-written.
    """
    territory = atlas.territories.get(code)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".gpkg", dir=target.parent)
    os.close(handle)
    os.unlink(temporary)
    written: list[dict[str, object]] = []
    try:
        for name in atlas.catalog:
            frame = atlas.read(name, territory=code)
            if frame.empty:
                continue
            pyogrio.write_dataframe(_writable(frame), temporary, layer=name, driver="GPKG",
                                    promote_to_multi=atlas.spec(name).geometry.startswith(
                                        "Multi"))
            written.append({"layer": name, "title": atlas.spec(name).title(lang),
                            "rows": len(frame)})
        notes = [t("app.extract.readme", lang, name=territory.name, code=code,
                   atlas=atlas.settings.title_in(lang), revision=atlas.revision,
                   date=datetime.now(UTC).date().isoformat())]
        warning = atlas.warning(lang)
        if warning:
            notes.append(warning)
        readme = pd.DataFrame({"layer": [w["layer"] for w in written],
                               "title": [w["title"] for w in written],
                               "rows": [w["rows"] for w in written],
                               "note": [" ".join(notes)] * len(written)})
        pyogrio.write_dataframe(readme, temporary, layer="README", driver="GPKG")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target
