"""The errors renderers raise.

Both are :class:`AtlasError` subclasses, so the CLI and the app print them as translated
sentences (message keys live in ``i18n/*/render.toml`` and ``reports.toml``).
"""

from __future__ import annotations

from ..errors import AtlasError


class RenderError(AtlasError):
    """A map cannot be drawn or exported (bad classification, missing assets...)."""


class ReportError(RenderError):
    """A sheet or book cannot be made (unknown programme, bad sort, a territory failed)."""
