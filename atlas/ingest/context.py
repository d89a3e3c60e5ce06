"""What every file of one import shares: the atlas, the layer, the mode and options.

The territory tree, its projected index, the identifiers already in the layer and the
territories that may be parents are computed once, on first use, for all files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ..crs import STORAGE
from ..errors import IngestError, NotFoundError
from ..i18n import normalise_language
from ..store import WriteMode
from ..territories import TerritoryTree
from .placement import TerritoryIndex

if TYPE_CHECKING:
    from ..atlas import Atlas
    from ..catalog import LayerSpec


@dataclass(frozen=True)
class ImportOptions:
    """What the person said about the whole import, beyond columns and CRS.

    ``constants`` are ``--set FIELD=VALUE`` (raw text, converted like a cell);
    ``source``/``licence``/``as_of`` the provenance kept with the revision;
    ``level_name`` names a territory level the atlas has no name for; ``force``
    commits a territory replace that orphans children; ``drop_duplicates`` keeps the
    first of each exact duplicate row.
    """

    constants: Mapping[str, str] = field(default_factory=dict)
    drop_duplicates: bool = False
    source: str | None = None
    licence: str | None = None
    as_of: str | None = None
    level_name: str | None = None
    force: bool = False
    #: Metres within which two points with the same name are "at the same place".
    duplicate_tolerance_m: float = 1.0


@dataclass
class Context:
    """What every file of one import shares: the atlas, the layer and the options."""

    atlas: Atlas
    spec: LayerSpec
    mode: WriteMode
    lang: str
    tolerance_m: float
    revision: int = 0
    options: ImportOptions = field(default_factory=ImportOptions)
    #: ``--level`` of a territory replace by :func:`import_file`: that level only.
    level_replace: int | None = None

    @classmethod
    def build(cls, atlas: Atlas, layer: str, mode: WriteMode | str, lang: str | None,
              tolerance_m: float, options: ImportOptions | None = None) -> Context:
        """Context for importing into ``layer`` of ``atlas``."""
        try:
            mode = WriteMode(mode)
        except ValueError:
            raise IngestError("ingest.bad_mode", mode=mode) from None
        return cls(atlas=atlas, spec=atlas.spec(layer), mode=mode,
                   lang=normalise_language(lang), tolerance_m=tolerance_m,
                   revision=atlas.revision, options=options or ImportOptions())

    @cached_property
    def tree(self) -> TerritoryTree | None:
        """The atlas's territory tree, None when it has no territory yet."""
        try:
            tree = self.atlas.territories
        except NotFoundError:
            return None
        return tree if len(tree) else None

    @cached_property
    def index(self) -> TerritoryIndex | None:
        """Projected outer territories, for distances (None without territories)."""
        if self.tree is None:
            return None
        return TerritoryIndex(self.tree, self.atlas.metric_crs, self.tolerance_m)

    @cached_property
    def existing_ids(self) -> set[str]:
        """Identifiers already in the layer (an append must not repeat them)."""
        ids = self.atlas.read(self.spec.name, columns=[self.spec.id_field])
        return set(ids[self.spec.id_field].dropna().astype(str))

    @cached_property
    def known_territories(self) -> gpd.GeoDataFrame:
        """Territories already in the atlas that may be parents (none on replace)."""
        if self.tree is None or (self.mode is WriteMode.REPLACE and self.level_replace is None):
            return territory_frame([], [], [])
        frame = self.tree.frame
        return territory_frame(frame["code"].astype(str).tolist(),
                                frame["level"].astype(int).tolist(),
                                list(frame.geometry.values))


def territory_frame(codes: list, levels: list, geoms: list) -> gpd.GeoDataFrame:
    """Code, level and geometry of territories a unit's parent may be."""
    return gpd.GeoDataFrame({"code": pd.Series(codes, dtype=object),
                             "level": pd.Series(levels, dtype="float64")},
                            geometry=gpd.GeoSeries(geoms, crs=STORAGE), crs=STORAGE)
