"""Copy a whole atlas from one store to another (GeoPackage ⇄ PostGIS).

A regional agency starts on a laptop with a GeoPackage and later moves to a shared
PostGIS server, or sends a GeoPackage snapshot of its server atlas to a partner.
The copy goes through the :class:`~atlas.store.base.Store` interface only, so it
works between any two backends and gets each backend's validation and bulk path.

What is copied: the settings, every layer spec, each layer's *current* state and
the QGIS styles (including styles someone customised in the source). The source's
history is not replayed: each layer that has data arrives as one revision whose
message names the source and the source revision numbers, so the lineage stays
traceable (``atlas history`` on the destination shows where the data came from).
A layer never written in the source gets no revision in the destination.

The destination must not hold anything yet: it is created (or, if an empty atlas
was created there beforehand, e.g. by ``atlas init``, used as it is). A copy that
fails half-way leaves a partial destination, which the error names; delete it and
run the copy again. The source is only read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..catalog import parse_spec
from ..errors import StoreError
from . import create_store, open_store
from .base import Store
from .frames import checksum

#: Called after each layer with (layer name, layers done, layers in all).
Progress = Callable[[str, int, int], None]


def describe(store: Store) -> str:
    """Where a store lives, without any password (for messages and reports)."""
    return str(getattr(store, "display_url", store.url))


def copy_atlas(src_url: str | Path, dst_url: str | Path, *,
               progress: Progress | None = None, user: str | None = None) -> dict[str, Any]:
    """Copy the atlas at ``src_url`` into a new atlas at ``dst_url``.

    Returns a report: ``source`` and ``destination`` (passwords hidden), ``layers``
    (for each layer: ``rows``, ``source_revision``, ``revision`` in the destination
    or None when the layer had no data, ``checksum``), and ``styles`` (how many
    layer styles were copied). Raises :class:`StoreError` (``store.exists``) when
    the destination already holds data.
    """
    with open_store(src_url) as source:
        destination = _empty_destination(dst_url)
        with destination:
            src_name, dst_name = describe(source), describe(destination)
            destination.set_settings(source.get_settings())
            specs = {name: parse_spec(text, source=f"{name}.toml")
                     for name, text in source.layer_specs().items()}
            for spec in specs.values():
                destination.ensure_layer(spec)
            atlas_revision = source.current_revision()
            latest = {}
            for rev in source.history():
                latest[rev.layer] = rev
            layers: dict[str, dict[str, Any]] = {}
            # Layers are copied in the order they were last written, so that an atlas
            # whose layers each have one revision keeps the same revision numbers.
            order = sorted(specs, key=lambda n: (latest[n].revision if n in latest
                                                 else atlas_revision + 1, n))
            for done, name in enumerate(order, start=1):
                spec = specs[name]
                frame = source.read(name)
                last = latest.get(name)
                entry: dict[str, Any] = {"rows": len(frame),
                                         "source_revision": last.revision if last else None,
                                         "revision": None, "checksum": checksum(frame, spec)}
                if last is not None:
                    message = (f"copy of {src_name}: layer {name} at revision "
                               f"{last.revision} (source atlas at revision {atlas_revision})")
                    written = destination.write(name, frame, "replace", user=user,
                                                source=src_name, message=message)
                    entry["revision"] = written.revision
                    entry["checksum"] = written.checksum
                layers[name] = entry
                if progress is not None:
                    progress(name, done, len(specs))
            styles = 0
            for name, style in source.styles().items():
                if name in specs and hasattr(destination, "set_style"):
                    destination.set_style(name, style.get("qml"), style.get("sld"))
                    styles += 1
    return {"source": src_name, "destination": dst_name, "layers": layers, "styles": styles}


def _empty_destination(url: str | Path) -> Store:
    """A new store at ``url``, or the atlas already there if nothing was ever written."""
    try:
        return create_store(url)
    except StoreError as exc:
        if exc.key != "store.exists":
            raise
    store = open_store(url)
    if store.current_revision() != 0:
        name = describe(store)
        store.close()
        raise StoreError("store.exists", url=name)
    return store
