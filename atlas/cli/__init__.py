"""The ``atlas`` command.

Each group of sub-commands lives in its own module of this package and registers
itself on :data:`main`; shared options live in ``options``.
"""

from __future__ import annotations

import importlib

from .options import main

#: Modules that define sub-commands, imported for their registration side effect.
COMMAND_MODULES = ("layers", "demo", "store_admin", "importing", "diagnose", "render",
                   "editors", "roles", "reports")

for _name in COMMAND_MODULES:
    try:
        importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a module not written yet must not break the rest
        if exc.name != f"{__name__}.{_name}":
            raise

__all__ = ["main"]
