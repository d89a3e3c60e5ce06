"""Rendering a book's territory pages in chunks, in worker processes or in this one.

Workers start before the parent has computed anything: each opens the atlas itself,
takes a snapshot at the parent's revision with the map layers read once
(:meth:`atlas.atlas.Atlas.snapshot`) and prepares its map drawer while the parent
runs the diagnostics. The parent then shares, once, what
pages need (the diagnostics table, the priority lists and the book's texts) in a file
of the book's temporary folder, which each worker reads on its first chunk; no
indicator is computed twice. A chunk of territories becomes one PDF file (or HTML
slides). A territory that fails does not raise across the process boundary: the
chunk returns its code, name and the error, and the parent reports it by name.
"""

from __future__ import annotations

import pickle
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..map.bulk import PageMaps
from ..map.static import SceneDrawer
from ..sheet.data import ReportData
from ..sheet.document import render_pdf
from ..sheet.model import PageContent
from ..sheet.pictures import map_layers, sheet_map_options
from ..sheet.templates import render
from .front import BookInfo
from .pages import PAGE_MAP_SIZE, page_content, page_map_options, slide_drawer
from .plan import Entry

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot

SHARED = "shared.pickle"


@dataclass
class RenderJob:
    """What every worker needs to start.

    ``info``, ``table`` and ``lists`` come later: set here in-process, or read from
    :data:`SHARED` in the job's folder by worker processes.
    """

    url: str
    revision: int
    lang: str
    level: int
    layout: str
    layers: tuple[str, ...] | None
    today: date
    scope: str | None
    folder: str
    kind: str = "pdf"
    info: BookInfo | None = None
    table: pd.DataFrame | None = None
    lists: dict[str, pd.DataFrame] | None = None

    def share(self, info: BookInfo, table: pd.DataFrame | None,
              lists: dict[str, pd.DataFrame] | None, to_file: bool) -> None:
        """Hand the book's texts, diagnostics and lists to the renderers."""
        self.info, self.table, self.lists = info, table, lists
        if to_file:
            with open(Path(self.folder) / SHARED, "wb") as handle:
                pickle.dump((info, table, lists), handle, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True)
class Chunk:
    """Consecutive territories rendered together; ``first_page`` numbers their pages."""

    index: int
    entries: tuple[Entry, ...]
    first_page: int = 0
    kind: str = "pdf"


@dataclass
class ChunkResult:
    """A rendered chunk: its PDF (or slides) and pages per territory, or the failure."""

    index: int
    path: str | None = None
    pages: list[int] = field(default_factory=list)
    slides: list[str] = field(default_factory=list)
    error: tuple[str, str, str] | None = None


class Renderer:
    """Renders chunks for one job (one per worker process, or one in-process)."""

    def __init__(self, job: RenderJob, atlas: AtlasSnapshot | None = None) -> None:
        self.job = job
        self._opened = None
        if atlas is None:
            from ...atlas import open as open_atlas

            self._opened = open_atlas(job.url)
            atlas = self._opened.snapshot(job.revision)
        self.atlas = atlas
        self.layers = map_layers(atlas, job.layers)
        atlas.preload(self.layers)
        self._mapper: PageMaps | None = None
        self._slides: SceneDrawer | None = None
        self._data: ReportData | None = None
        if job.kind == "pdf" and job.layout in PAGE_MAP_SIZE:
            self.mapper()

    @property
    def data(self) -> ReportData:
        """The diagnostics and lists of the book (read from the shared file if need be)."""
        if self._data is None:
            job = self.job
            if job.info is None:
                with open(Path(job.folder) / SHARED, "rb") as handle:
                    job.info, job.table, job.lists = pickle.load(handle)  # noqa: S301 - ours
            self._data = ReportData(self.atlas, job.level, job.lang, scope=job.scope,
                                    today=job.today, table=job.table, lists=job.lists,
                                    figures=job.layout != "map")
        return self._data

    @property
    def info(self) -> BookInfo:
        """The book's texts (cover, headers, shared legend)."""
        self.data  # noqa: B018 - loads the shared file when needed
        assert self.job.info is not None
        return self.job.info

    def mapper(self) -> PageMaps:
        """The bulk map drawer of the PDF pages (prepared once per process)."""
        if self._mapper is None:
            self._mapper = PageMaps(self.atlas, page_map_options(
                self.atlas, self.job.layout, self.layers, self.job.lang, slide=False))
        return self._mapper

    def close(self) -> None:
        """Close the atlas if this renderer opened it."""
        if self._opened is not None:
            self._opened.close()

    def sheet_html(self, entry: Entry) -> str:
        """HTML of one territory's full fact sheet (``sheets`` layout)."""
        from ..sheet.territory import sheet_content

        drawer = SceneDrawer(self.atlas, sheet_map_options(self.atlas, self.job.lang,
                                                           self.layers, today=self.job.today))
        return render("sheet.html", self.job.lang,
                      c=sheet_content(self.data, entry.code, drawer))

    def page(self, entry: Entry) -> PageContent:
        """Content of one summary or map page, its map written as a JPEG file."""
        return page_content(self.data, entry, self.job.layout, self.mapper(), fmt="jpeg",
                            folder=self.job.folder)

    def pages_html(self, pages: list[PageContent], first_page: int) -> str:
        """One HTML document of consecutive book pages."""
        return render("book_print.html", self.job.lang, book=self.info, front=False,
                      pages=pages, first_page=first_page)

    def slide_html(self, entry: Entry) -> str:
        """The presentation slide of one territory (an HTML fragment, images inline).

        Maps are JPEG: a presentation of hundreds of territories stays a file that a
        laptop opens quickly (PNG would double its size).
        """
        layout = "map" if self.job.layout == "map" else "summary"
        if self._slides is None:
            self._slides = slide_drawer(self.atlas, layout, self.layers, self.job.lang,
                                        self.job.today)
        content = page_content(self.data, entry, layout, self._slides, fmt="jpeg")
        return render("book_slide.html", self.job.lang, book=self.info, p=content)

    def run(self, chunk: Chunk) -> ChunkResult:
        """Render a chunk; a failing territory is returned, not raised."""
        result = ChunkResult(chunk.index)
        current = chunk.entries[0]
        try:
            if chunk.kind == "slides":
                for current in chunk.entries:
                    result.slides.append(self.slide_html(current))
                return result
            if self.job.layout == "sheets":
                documents = []
                for current in chunk.entries:
                    documents.append(render_pdf(self.sheet_html(current)))
                    result.pages.append(len(documents[-1].pages))
                pages = [p for document in documents for p in document.pages]
                self._write(result, documents[0].copy(pages))
                return result
            contents = []
            for current in chunk.entries:
                contents.append(self.page(current))
            document = render_pdf(self.pages_html(contents, chunk.first_page))
            current = self._check_one_page_each(chunk, document) or current
            result.pages = [1] * len(chunk.entries)
            self._write(result, document)
        except Exception as exc:  # noqa: BLE001 - reported with the territory's name
            detail = f"{type(exc).__name__}: {exc}"
            result.error = (current.code, current.name,
                            detail + "\n" + traceback.format_exc(limit=4))
        return result

    @staticmethod
    def _check_one_page_each(chunk: Chunk, document: Any) -> None:
        """Check that each territory fills exactly one page.

        Each section has the anchor ``terr-<number>``; the first territory whose page
        is missing or shifted is named in the error.
        """
        wanted = [f"terr-{entry.number}" for entry in chunk.entries]
        found = [next((a for a in page.anchors if a.startswith("terr-")), None)
                 for page in document.pages]
        if found == wanted:
            return None
        for index, entry in enumerate(chunk.entries):
            if index >= len(found) or found[index] != wanted[index]:
                raise LayoutError(entry, len(document.pages), len(chunk.entries))
        raise LayoutError(chunk.entries[-1], len(document.pages), len(chunk.entries))

    def _write(self, result: ChunkResult, document: Any) -> None:
        path = Path(self.job.folder) / f"chunk-{result.index:05d}.pdf"
        document.write_pdf(path)
        result.path = str(path)


class LayoutError(RuntimeError):
    """A territory's book page did not fit on exactly one page."""

    def __init__(self, entry: Entry, pages: int, expected: int) -> None:
        super().__init__(f"{pages} pages for {expected} territories; "
                         f"{entry.name} ({entry.code}) does not fit on one page")


#: The renderer of this worker process (set by :func:`start_worker`).
_WORKER: Renderer | None = None


def start_worker(job: RenderJob) -> None:
    """Pool initializer: open the atlas and read the map layers once per process."""
    global _WORKER
    import matplotlib

    matplotlib.use("Agg")
    _WORKER = Renderer(job)


def ready() -> bool:
    """Pool task that only makes the pool start its workers (they prepare at start)."""
    return _WORKER is not None


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Pool task: render one chunk with this process's renderer."""
    assert _WORKER is not None, "start_worker was not called"
    return _WORKER.run(chunk)
