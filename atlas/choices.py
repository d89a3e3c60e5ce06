"""The choice lists that the CLI and the app offer, each derived from what the code accepts.

A list typed again in ``click.Choice([...])`` and in a Streamlit radio drifts from the
code behind it: a new write mode, a new readable format or a new population source is
then refused by one interface and offered by the other. Each list below is computed
from its source of truth (the enum, the reader's suffix tables, the validating module),
so that adding a value there adds it everywhere it is offered.
"""

from __future__ import annotations

from .config import LANGUAGES as _LANGUAGES
from .diagnostics.context import POPULATION_SOURCES as _POPULATION_SOURCES
from .ingest.readers import GIS_SUFFIXES, JSON_SUFFIXES, TABLE_SUFFIXES
from .render.map.choropleth import SCHEMES
from .store.base import WriteMode

#: Interface languages (``--lang``, the app's language switch).
LANGUAGES: tuple[str, ...] = tuple(_LANGUAGES)

#: How an import writes into a layer; the first one is the default, the safest for
#: data already stored (``append`` adds rows, it never removes any).
WRITE_MODES: tuple[str, ...] = tuple(
    sorted((mode.value for mode in WriteMode), key=lambda value: value != WriteMode.APPEND))
DEFAULT_WRITE_MODE = WRITE_MODES[0]

#: Where the diagnostics take population figures from (``auto`` picks the best).
POPULATION_SOURCES: tuple[str, ...] = tuple(_POPULATION_SOURCES)

#: Classification methods a person picks by name; ``user`` is left out because it is
#: implied by giving class breaks, never chosen alone. The first one is the default.
CLASSIFICATION_SCHEMES: tuple[str, ...] = tuple(
    dict.fromkeys(method for method in SCHEMES.values() if method != "user"))
DEFAULT_CLASSIFICATION_SCHEME = CLASSIFICATION_SCHEMES[0]

#: Page layouts of a book (``atlas book --layout``); the first one is the default. Defined
#: here, not taken from :mod:`atlas.render.book.pages` (which imports it), because that
#: module loads matplotlib and the app's map page must not.
BOOK_LAYOUTS: tuple[str, ...] = ("summary", "map", "sheets")

#: File name suffixes the import reader opens (``.zip`` archives are searched inside).
READABLE_SUFFIXES: tuple[str, ...] = tuple(sorted(
    {*GIS_SUFFIXES, *JSON_SUFFIXES, *TABLE_SUFFIXES, ".zip"}))

#: Extensions (without the dot) an upload field accepts. A shapefile cannot come alone
#: (its .dbf and .shx are separate files), so it is uploaded as a zip; an old ``.xls``
#: is accepted so that the reader can say to save it as ``.xlsx`` instead of the
#: browser silently refusing it.
UPLOAD_EXTENSIONS: tuple[str, ...] = tuple(sorted(
    {suffix.lstrip(".") for suffix in READABLE_SUFFIXES if suffix != ".shp"} | {"xls"}))
