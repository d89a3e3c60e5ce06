"""Static maps as files and bytes: PNG, JPEG, SVG.

PNG and JPEG are drawn once by the Agg canvas and encoded by Pillow without an alpha
channel: WeasyPrint would otherwise split and recompress colour and transparency.
Books use JPEG (quality 85, no chroma subsampling, so text stays sharp), which
WeasyPrint copies into the PDF untouched where a PNG is decoded and compressed
again: on 550 pages that is several seconds. SVG keeps text as paths, so fonts need
not match where it is opened.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ...errors import RenderError
from ..files import atomic_write
from .options import MapOptions
from .static import static_map

if TYPE_CHECKING:
    from ...atlas import Atlas
    from ...snapshot import AtlasSnapshot

#: PNG compression: level 1 is several times faster than the default and the files
#: (flat colours) are hardly bigger.
PNG_COMPRESSION = 1
FORMATS = (".png", ".svg")


def figure_image(figure: Figure, fmt: str = "png") -> bytes:
    """RGB image bytes of a figure at its own dpi: ``png`` or ``jpeg``."""
    from PIL import Image

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buffer, format="JPEG", quality=85, subsampling=0,
                                  dpi=(figure.dpi, figure.dpi))
    else:
        image.convert("RGB").save(buffer, format="PNG", compress_level=PNG_COMPRESSION,
                                  dpi=(figure.dpi, figure.dpi))
    return buffer.getvalue()


def figure_png(figure: Figure) -> bytes:
    """PNG bytes of a figure (see :func:`figure_image`)."""
    return figure_image(figure, "png")


def figure_svg(figure: Figure) -> str:
    """SVG text of a figure (text drawn as paths, so fonts need not match)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", facecolor=figure.get_facecolor())
    return buffer.getvalue()


def static_map_png(atlas: Atlas | AtlasSnapshot, territory: str | None = None, *,
                   options: MapOptions | None = None, **fields: Any) -> bytes:
    """:func:`~.static.static_map` as PNG bytes (e.g. a ``data:`` URI in a fact sheet)."""
    return figure_png(static_map(atlas, territory, options=options, **fields))


def static_map_svg(atlas: Atlas | AtlasSnapshot, territory: str | None = None, *,
                   options: MapOptions | None = None, **fields: Any) -> str:
    """:func:`~.static.static_map` as an SVG string (sharp at any size in PDFs)."""
    return figure_svg(static_map(atlas, territory, options=options, **fields))


def save_static_map(atlas: Atlas | AtlasSnapshot, path: str | os.PathLike[str],
                    territory: str | None = None, *, options: MapOptions | None = None,
                    **fields: Any) -> Path:
    """Write :func:`~.static.static_map` to ``path``; ``.png`` or ``.svg`` decides."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise RenderError("render.bad_format", suffix=suffix or target.name)
    figure = static_map(atlas, territory, options=options, **fields)
    if suffix == ".png":
        data = figure_png(figure)
        return atomic_write(target, lambda temp: temp.write_bytes(data))
    text = figure_svg(figure)
    return atomic_write(target, lambda temp: temp.write_text(text, encoding="utf-8"))
