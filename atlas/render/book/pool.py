"""Running a book's chunks: in a pool of worker processes started early, or in-process.

The pool is started before the parent computes the diagnostics, so that the workers
open the atlas and prepare their maps (about two seconds on a national atlas) while
the parent works; the parent then shares its results once (see :mod:`.worker`)
and hands out the chunks. Small books and ``workers=1`` render in this process: a
pool's start-up would cost more than it saves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_all_start_methods, get_context
from typing import TYPE_CHECKING, Any

from ...errors import ReportError
from .worker import Chunk, ChunkResult, Renderer, RenderJob, ready, run_chunk, start_worker

if TYPE_CHECKING:
    from ...snapshot import AtlasSnapshot

#: progress(done, total, name of the last territory done)
Progress = Callable[[int, int, str], None]
#: Below this many territories the pool's start-up costs more than it saves.
POOL_THRESHOLD = 4


def default_workers() -> int:
    """One worker per core available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """``fork`` where the system has it, else ``spawn``.

    With ``fork`` workers start at once, and a user's script without an
    ``if __name__ == "__main__"`` guard is not run again in each worker (as ``spawn``
    would do). Workers open their own connection to the atlas, never the parent's.
    """
    return "fork" if "fork" in get_all_start_methods() else "spawn"


def fail(result: ChunkResult) -> None:
    """Raise the error of a failed chunk, naming its territory."""
    assert result.error is not None
    code, name, detail = result.error
    raise ReportError("reports.territory_failed", name=name, code=code,
                      detail=detail.splitlines()[0])


class ChunkRunner:
    """Renders the chunks of one book (use as a context manager)."""

    def __init__(self, atlas: AtlasSnapshot, job: RenderJob, workers: int | None,
                 total: int) -> None:
        self.atlas = atlas
        self.job = job
        self.workers = default_workers() if workers is None else max(1, int(workers))
        self.pooled = self.workers > 1 and total >= POOL_THRESHOLD
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ChunkRunner:
        """Start the workers now, so they get ready while this process works."""
        if self.pooled:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=get_context(start_method()),
                initializer=start_worker, initargs=(self.job,))
            self.pool.submit(ready)
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers (pending chunks are cancelled after a failure)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def share(self, info: Any, table: Any, lists: Any) -> None:
        """Give the renderers the book's texts, diagnostics and lists."""
        self.job.share(info, table, lists, to_file=self.pooled)

    def run(self, chunks: list[Chunk], progress: Progress | None, total: int,
            meanwhile: Callable[[], Any] | None = None) -> list[ChunkResult]:
        """Render every chunk; results in chunk order.

        ``meanwhile`` runs in this process once the chunks are handed out (the book's
        front, when its page numbers are known in advance).
        """
        done = 0
        results: list[ChunkResult] = []

        def report(chunk: Chunk) -> None:
            nonlocal done
            done += len(chunk.entries)
            if progress is not None:
                progress(done, total, chunk.entries[-1].name)

        if self.pool is None:
            if meanwhile is not None:
                meanwhile()
            renderer = Renderer(self.job, atlas=self.atlas)
            for chunk in chunks:
                result = renderer.run(chunk)
                if result.error:
                    fail(result)
                results.append(result)
                report(chunk)
            return results
        pending: dict[Future[ChunkResult], Chunk] = {
            self.pool.submit(run_chunk, chunk): chunk for chunk in chunks}
        if meanwhile is not None:
            meanwhile()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                chunk = pending.pop(future)
                result = future.result()
                if result.error:
                    fail(result)
                results.append(result)
                report(chunk)
        return sorted(results, key=lambda r: r.index)
