"""atlas-territorial: geospatial atlas and territorial diagnostics.

Open an atlas with :func:`open` (a ``.gpkg`` path or a ``postgresql://`` URL); the
returned :class:`Atlas` reads layers, walks the territory tree, writes revisions,
diagnoses territories and draws maps and fact sheets. :func:`import_file` plans the
import of a file; :func:`indicator` declares an indicator of one's own; :func:`copy` and
:func:`grant_roles` administer an atlas (:mod:`atlas.admin`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .atlas import Atlas, create, open
from .catalog import Catalog, FieldSpec, LayerSpec, load_catalog
from .errors import AtlasError
from .settings import AtlasSettings
from .store import Revision, WriteMode
from .territories import Territory, TerritoryTree

if TYPE_CHECKING:
    from .admin import copy, grant_roles
    from .diagnostics import indicator
    from .forms import form
    from .ingest import ImportPlan, import_file, import_territories

__version__ = "0.1.0"

#: Names loaded on first use, so that opening an atlas (the app's first page, the CLI)
#: does not pay for the diagnostics and import machinery it may not need.
_LAZY = {
    "copy": "admin",
    "grant_roles": "admin",
    "indicator": "diagnostics",
    "ImportPlan": "ingest",
    "import_file": "ingest",
    "import_territories": "ingest",
    "form": "forms",
}


def __getattr__(name: str) -> Any:
    """Load the lazily exported names (see ``_LAZY``)."""
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Atlas",
    "AtlasError",
    "AtlasSettings",
    "Catalog",
    "FieldSpec",
    "ImportPlan",
    "LayerSpec",
    "Revision",
    "Territory",
    "TerritoryTree",
    "WriteMode",
    "__version__",
    "copy",
    "create",
    "form",
    "grant_roles",
    "import_file",
    "import_territories",
    "indicator",
    "load_catalog",
    "open",
]
