"""atlas-territorial: geospatial atlas and territorial diagnostics.

Open an atlas with :func:`open` (a ``.gpkg`` path or a ``postgresql://`` URL); the
returned :class:`Atlas` reads layers, walks the territory tree, writes revisions,
diagnoses territories and draws maps and fact sheets. :func:`import_file` plans the
import of a file; :func:`indicator` declares an indicator of one's own.
"""

from __future__ import annotations

from .atlas import Atlas, create, open
from .catalog import Catalog, FieldSpec, LayerSpec, load_catalog
from .diagnostics import indicator
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
    "indicator",
    "load_catalog",
    "open",
]
