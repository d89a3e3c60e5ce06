"""atlas-territorial: geospatial atlas and territorial diagnostics.

Open an atlas with :func:`open` (a ``.gpkg`` path or a ``postgresql://`` URL); the
returned :class:`Atlas` reads layers, walks the territory tree and writes revisions.
"""

from __future__ import annotations

from .atlas import Atlas, create, open
from .catalog import Catalog, FieldSpec, LayerSpec, load_catalog
from .errors import AtlasError
from .ingest import ImportPlan, import_file, import_territories
from .settings import AtlasSettings
from .store import Revision, WriteMode
from .territories import Territory, TerritoryTree

__version__ = "0.1.0"

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
    "create",
    "import_file",
    "import_territories",
    "load_catalog",
    "open",
]
