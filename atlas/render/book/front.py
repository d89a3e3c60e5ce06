"""The front of an atlas book: cover, contents and the overview map.

The overview is the static map of the parent territory (or of the whole atlas) with
the book's territories outlined and numbered as in the contents, so a facilitator can
point at a number on the map and turn to its page. When the book is sorted by an
indicator, the overview colours the territories by that indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import matplotlib.patheffects as effects
import shapely

from ...i18n import t
from ...names import TERRITORIES
from ...provenance import layer_citations
from ..map.options import MapOptions
from ..sheet.model import Picture
from ..sheet.pictures import embed, map_source
from .plan import BookPlan, Group
from .toc import TocLine, paginate, toc_lines

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot

#: Size (pixels) and resolution of the overview map.
OVERVIEW_SIZE = (1500, 1000)
OVERVIEW_DPI = 130


@dataclass
class BookInfo:
    """What the cover, the contents and every page header say about the book."""

    title: str
    subtitle: str
    atlas_title: str
    warning: str | None
    layout: str
    count: int
    order: str
    grouping: str
    produced: str
    sources: str
    groups: list[Group]
    pages: dict[str, int] = field(default_factory=dict)
    overview_page: int = 0
    overview: Picture | None = None
    legend: Picture | None = None
    toc: list[list[list[TocLine]]] = field(default_factory=list)

    @property
    def front_pages(self) -> int:
        """Cover, contents and overview pages of the printed book."""
        return 2 + len(self.toc)


def book_info(atlas: AtlasSnapshot, plan: BookPlan, lang: str, layout: str,
              produced: str) -> BookInfo:
    """Cover and header texts of a book."""
    tree = atlas.territories
    if plan.parent:
        where = f"{tree.level_name(tree.get(plan.parent).level, lang)} {plan.parent_name}"
    else:
        where = atlas.settings.title_in(lang)
    cited = layer_citations(atlas, TERRITORIES) if TERRITORIES in atlas.catalog else []
    sources = t("reports.source", lang, source=" ; ".join(cited)) if cited else ""
    return BookInfo(
        title=t("reports.book_title", lang, level=plan.level_name),
        subtitle=where, atlas_title=atlas.settings.title_in(lang),
        warning=atlas.warning(lang), layout=layout, count=len(plan.entries),
        order=plan.sort_label, grouping=plan.group_level_name, produced=produced,
        sources=sources, groups=plan.groups,
        toc=paginate(toc_lines(plan, t("reports.overview", lang))))


def overview_picture(atlas: AtlasSnapshot, plan: BookPlan, lang: str, produced: str,
                     today: date | None = None, indicator: Any = None,
                     indicator_label: str | None = None, fmt: str = "png",
                     folder: str | None = None) -> Picture:
    """The overview map: territories outlined and numbered, optionally coloured."""
    from ..map.output import figure_image
    from ..map.scene import build_scene
    from ..map.static import scene_figure

    title = t("reports.overview_map_title", lang, level=plan.level_name,
              where=plan.parent_name or atlas.settings.title_in(lang))
    options = MapOptions(layers=(), lang=lang, size=OVERVIEW_SIZE, dpi=OVERVIEW_DPI,
                         title=title, today=today, indicator=indicator,
                         level=plan.level if indicator is not None else None,
                         label=indicator_label if indicator is not None else None)
    figure = scene_figure(build_scene(atlas, plan.parent, options), options)
    ax = figure.axes[0]
    metric = atlas.metric_crs
    frame = atlas.territories.frame.loc[plan.codes]
    frame.to_crs(metric).boundary.plot(ax=ax, color="#3a3a3a", linewidth=0.35, zorder=4.6)
    points = gpd.GeoSeries(shapely.point_on_surface(frame.to_crs(metric).geometry.values),
                           index=frame.index, crs=metric)
    count = len(plan.entries)
    size = 8 if count <= 30 else 6 if count <= 80 else 4.5 if count <= 250 else 3.2
    halo = [effects.withStroke(linewidth=max(1.2, size / 3), foreground="#ffffff")]
    for entry in plan.entries:
        point = points.loc[entry.code]
        ax.text(point.x, point.y, str(entry.number), fontsize=size, ha="center", va="center",
                zorder=11, fontweight="bold", path_effects=halo)
    return Picture(title=title, uri=embed(figure_image(figure, fmt), fmt, folder, "overview"),
                   alt=t("reports.overview_alt", lang, count=count),
                   source=map_source(atlas, [], lang, produced), kind="map")
