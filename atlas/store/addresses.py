"""Atlas addresses checked before anything connects: every mistake gets a sentence.

An address is a ``.gpkg`` path (or ``gpkg://path.gpkg``) or a PostgreSQL URL
``postgresql://user:password@host:port/database?schema=name``. People type these in
a terminal or an environment variable, so typos are common: a port ``54x2``, a
forgotten database, ``?schema=Saint_Louis``, ``postgis://``. Each is reported as a
:class:`~atlas.errors.StoreError` naming the address *without its password*
(:func:`atlas.masking.mask_url`) and saying how to fix it, instead of a driver
``ValueError`` that echoes the whole URL.

Schema names are refused unless they are plain lower-case identifiers (letters,
digits, ``_``, not starting with a digit, at most 63 bytes). PostgreSQL could hold a
quoted ``"Saint_Louis"`` schema, but psql and QGIS users type names unquoted, which
PostgreSQL folds to lower case: ``Saint_Louis`` there means ``saint_louis``, another
schema. Refusing, with the lower-case name suggested, avoids an atlas that its own
users cannot find.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from ..errors import StoreError
from ..masking import mask_url

#: Scheme spellings that name a PostgreSQL/PostGIS database (compared in lower case).
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg2://")
GPKG_SCHEME = "gpkg://"
#: Same rule as :data:`atlas.store.pg_connection.SCHEMA_NAME`, checked without importing it
#: (that module pulls the database driver in).
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCHEMA_PARAMETER = "schema"
MAX_PORT = 65_535
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def is_postgres_url(url: str | Path) -> bool:
    """True for PostgreSQL/PostGIS connection URLs (scheme in any case)."""
    return str(url).strip().lower().startswith(POSTGRES_SCHEMES)


def scheme_of(url: str | Path) -> str | None:
    """The ``scheme`` of ``scheme://…``, or None for a plain path."""
    found = _SCHEME.match(str(url).strip())
    return found.group(1) if found else None


def suggested_schema(name: str) -> str:
    """A valid schema name close to ``name`` (``Saint-Louis`` → ``saint_louis``)."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", name.strip().lower())
    if not cleaned or cleaned[0].isdigit():
        cleaned = f"_{cleaned}"
    return cleaned[:63] if cleaned.strip("_") else "atlas"


def check_postgres_url(url: str) -> str:
    """The URL with its scheme in lower case, or a :class:`StoreError` saying what is wrong.

    Parsed the way the store parses it (SQLAlchemy's ``make_url``), so that what
    passes here is what the store will use.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = str(url).strip()
    scheme, _, rest = text.partition("://")
    text = f"{scheme.lower()}://{rest}"
    shown = mask_url(text)
    try:
        parsed = make_url(text)
    except ValueError as exc:  # int() of the port
        raise StoreError("address.bad_port", url=shown) from exc
    except ArgumentError as exc:
        raise StoreError("address.unreadable", url=shown) from exc
    if parsed.host and "@" in parsed.host:
        raise StoreError("address.special_characters", url=shown)
    if parsed.port is not None and not 1 <= parsed.port <= MAX_PORT:
        raise StoreError("address.bad_port", url=shown)
    if not parsed.database:
        raise StoreError("address.no_database", url=shown)
    for schema in parse_qs(urlsplit(text).query, keep_blank_values=True).get(
            SCHEMA_PARAMETER, []):
        if not SCHEMA_NAME.match(schema):
            raise StoreError("address.bad_schema", url=shown, schema=schema,
                             suggestion=suggested_schema(schema))
    return text


def gpkg_path(url: str | Path) -> Path:
    """The file of a GeoPackage address, or a :class:`StoreError` for anything else."""
    text = str(url)
    if not text.strip():
        raise StoreError("address.empty")
    scheme = scheme_of(text)
    if scheme is not None and scheme.lower() != GPKG_SCHEME[:-3]:
        raise StoreError("address.unknown_scheme", url=mask_url(text), scheme=scheme)
    path = Path(text.strip()[len(GPKG_SCHEME):] if scheme else text)
    if path.suffix.lower() != ".gpkg":
        raise StoreError("store.unsupported_url", url=mask_url(text))
    return path
