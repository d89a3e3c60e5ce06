"""Importing the files people have into the layers of an atlas.

``import_file(atlas, "ecoles.xlsx", "schools")`` reads the file (GeoPackage,
Shapefile, GeoJSON, KML/KMZ, FlatGeobuf, CSV/XLSX with coordinates, OSM and WPDx
exports), maps its columns and values to the layer spec, checks and repairs every
row and returns an :class:`ImportPlan`: nothing is written until ``plan.commit()``.
The modules follow the flow: ``readers`` → ``coordinates`` → ``mapping`` →
``values`` → ``geometry`` → ``placement``/``boundaries`` → ``file_pipeline`` (one
file, read to checked rows) → ``import_plan`` (the files of one import, checked
together and committed as one revision), with ``report`` and ``plan_output`` for what
people read. Every uploaded file is taken as
hostile: ``sniff`` checks that its content is what its extension says, ``gdal_guard``
is the only door to GDAL (one driver per format, no virtual dataset, no network),
``archives`` and ``shapefile`` refuse archives and Shapefiles that cannot be read
faithfully, and ``limits`` bounds the columns and cells a file may bring while the
streaming readers (``geojson``, ``tables``/``xlsx``) read it.
"""

from __future__ import annotations

from .import_plan import ImportPlan, import_file, import_territories
from .report import Issue, Report

__all__ = ["ImportPlan", "Issue", "Report", "import_file", "import_territories"]
