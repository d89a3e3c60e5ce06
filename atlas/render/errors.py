"""The error renderers raise.

It is an :class:`AtlasError`, so the CLI and the app print it as a translated
sentence (message keys live in ``i18n/*/render.toml``).
"""

from __future__ import annotations

from ..errors import AtlasError


class RenderError(AtlasError):
    """A map cannot be drawn or exported (bad classification, missing assets...)."""
