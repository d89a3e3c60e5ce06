"""The ``atlas`` command.

Each group of sub-commands lives in its own module of this package and registers
itself on :data:`main` when imported here; shared options live in ``options``.
"""

from __future__ import annotations

from . import (  # noqa: F401 - imported for their registration on `main`
    demo,
    diagnose,
    editors,
    forms,
    importing,
    layers,
    render,
    reports,
    roles,
    store_admin,
)
from .options import main

__all__ = ["main"]
