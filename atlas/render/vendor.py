"""Copy Leaflet and leaflet.markercluster from ``node_modules`` into the package.

The JavaScript inlined in offline maps comes from npm packages pinned in the
repository's ``package.json``/``package-lock.json`` and installed by ``npm ci``;
nothing is fetched at run time. This module turns the installed files into
``atlas/render/assets/vendor/`` (built, git-ignored, shipped in the wheel):

* source-map comments are dropped (a browser with developer tools open would
  otherwise ask for the ``.map`` file);
* images referenced by Leaflet's CSS (layer-control icon, default marker) become
  ``data:`` URIs, and the obsolete IE ``behavior: url(#default#VML)`` is removed,
  so the CSS names no URL at all;
* ``manifest.json`` records the package versions and file checksums.

Run ``python -m atlas.render.vendor`` after ``npm ci`` (``make install`` does both).
:func:`atlas.render.map.offline.load_assets` also runs it on first use when it finds a
``node_modules`` folder next to the sources, as in a development checkout.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parent / "assets" / "vendor"

#: (npm package, file in the package, name in the vendor folder)
FILES: tuple[tuple[str, str, str], ...] = (
    ("leaflet", "dist/leaflet.js", "leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet.css"),
    ("leaflet.markercluster", "dist/leaflet.markercluster.js", "leaflet.markercluster.js"),
    ("leaflet.markercluster", "dist/MarkerCluster.css", "MarkerCluster.css"),
    ("leaflet.markercluster", "dist/MarkerCluster.Default.css", "MarkerCluster.Default.css"),
)
MANIFEST = "manifest.json"
_SOURCE_MAP = re.compile(r"^\s*(//|/\*)# sourceMappingURL=.*$", re.MULTILINE)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")
_VML = re.compile(r"behavior:\s*url\(#default#VML\);?")


def node_modules_dir() -> Path:
    """Where ``npm ci`` installed the packages (``ATLAS_NODE_MODULES`` overrides)."""
    from ..config import current

    return current().node_modules or ROOT / "node_modules"


def vendor_dir() -> Path:
    """Folder of the built assets (``ATLAS_VENDOR_DIR`` overrides, e.g. in tests)."""
    from ..config import current

    return current().vendor_dir or VENDOR


def _inline_images(css: str, folder: Path) -> str:
    """Replace ``url(images/x.png)`` with a ``data:`` URI of the file."""
    def replace(match: re.Match[str]) -> str:
        path = folder / match.group(2)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'url("data:image/png;base64,{data}")'

    return _VML.sub("", _CSS_URL.sub(replace, css))


def _clean(text: str, name: str, source: Path) -> str:
    text = _SOURCE_MAP.sub("", text).rstrip() + "\n"
    if name.endswith(".css"):
        text = _inline_images(text, source.parent)
    if re.search(r"</script|<!--", text, re.IGNORECASE):
        raise ValueError(f"{name} contains markup that would break an inline <script>")
    return text


def build_vendor(node_modules: Path | None = None, target: Path | None = None) -> Path:
    """Write the vendor folder from installed npm packages; returns its path."""
    modules = node_modules or node_modules_dir()
    target = target or vendor_dir()
    versions: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for package, relative, name in FILES:
        source = modules / package / relative
        if not source.is_file():
            raise FileNotFoundError(f"{source} is missing: run `npm ci` at {ROOT}")
        meta = json.loads((modules / package / "package.json").read_text(encoding="utf-8"))
        versions[package] = str(meta["version"])
        outputs[name] = _clean(source.read_text(encoding="utf-8"), name, source)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        (target / name).write_text(text, encoding="utf-8")
    manifest = {"packages": versions,
                "files": {n: hashlib.sha256(t.encode()).hexdigest() for n, t in outputs.items()}}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m atlas.render.vendor [--node-modules DIR] [--target DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=None)
    parser.add_argument("--target", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        path = build_vendor(args.node_modules, args.target)
    except (FileNotFoundError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    packages = ", ".join(f"{k} {v}" for k, v in manifest["packages"].items())
    print(f"{path}: {packages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
