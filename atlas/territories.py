"""The territory tree: admin units of every level in one layer, linked by parent code.

Everything that talks about "a commune and its département" goes through this
module: children, ancestors, siblings, the ancestor at a given level for many codes
at once (how diagnostics aggregate), and which territory contains given points.
Territories are always joined by code, never by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from .errors import NotFoundError
from .i18n import t
from .settings import AtlasSettings
from .text import fold


@dataclass(frozen=True)
class Territory:
    """One admin unit."""

    code: str
    name: str
    level: int
    level_name: str | None
    parent_code: str | None
    country: str | None
    population: int | None
    population_year: int | None


class TerritoryTree:
    """Lookups over the ``territories`` layer (see the module docstring)."""

    def __init__(self, frame: gpd.GeoDataFrame, settings: AtlasSettings | None = None) -> None:
        frame = frame.copy()
        frame["level"] = frame["level"].astype("int64")
        self.frame = frame.set_index("code", drop=False).sort_index()
        self.settings = settings
        parents = self.frame["parent_code"]
        self._children: dict[str | None, list[str]] = {}
        for code, parent in zip(self.frame.index, parents, strict=True):
            key = None if pd.isna(parent) else str(parent)
            self._children.setdefault(key, []).append(str(code))

    # -- single territories -------------------------------------------------------------
    def __contains__(self, code: object) -> bool:
        """True when the code is a territory of the tree."""
        return code in self.frame.index

    def __len__(self) -> int:
        """Number of territories of all levels."""
        return len(self.frame)

    def get(self, code: str) -> Territory:
        """The territory with this code; raises :class:`NotFoundError`."""
        if code not in self.frame.index:
            raise NotFoundError("store.unknown_territory", code=code)
        row = self.frame.loc[code]
        return Territory(
            code=str(row["code"]), name=str(row["name"]), level=int(row["level"]),
            level_name=None if pd.isna(row.get("level_name")) else str(row["level_name"]),
            parent_code=None if pd.isna(row["parent_code"]) else str(row["parent_code"]),
            country=None if pd.isna(row.get("country")) else str(row["country"]),
            population=None if pd.isna(row.get("population")) else int(row["population"]),
            population_year=None if pd.isna(row.get("population_year"))
            else int(row["population_year"]),
        )

    def name(self, code: str) -> str:
        """Name of a territory."""
        return self.get(code).name

    def geometry(self, code: str) -> object:
        """Boundary (shapely geometry, EPSG:4326) of a territory."""
        self.get(code)
        return self.frame.geometry.loc[code]

    # -- levels ---------------------------------------------------------------------------
    @property
    def levels(self) -> list[int]:
        """Levels present in the tree, coarsest first."""
        return sorted(int(v) for v in self.frame["level"].unique())

    @property
    def finest_level(self) -> int:
        """The deepest level (communes in the demo atlas)."""
        return self.levels[-1]

    def level_name(self, level: int, lang: str | None = None) -> str:
        """Name of a level from the atlas settings, else from the data."""
        if self.settings and int(level) in self.settings.level_names:
            return self.settings.level_name(level, lang)
        names = self.frame.loc[self.frame["level"] == int(level), "level_name"].dropna()
        return str(names.iloc[0]) if len(names) else str(level)

    def resolve_level(self, level: int | str) -> int:
        """A level number from a number or a level name in any language."""
        if isinstance(level, (int, np.integer)) or (isinstance(level, str) and level.isdigit()):
            number = int(level)
            if number in self.levels:
                return number
        else:
            wanted = fold(str(level))
            for number in self.levels:
                names = {fold(self.level_name(number, lang)) for lang in ("fr", "en")}
                names |= {fold(str(n)) for n in self.frame.loc[
                    self.frame["level"] == number, "level_name"].dropna().unique()}
                if wanted in names:
                    return number
        choices = ", ".join(f"{n} ({self.level_name(n)})" for n in self.levels)
        raise NotFoundError("store.unknown_level", level=level, levels=choices)

    def at_level(self, level: int | str) -> gpd.GeoDataFrame:
        """All territories of a level, ordered by code."""
        number = self.resolve_level(level)
        return self.frame[self.frame["level"] == number]

    # -- navigation -------------------------------------------------------------------
    def roots(self) -> list[str]:
        """Codes of the territories without a parent in the tree."""
        return [c for c in self.frame.index
                if pd.isna(self.frame.at[c, "parent_code"])
                or self.frame.at[c, "parent_code"] not in self.frame.index]

    def parent(self, code: str) -> str | None:
        """Code of the parent territory, or None at the top."""
        parent = self.get(code).parent_code
        return parent if parent in self.frame.index else None

    def children(self, code: str) -> list[str]:
        """Codes of the direct children, ordered."""
        self.get(code)
        return sorted(self._children.get(code, []))

    def ancestors(self, code: str) -> list[str]:
        """Codes from the parent up to the root (nearest first)."""
        chain: list[str] = []
        current = self.parent(code)
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent(current)
        return chain

    def descendants(self, code: str, level: int | str | None = None) -> list[str]:
        """Codes of all territories below ``code`` (optionally of one level only)."""
        found: list[str] = []
        stack = list(reversed(self.children(code)))
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self._children.get(current, [])))
        if level is not None:
            number = self.resolve_level(level)
            found = [c for c in found if int(self.frame.at[c, "level"]) == number]
        return found

    def siblings(self, code: str) -> list[str]:
        """Codes of the other territories with the same parent and level."""
        territory = self.get(code)
        if territory.parent_code is None or territory.parent_code not in self.frame.index:
            same = self.frame[(self.frame["level"] == territory.level)].index
            return [c for c in same if c != code and c in self.roots()]
        return [c for c in self.children(territory.parent_code)
                if c != code and int(self.frame.at[c, "level"]) == territory.level]

    def ancestor_at(self, code: str, level: int | str) -> str | None:
        """The territory of ``level`` that contains ``code`` (itself at its own level)."""
        number = self.resolve_level(level)
        for candidate in [code, *self.ancestors(code)]:
            if int(self.frame.at[candidate, "level"]) == number:
                return candidate
        return None

    def ancestor_map(self, level: int | str) -> dict[str, str]:
        """For every territory at or below ``level``, its ancestor at ``level``."""
        number = self.resolve_level(level)
        mapping: dict[str, str] = {}
        for code in self.at_level(number).index:
            mapping[code] = code
            for child in self.descendants(code):
                mapping[child] = code
        return mapping

    def map_to_level(self, codes: Iterable[object], level: int | str) -> pd.Series:
        """Vectorised :meth:`ancestor_at` for many codes (NaN where none)."""
        mapping = self.ancestor_map(level)
        values = pd.Series(list(codes), dtype="object")
        return values.map(mapping).astype("str").where(values.map(mapping).notna())

    def path(self, code: str, lang: str | None = None) -> str:
        """"Commune X, département Y, région Z" style breadcrumb, root last."""
        parts = [self.name(code), *[self.name(c) for c in self.ancestors(code)]]
        return t("territory.path_separator", lang).join(parts)

    # -- search and location ----------------------------------------------------------
    def search(self, text: str, level: int | str | None = None, limit: int = 20) -> list[str]:
        """Codes whose name or code contains ``text`` (accents and case ignored)."""
        wanted = fold(text.strip())
        frame = self.frame if level is None else self.at_level(level)
        names = frame["name"].astype(str).map(fold)
        codes = frame["code"].astype(str).map(fold)
        starts = frame.index[names.str.startswith(wanted) | (codes == wanted)]
        contains = frame.index[names.str.contains(wanted, regex=False)
                               | codes.str.startswith(wanted)]
        ordered = list(dict.fromkeys([*starts, *contains]))
        return ordered[:limit]

    def locate(self, geometries: gpd.GeoSeries | Sequence[object],
               level: int | str | None = None) -> pd.Series:
        """Territory code of ``level`` (default: the finest) containing each geometry.

        Polygons are located by their representative point; NaN when in none.

        A point exactly on a shared boundary goes to the territory with the smallest
        code, so that every point is counted once and the result is reproducible.
        """
        number = self.finest_level if level is None else self.resolve_level(level)
        series = geometries if isinstance(geometries, gpd.GeoSeries) \
            else gpd.GeoSeries(list(geometries), crs=self.frame.crs)
        index = series.index
        series = series.reset_index(drop=True)
        if series.crs is not None and self.frame.crs is not None \
                and not series.crs.equals(self.frame.crs):
            series = series.to_crs(self.frame.crs)
        points = series.copy()
        not_point = ~points.geom_type.isin(["Point"]) & points.notna() & ~points.is_empty
        if not_point.any():
            points[not_point] = points[not_point].representative_point()
        polygons = self.at_level(number)[["code", "geometry"]].reset_index(drop=True)
        left = gpd.GeoDataFrame({"row": np.arange(len(points))}, geometry=points,
                                crs=polygons.crs)
        joined = gpd.sjoin(left, polygons, how="left", predicate="intersects")
        joined = joined.sort_values(["row", "code"]).drop_duplicates("row")
        codes = joined.set_index("row")["code"].reindex(np.arange(len(points)))
        return pd.Series(codes.to_numpy(), index=index, dtype="object", name="code")
