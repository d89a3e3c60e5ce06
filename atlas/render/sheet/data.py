"""From the diagnostics table to what a fact sheet prints, for one or many territories.

:class:`ReportData` calls :func:`atlas.diagnostics.diagnose` once for a whole level
(ranks among siblings need all of them anyway) and the priority lists once for the
whole selection, then cuts out each territory's part. A book of 550 communes thus
costs one diagnostic, not 550, and a sheet shows exactly the values ``diagnose``
returns for that territory: nothing is recomputed here, only chosen and written out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...diagnostics import (
    REGISTRY,
    THEMES,
    diagnose,
    priority_localities,
    priority_schools,
)
from ...diagnostics.access import IF_UNKNOWN_WORKED
from ...diagnostics.indicators.shares import UNKNOWN
from ...i18n import normalise_language, t
from ...names import TERRITORIES
from ..formatting import format_date, format_number, is_missing
from .format import (
    latest_date,
    number,
    rank_text,
    standard_text,
    status_mark,
    status_text,
    unit_text,
)
from .lists import locality_table, school_table
from .model import Facts, IndicatorRow, Section, Table
from .sources import layer_sources, population_source, source_line

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot

#: One row of the diagnose table, as a mapping from column to value.
Row = dict[str, Any]

#: JMP ladders are drawn as a chart and a small table, not as indicator rows.
LADDER_LEVELS = ("basic", "limited", "no_service", "unknown")
#: (indicator, breakdown) pairs of a book page, in order; ``None`` = the first breakdown
#: (for mangrove extents: the latest year).
KEY_FIGURES: tuple[tuple[str, str | None], ...] = (
    ("pop_total", ""), ("pop_density", ""), ("sch_count", ""), ("sch_pupils", "total"),
    ("sch_water_basic", ""), ("sch_sanitation_basic", ""), ("sch_hygiene_basic", ""),
    ("wp_functional", ""), ("wp_per_1000", ""), ("pop_within_500m", ""),
    ("priority_localities", "localities"), ("mangrove_area", None), ("bio_count", ""),
    ("nv_buildings", ""), ("act_beneficiaries", "total"),
)


def _says_something(row: Row, headline: object) -> bool:
    """False for "0 of unknown state" and for a coverage range that is one value.

    Those rows only matter where some states are unknown: the count of such points,
    and the coverage as if they worked (the upper end of its range).
    """
    if row["breakdown"] == UNKNOWN:  # (JMP ladders, whose "unknown" differs, never get here)
        return not (is_missing(row["value"]) or row["value"] == 0)
    if row["breakdown"] == IF_UNKNOWN_WORKED:
        return not (is_missing(row["value"]) or row["value"] == headline)
    return True


class ReportData:
    """Diagnostics and priority lists of a set of territories, cut per territory."""

    def __init__(self, atlas: AtlasSnapshot, level: int, lang: str | None = None,
                 territories: Sequence[str] | None = None, scope: str | None = None,
                 today: date | None = None, list_size: int = 8,
                 table: pd.DataFrame | None = None,
                 lists: dict[str, pd.DataFrame] | None = None, figures: bool = True) -> None:
        self.atlas = atlas
        self.lang = normalise_language(lang)
        self.level = level
        self.tree = atlas.territories
        self.today = today or date.today()
        self.produced = format_date(self.today, self.lang)
        self.list_size = list_size
        self.territories = territories
        self.scope = scope
        self._table = table
        self._by_code: dict[str, list[Row]] | None = None
        self._lists = lists
        #: False for books of maps only: never run the diagnostics.
        self.figures = figures
        self._empty: list[str] | None = None
        frame = self.tree.at_level(level)
        metric = frame.to_crs(atlas.metric_crs)
        self.area_km2 = pd.Series(metric.geometry.area.to_numpy() / 1e6, index=frame.index)

    @property
    def table(self) -> pd.DataFrame:
        """The diagnose table of the level.

        Computed on first use: a book of maps only never needs it.
        """
        if self._table is None:
            self._table = diagnose(self.atlas, level=self.level, territories=self.territories,
                                   lang=self.lang)
        return self._table

    def shared(self) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
        """The table and the priority lists, to hand to worker processes."""
        return self.table, self._priority_frames()

    # -- one territory's rows -----------------------------------------------------------
    def rows_of(self, code: str) -> list[Row]:
        """The diagnose rows of one territory, as mappings (empty when it has none).

        Rows are plain dicts, split by territory once: a book reads a few rows of each
        of hundreds of territories, which pandas filtering would make the slowest part.
        """
        if self._by_code is None:
            grouped: dict[str, list[Row]] = {}
            for record in self.table.to_dict("records"):
                grouped.setdefault(str(record["territory_code"]), []).append(record)
            self._by_code = grouped
        return self._by_code.get(code, [])

    def indicator_row(self, row: Row, parent_name: str) -> IndicatorRow:
        """One diagnose row written out (value, parent value, rank, standard, verdict)."""
        item = REGISTRY.get(row["indicator"])
        direction = item.direction_of(row["breakdown"]) if item is not None else None
        unit = row["unit"] if not is_missing(row["unit"]) else ""
        has_standard = not is_missing(row["threshold"])
        value = None if is_missing(row["value"]) else float(row["value"])
        reason = None if value is not None or is_missing(row["reason"]) else str(row["reason"])
        return IndicatorRow(
            indicator=str(row["indicator"]), breakdown=str(row["breakdown"]),
            label=str(row["label"]), value=value,
            value_text=number(value, unit, self.lang),
            unit=unit_text(unit, self.lang),
            parent_text=number(row["parent_value"], unit, self.lang) if parent_name else "",
            rank_text=rank_text(row["rank"], row["rank_of"]),
            standard=standard_text(row["threshold"], direction, unit,
                                   row["threshold_source"], self.lang),
            status=str(row["status"]), mark=status_mark(row["status"]) if has_standard
            else "–", status_text=status_text(row["status"], has_standard, self.lang),
            reason=reason)

    @staticmethod
    def _shown(rows: list[Row]) -> list[Row]:
        """Rows worth a line.

        Ladders go to charts; breakdowns found in the data (uses, programmes) beside
        declared ones (a total) are kept only when they are not zero.
        """
        keep = []
        headline = {r["indicator"]: r["value"] for r in rows if r["breakdown"] == ""}
        for row in rows:
            item = REGISTRY.get(row["indicator"])
            declared = {b.code for b in item.breakdowns} if item is not None else set()
            if declared and declared <= set(LADDER_LEVELS):
                continue
            extra = declared and row["breakdown"] not in declared
            if extra and (is_missing(row["value"]) or row["value"] == 0):
                continue
            if not _says_something(row, headline.get(row["indicator"])):
                continue
            keep.append(row)
        return keep

    def section_source(self, rows: Iterable[Row]) -> str:
        """Sources, latest data date and standards of a group of rows."""
        rows = list(rows)
        layers: list[str] = []
        for code in dict.fromkeys(row["indicator"] for row in rows):
            item = REGISTRY.get(code)
            layers += list(item.layers) if item is not None else []
        standards = sorted({str(r["threshold_source"]) for r in rows
                            if not is_missing(r["threshold_source"])})
        return source_line(self.lang, layer_sources(self.atlas, layers, self.lang),
                           latest_date([r["data_date"] for r in rows]), standards,
                           self.produced)

    def empty_layers(self) -> list[str]:
        """Catalogue layers without a single row (boundaries aside), in catalogue order."""
        if self._empty is None:
            self._empty = [name for name in self.atlas.catalog if name != TERRITORIES
                           and self.atlas.frame(name).empty]
        return self._empty

    def empty_note(self) -> str:
        """The line saying which layers have no data yet (their sections are left out)."""
        titles = [self.atlas.spec(name).title(self.lang) for name in self.empty_layers()]
        return t("reports.empty_layers", self.lang, layers=", ".join(titles)) if titles \
            else ""

    def _from_empty_layers(self, rows: list[Row]) -> bool:
        """True when a theme has nothing to say.

        No value, and each figure needs a layer that has no row in the atlas.
        """
        empty = self.empty_layers()
        return all(is_missing(row["value"]) and REGISTRY.needs_any(row["indicator"], empty)
                   for row in rows)

    def sections(self, code: str) -> list[Section]:
        """One section per theme, in the diagnostics' theme order.

        A theme all of whose figures need a layer without data is left out (the sheet
        says which layers are empty, once).
        """
        rows = self.rows_of(code)
        parent_name = self.parent_name(code)
        present = {row["theme"] for row in rows}
        known = tuple(THEMES)
        order = [th for th in known if th in present] + sorted(present - set(known))
        out = []
        for theme in order:
            part = [row for row in rows if row["theme"] == theme]
            if self._from_empty_layers(part):
                continue
            out.append(Section(
                theme=theme, title=self.theme_title(theme),
                rows=[self.indicator_row(r, parent_name) for r in self._shown(part)],
                source=self.section_source(part)))
        return out

    def key_rows(self, code: str) -> list[IndicatorRow]:
        """The book page's key figures (see :data:`KEY_FIGURES`), those computed."""
        rows = self.rows_of(code)
        parent_name = self.parent_name(code)
        out = []
        for indicator, breakdown in KEY_FIGURES:
            mine = [row for row in rows if row["indicator"] == indicator]
            if breakdown is None and mine:
                out.append(self.indicator_row(max(mine, key=lambda r: str(r["breakdown"])),
                                              parent_name))
                continue
            match = [row for row in mine if row["breakdown"] == breakdown]
            if match:
                out.append(self.indicator_row(match[0], parent_name))
        return out

    def key_source(self, code: str) -> str:
        """Source line of the key figures."""
        wanted = {i for i, _ in KEY_FIGURES}
        return self.section_source(r for r in self.rows_of(code) if r["indicator"] in wanted)

    def theme_title(self, theme: str) -> str:
        """Title of a themed section (the sheet's wording, else the diagnostics')."""
        key = f"reports.theme.{theme}"
        text = t(key, self.lang)
        return text if text != key else t(f"diagnostics.theme.{theme}", self.lang)

    # -- title block ---------------------------------------------------------------------
    def parent_name(self, code: str) -> str:
        """Name of the parent territory ("" at the top)."""
        parent = self.tree.parent(code)
        return self.tree.name(parent) if parent else ""

    def facts(self, code: str) -> Facts:
        """The title block of one territory."""
        tree, lang = self.tree, self.lang
        here = tree.get(code)
        parents = [(tree.level_name(tree.get(c).level, lang), tree.name(c))
                   for c in tree.ancestors(code)]
        parent = tree.parent(code)
        area = self.area_km2.get(code)
        if area is None:
            metric = tree.frame.loc[[code]].to_crs(self.atlas.metric_crs)
            area = float(metric.geometry.area.iloc[0] / 1e6)
        population, note = self._population(code, here.population, here.population_year)
        density = number(population / area, "hab/km²", lang) if population and area else "–"
        return Facts(
            code=code, name=here.name, level_name=tree.level_name(here.level, lang),
            parents=parents, parent_name=tree.name(parent) if parent else "",
            parent_level_name=tree.level_name(tree.get(parent).level, lang) if parent else "",
            population=number(population, "hab", lang) if population else "–",
            population_note=note, area=format_number(round(area, 1), lang, decimals=1),
            density=density, produced=self.produced)

    def _population(self, code: str, census: int | None, year: int | None
                    ) -> tuple[float | None, str]:
        """The census count when the territories layer has one, else the estimate."""
        if census is not None:
            return float(census), t("reports.population_census", self.lang, year=year or "?")
        if not self.figures:
            return None, ""
        total = [r["value"] for r in self.rows_of(code) if r["indicator"] == "pop_total"]
        if total and not is_missing(total[0]):
            # which estimate: the raster and its year, or the localities' own counts
            return float(total[0]), t("reports.population_estimate", self.lang,
                                      source=population_source(self.atlas, self.lang))
        return None, ""

    # -- priority lists ------------------------------------------------------------------
    def _priority_frames(self) -> dict[str, pd.DataFrame]:
        if self._lists is None:
            self._lists = {"localities": priority_localities(self.atlas, self.scope),
                           "schools": priority_schools(self.atlas, self.scope)}
        return self._lists

    def priority_tables(self, code: str, size: int | None = None) -> list[Table]:
        """The first localities without water nearby and schools without basic water."""
        frames = self._priority_frames()
        column = f"level_{self.tree.get(code).level}_code"
        size = size or self.list_size
        out = []
        for kind, build in (("localities", locality_table), ("schools", school_table)):
            frame = frames[kind]
            mine = frame[frame[column] == code] if column in frame.columns else frame.iloc[0:0]
            out.append(build(self, mine, size))
        return out
