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

import matplotlib.patheffects as effects

from ..i18n import t
from .book_plan import BookPlan, Group
from .book_toc import TocLine, paginate, toc_lines
from .sheet_maps import embed, figure_image, map_source, representative_points
from .sheet_model import Picture

if TYPE_CHECKING:
    from ..atlas import Atlas


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


def book_info(atlas: Atlas, plan: BookPlan, lang: str, layout: str, produced: str) -> BookInfo:
    """Cover and header texts of a book."""
    tree = atlas.territories
    if plan.parent:
        where = f"{tree.level_name(tree.get(plan.parent).level, lang)} {plan.parent_name}"
    else:
        where = atlas.settings.title_in(lang)
    sources = t("reports.source", lang, source=str(
        atlas.spec("territories").metadata.get("source", ""))) \
        if "territories" in atlas.catalog else ""
    return BookInfo(
        title=t("reports.book_title", lang, level=plan.level_name),
        subtitle=where, atlas_title=atlas.settings.title_in(lang),
        warning=atlas.warning(lang), layout=layout, count=len(plan.entries),
        order=plan.sort_label, grouping=plan.group_level_name, produced=produced,
        sources=sources, groups=plan.groups,
        toc=paginate(toc_lines(plan, t("reports.overview", lang))))


def overview_picture(atlas: Atlas, plan: BookPlan, lang: str, produced: str,
                     today: date | None = None, indicator: Any = None,
                     indicator_label: str | None = None, fmt: str = "png",
                     folder: str | None = None) -> Picture:
    """The overview map: territories outlined and numbered, optionally coloured."""
    from .scene import build_scene
    from .static import scene_figure

    options: dict[str, Any] = {}
    if indicator is not None:
        options = {"level": plan.level, "label": indicator_label}
    scene = build_scene(atlas, plan.parent, [], lang, indicator, **options)
    title = t("reports.overview_map_title", lang, level=plan.level_name,
              where=plan.parent_name or atlas.settings.title_in(lang))
    figure = scene_figure(scene, size=(1500, 1000), dpi=130, title=title, today=today)
    ax = figure.axes[0]
    metric = atlas.metric_crs
    frame = atlas.territories.frame.loc[plan.codes]
    outlines = frame.to_crs(metric)
    outlines.boundary.plot(ax=ax, color="#3a3a3a", linewidth=0.35, zorder=4.6)
    points = representative_points(frame, metric)
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
