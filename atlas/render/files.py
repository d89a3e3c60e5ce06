"""Writing the files renderers produce, never half of one.

Maps, sheets and books are written under a temporary name in the target folder and
moved into place once complete, so a failure (a full disk, a territory that cannot
be drawn, an interrupted book) leaves the previous file, or none, where the reader
expects one, and never a truncated one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], Any]) -> Path:
    """Call ``write(temp_path)`` then move the temporary file onto ``path``.

    The temporary file sits in the target folder (same file system, so the move is
    atomic) and is removed if ``write`` fails.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                    dir=target.parent)
    os.close(handle)
    try:
        write(Path(temp))
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; the book is not
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target
