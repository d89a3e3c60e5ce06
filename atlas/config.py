"""The runtime configuration: every ``ATLAS_*`` environment variable, read in one place.

Operators configure a deployment through the environment (a systemd unit, a
container, a shell). Each variable is declared once in :data:`VARIABLES` (name,
default, what it does; the README's *Configuration* table lists the same) and read
into one frozen :class:`Config`. :func:`current` returns it, re-reading the
environment only when an ``ATLAS_*`` variable changed since the last read, so code
that reads it at call time sees what a test set with ``monkeypatch.setenv``;
:func:`load` always re-reads. A value that cannot be parsed (``ATLAS_IMPORT_MAX_MB=big``)
is logged and replaced by its default rather than breaking every command: the
configuration is read by error messages too, which must always be writable.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "ATLAS_"
DEFAULT_ATLAS_URL = "data/demo.gpkg"
DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")
DEFAULT_EDITORS_FILE = "data/editors.toml"
DEFAULT_IMPORT_MAX_MB = 200.0
DEFAULT_IMPORT_MAX_COLUMNS = 2000
DEFAULT_IMPORT_MAX_CELLS = 25_000_000
DEFAULT_IMPORT_MAX_KML_MB = 40.0
DEFAULT_GPKG_WRITE_CACHE_MB = 2048.0


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, its default as shown, what it sets."""

    name: str
    default: str
    help: str


#: Every variable :func:`load` reads (the README documents each one).
VARIABLES: tuple[Variable, ...] = (
    Variable("ATLAS_URL", DEFAULT_ATLAS_URL,
             "the atlas the app and the CLI open: a .gpkg path or a postgresql:// URL"),
    Variable("ATLAS_LANG", DEFAULT_LANGUAGE, "language of messages: fr or en"),
    Variable("ATLAS_EDITORS_FILE", DEFAULT_EDITORS_FILE,
             "the editors' accounts file (atlas editors, the app's sign-in)"),
    Variable("ATLAS_TRUSTED_PROXY", "",
             "comma-separated proxy addresses/networks whose X-Forwarded-For is believed"),
    Variable("ATLAS_IMPORT_MAX_MB", f"{DEFAULT_IMPORT_MAX_MB:g}",
             "largest file (or archive content) an import accepts, in MB"),
    Variable("ATLAS_IMPORT_MAX_COLUMNS", str(DEFAULT_IMPORT_MAX_COLUMNS),
             "most columns an imported table may have"),
    Variable("ATLAS_IMPORT_MAX_CELLS", str(DEFAULT_IMPORT_MAX_CELLS),
             "most cells (rows x columns) an imported table may have"),
    Variable("ATLAS_IMPORT_MAX_KML_MB", f"{DEFAULT_IMPORT_MAX_KML_MB:g}",
             "largest KML text (a .kml, or inside a .kmz), in MB"),
    Variable("ATLAS_GPKG_WRITE_CACHE_MB", f"{DEFAULT_GPKG_WRITE_CACHE_MB:g}",
             "memory a GeoPackage writer uses before spilling to the file, in MB"),
    Variable("ATLAS_LAYERS_DIR", "(the packaged atlas/layers)",
             "folder of the layer specs (*.toml) to use instead of the packaged ones"),
    Variable("ATLAS_VENDOR_DIR", "(the packaged atlas/render/vendor)",
             "folder of the built map assets (Leaflet, plugins)"),
    Variable("ATLAS_NODE_MODULES", "node_modules",
             "where npm ci installed the map assets' sources (make vendor)"),
)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    """The configuration of this process, as the environment set it."""

    atlas_url: str = DEFAULT_ATLAS_URL
    lang: str = DEFAULT_LANGUAGE
    editors_file: Path = Path(DEFAULT_EDITORS_FILE)
    trusted_proxy: str = ""
    import_max_mb: float = DEFAULT_IMPORT_MAX_MB
    import_max_columns: int = DEFAULT_IMPORT_MAX_COLUMNS
    import_max_cells: int = DEFAULT_IMPORT_MAX_CELLS
    import_max_kml_mb: float = DEFAULT_IMPORT_MAX_KML_MB
    gpkg_write_cache_mb: float = DEFAULT_GPKG_WRITE_CACHE_MB
    layers_dir: Path | None = None
    vendor_dir: Path | None = None
    node_modules: Path | None = None
    #: Variables whose value could not be parsed (name → value), replaced by defaults.
    ignored: tuple[tuple[str, str], ...] = ()


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _language(value: str | None) -> str:
    lang = (value or DEFAULT_LANGUAGE).lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read the configuration from ``environ`` (default: this process's environment)."""
    env = os.environ if environ is None else environ
    ignored: list[tuple[str, str]] = []

    def number(name: str, default: float, kind: type[int] | type[float]) -> float:
        raw = env.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            return kind(raw)
        except ValueError:
            ignored.append((name, raw))
            _log.warning("%s=%r is not a number: using %s", name, raw, default)
            return default

    config = Config(
        atlas_url=env.get("ATLAS_URL") or DEFAULT_ATLAS_URL,
        lang=_language(env.get("ATLAS_LANG")),
        editors_file=Path(env.get("ATLAS_EDITORS_FILE") or DEFAULT_EDITORS_FILE),
        trusted_proxy=env.get("ATLAS_TRUSTED_PROXY", ""),
        import_max_mb=float(number("ATLAS_IMPORT_MAX_MB", DEFAULT_IMPORT_MAX_MB, float)),
        import_max_columns=int(number("ATLAS_IMPORT_MAX_COLUMNS",
                                      DEFAULT_IMPORT_MAX_COLUMNS, int)),
        import_max_cells=int(number("ATLAS_IMPORT_MAX_CELLS", DEFAULT_IMPORT_MAX_CELLS, int)),
        import_max_kml_mb=float(number("ATLAS_IMPORT_MAX_KML_MB",
                                       DEFAULT_IMPORT_MAX_KML_MB, float)),
        gpkg_write_cache_mb=float(number("ATLAS_GPKG_WRITE_CACHE_MB",
                                         DEFAULT_GPKG_WRITE_CACHE_MB, float)),
        layers_dir=_path(env.get("ATLAS_LAYERS_DIR")),
        vendor_dir=_path(env.get("ATLAS_VENDOR_DIR")),
        node_modules=_path(env.get("ATLAS_NODE_MODULES")),
        ignored=tuple(ignored),
    )
    if environ is None:
        with _lock:
            global _cached
            _cached = (_fingerprint(), config)
    return config


def current() -> Config:
    """The configuration, re-read only when an ``ATLAS_*`` variable changed."""
    cached = _cached
    if cached is not None and cached[0] == _fingerprint():
        return cached[1]
    return load()


def _fingerprint() -> tuple[tuple[str, str], ...]:
    names = {v.name for v in VARIABLES}
    return tuple(sorted((k, v) for k, v in os.environ.items() if k in names))


_lock = threading.Lock()
_cached: tuple[tuple[tuple[str, str], ...], Config] | None = None

__all__ = ["VARIABLES", "Config", "Variable", "current", "load"]
