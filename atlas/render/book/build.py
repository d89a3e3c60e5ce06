"""Atlas books: a PDF to print and an HTML presentation to project, page by page.

A book is a cover, a table of contents, an overview map of all its territories, then
one page per territory (or each territory's full fact sheet) in the chosen order,
optionally grouped by parent territory. ::

    from atlas.render import atlas_book

    atlas_book(atlas, "atlas.pdf", parent="ZZ0101")              # communes of a département
    atlas_book(atlas, "atlas.html", sort="indicator:pop_total")  # presentation, by size

The PDF's territory pages are rendered by a pool of processes (one per core, see
:mod:`.pool`), each writing a chunk of pages to its own PDF, then merged with
pypdf with bookmarks per group and territory: WeasyPrint is single-threaded, and a
550-commune book is mostly WeasyPrint and matplotlib work. The result is written
under a temporary name and moved into place, so a failure (named after the territory
that caused it) never leaves a half-written book.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import ReportError
from ...i18n import normalise_language, t
from ...snapshot import AtlasSnapshot, snapshot_of
from ..files import atomic_write
from ..map.symbols import style_codes
from ..sheet.data import ReportData
from ..sheet.document import HTML_SUFFIXES, PDF_SUFFIXES, render_pdf
from ..sheet.pictures import legend_picture, map_layers
from ..sheet.templates import render
from .front import BookInfo, book_info, overview_picture
from .pages import LAYOUTS
from .plan import BookPlan, make_plan, parse_sort, selection, sort_values
from .pool import ChunkRunner, Progress
from .toc import paginate, toc_lines
from .worker import Chunk, RenderJob

if TYPE_CHECKING:
    from ...atlas import Atlas

#: Largest number of territories rendered as one WeasyPrint document.
MAX_CHUNK = 16
#: Lines per column and columns of each contents slide of the presentation.
SLIDE_TOC_ROWS = 24
SLIDE_TOC_COLUMNS = 4


def plan_book(atlas: Atlas | AtlasSnapshot, *, parent: str | None = None,
              level: int | str | None = None, sort: str | None = "name",
              group_by: int | str | None = None, lang: str | None = None,
              data: ReportData | None = None) -> BookPlan:
    """The territories of a book in order, without rendering anything."""
    lang = normalise_language(lang)
    snapshot = snapshot_of(atlas)
    tree = snapshot.territories
    number, codes = selection(tree, parent, level)
    key = parse_sort(sort)
    table = None
    label = ""
    if key.indicator:
        data = data or ReportData(snapshot, number, lang, scope=parent)
        table = data.table
        label = _sort_label(table, key.indicator, key.ascending, lang)
    return make_plan(tree, lang, parent=parent, level=number, codes=codes, sort=sort,
                     group_by=group_by, table=table, sort_label=label)


def _sort_label(table: Any, indicator: str, ascending: bool, lang: str) -> str:
    rows = table[table["indicator"] == indicator]
    name = str(rows["label"].iloc[0]) if len(rows) else indicator
    return t("reports.sort_indicator", lang, indicator=name,
             order=t("reports.ascending" if ascending else "reports.descending", lang))


def atlas_book(atlas: Atlas | AtlasSnapshot, output: str | os.PathLike[str], *,
               parent: str | None = None, level: int | str | None = None,
               sort: str | None = "name", group_by: int | str | None = None,
               lang: str | None = None, layout: str = "summary",
               layers: Sequence[str] | None = None, workers: int | None = None,
               progress: Progress | None = None, today: date | None = None) -> Path:
    """Write an atlas book: ``.pdf`` to print, ``.html`` to project (see the module doc).

    ``layout`` is ``summary`` (one page per territory: map and key figures), ``map``
    (one large map per territory) or ``sheets`` (each territory's full fact sheet);
    ``layers`` the map layers; ``workers`` the processes (default: one per core);
    ``progress(done, total, name)`` is called as territories are done. The whole book
    shows one revision of the atlas, even if it is written to meanwhile.
    """
    lang = normalise_language(lang)
    target = Path(output)
    suffix = target.suffix.lower()
    if suffix not in PDF_SUFFIXES + HTML_SUFFIXES:
        raise ReportError("reports.bad_format", suffix=suffix or str(target),
                          choices=".pdf, .html")
    if layout not in LAYOUTS:
        raise ReportError("reports.bad_layout", layout=layout, choices=", ".join(LAYOUTS))
    parse_sort(sort)
    snapshot = snapshot_of(atlas)
    number, codes = selection(snapshot.territories, parent, level)
    with tempfile.TemporaryDirectory(prefix="atlas-book-") as folder:
        job = RenderJob(url=str(snapshot.url), revision=snapshot.revision, lang=lang,
                        level=number, layout=layout,
                        layers=tuple(layers) if layers is not None else None,
                        today=today or date.today(), scope=parent, folder=folder,
                        kind="pdf" if suffix in PDF_SUFFIXES else "slides")
        with ChunkRunner(snapshot, job, workers, len(codes)) as runner:
            plan = _prepare(snapshot, runner, level, sort, group_by)
            if job.kind == "pdf":
                return _write_pdf(runner, plan, job, target, progress)
            return _write_slides(runner, plan, job, target, progress)


def _prepare(atlas: AtlasSnapshot, runner: ChunkRunner, level: int | str | None,
             sort: str | None, group_by: int | str | None) -> BookPlan:
    """Diagnostics, plan, front and shared legend of a book, handed to the renderers.

    Runs while the workers start: they open the atlas meanwhile.
    """
    job = runner.job
    key = parse_sort(sort)
    needs_figures = job.layout != "map"
    data = ReportData(atlas, job.level, job.lang, scope=job.scope, today=job.today,
                      figures=needs_figures or key.indicator not in (None, ""))
    plan = plan_book(atlas, parent=job.scope, level=level, sort=sort, group_by=group_by,
                     lang=job.lang, data=data)
    table, lists = data.shared() if needs_figures else (None, None)
    info = book_info(atlas, plan, job.lang, job.layout, data.produced)
    pdf = job.kind == "pdf"
    info.overview = overview_picture(
        atlas, plan, job.lang, data.produced, data.today,
        sort_values(data.table, key) if key.indicator else None,
        plan.sort_label if key.indicator else None,
        **({"fmt": "jpeg", "folder": job.folder} if pdf else {}))
    if pdf and job.layout != "sheets":
        wide = job.layout == "map"
        info.legend = legend_picture(atlas, job.layers, job.lang,
                                     _present(atlas, job.layers, job.scope),
                                     columns=5 if wide else 3,
                                     width_mm=277 if wide else 150, folder=job.folder)
    runner.share(info, table, lists)
    return plan


def _present(atlas: AtlasSnapshot, layers: Sequence[str] | None, parent: str | None
             ) -> dict[str, list[object]]:
    """Category values of each map layer under ``parent``, for the shared legend."""
    found: dict[str, list[object]] = {}
    for name in map_layers(atlas, layers):
        spec = atlas.spec(name)
        columns = [c for c in (spec.style.by, spec.style.shade_by) if c] or [spec.id_field]
        frame = atlas.read(name, territory=parent, columns=columns)
        if len(frame):
            # every feature's code, missing ones too: the legend counts them
            codes = style_codes(spec, frame)
            found[name] = [] if codes is None else list(codes)
    return found


# -- chunks -----------------------------------------------------------------------------

def _chunks(plan: BookPlan, workers: int, kind: str, first_page: int = 0) -> list[Chunk]:
    """Consecutive territories, in chunks that shrink towards the end.

    Big chunks first spread WeasyPrint's per-document costs; small ones last keep both
    workers busy until the end instead of one waiting for the other's last chunk.
    """
    entries = plan.entries
    chunks: list[Chunk] = []
    start = 0
    while start < len(entries):
        left = len(entries) - start
        size = max(1, min(MAX_CHUNK, math.ceil(left / max(1, workers * 3))))
        chunks.append(Chunk(index=len(chunks), entries=tuple(entries[start:start + size]),
                            first_page=first_page + start if first_page else 0, kind=kind))
        start += size
    return chunks


# -- PDF -------------------------------------------------------------------------------------

def _front(info: BookInfo, lang: str, page_of: Callable[[int], dict[str, int]]) -> Any:
    """Render cover, contents and overview (their page count is known in advance)."""
    front_pages = info.front_pages
    info.pages = page_of(front_pages)
    info.overview_page = front_pages
    document = render_pdf(render("book_print.html", lang, book=info, front=True, pages=[],
                                 first_page=0))
    if len(document.pages) != front_pages:
        raise RuntimeError(f"the book's front has {len(document.pages)} pages, "
                           f"{front_pages} were planned")
    return document


def _write_pdf(runner: ChunkRunner, plan: BookPlan, job: RenderJob, target: Path,
               progress: Progress | None) -> Path:
    try:
        from pypdf import PdfWriter
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency of books
        raise ReportError("reports.no_pypdf") from exc
    lang, total = job.lang, len(plan.entries)
    assert job.info is not None

    def fixed(front: int) -> dict[str, int]:
        return {e.code: front + e.number for e in plan.entries}

    fixed_layout = job.layout != "sheets"
    front_pages = job.info.front_pages
    front: list[Any] = []

    def planned(first: int) -> dict[str, int]:
        return {e.code: first + e.number for e in plan.entries}

    def render_front() -> None:
        front.append(_front(job.info, lang, planned))

    chunks = _chunks(plan, runner.workers, "pdf", front_pages + 1 if fixed_layout else 0)
    results = runner.run(chunks, progress, total, render_front if fixed_layout else None)
    counts = [n for result in results for n in result.pages]
    if not fixed_layout:
        starts, page = {}, front_pages + 1
        for entry, count in zip(plan.entries, counts, strict=True):
            starts[entry.code] = page
            page += count
        front.append(_front(job.info, lang, lambda first: starts))
    document = front[-1]
    front_path = Path(job.folder) / "front.pdf"
    document.write_pdf(front_path)

    def write(temp: Path) -> None:
        writer = PdfWriter()
        writer.append(str(front_path), import_outline=False)
        for result in results:
            if result.path:
                writer.append(result.path, import_outline=False)
        _outline(writer, plan, job.info, counts, front_pages, lang)
        writer.add_metadata({"/Title": f"{job.info.title} — {job.info.subtitle}",
                             "/Creator": "atlas-territorial"})
        with open(temp, "wb") as handle:
            writer.write(handle)

    return atomic_write(target, write)


def _outline(writer: Any, plan: BookPlan, info: BookInfo, counts: list[int],
             front_pages: int, lang: str) -> None:
    """Bookmarks: contents, overview, then each group and its territories."""
    writer.add_outline_item(title=t("reports.contents", lang), page_number=1)
    writer.add_outline_item(title=t("reports.overview", lang), page_number=front_pages - 1)
    page = front_pages
    index = 0
    for group in plan.groups:
        parent = writer.add_outline_item(title=group.name, page_number=page) \
            if group.name else None
        for entry in group.entries:
            writer.add_outline_item(title=f"{entry.number}. {entry.name}", page_number=page,
                                    parent=parent)
            page += counts[index]
            index += 1


# -- presentation --------------------------------------------------------------------------------

def _write_slides(runner: ChunkRunner, plan: BookPlan, job: RenderJob, target: Path,
                  progress: Progress | None) -> Path:
    from markupsafe import Markup

    assert job.info is not None
    chunks = _chunks(plan, runner.workers, "slides")
    results = runner.run(chunks, progress, len(plan.entries))
    slides = [Markup(s) for result in results for s in result.slides]  # noqa: S704 - ours
    contents = paginate(toc_lines(plan, t("reports.overview", job.lang)), SLIDE_TOC_ROWS,
                        SLIDE_TOC_COLUMNS)
    job.info.overview_page = 2 + len(contents)
    job.info.pages = {e.code: job.info.overview_page + e.number for e in plan.entries}
    html = render("book_slides.html", job.lang, book=job.info, plan=plan, slides=slides,
                  slide_toc=contents)
    return atomic_write(target, lambda temp: temp.write_text(html, encoding="utf-8"))
