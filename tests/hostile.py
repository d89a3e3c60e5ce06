"""Booby-trapped files for the hostile-input tests (tests/test_hostile_*.py).

GDAL chooses its driver from a file's content: these payloads are GDAL virtual datasets
(a VRT ``<OGRVRTDataSource>`` and a GDALG pipeline) that make it read a local file or
fetch a URL, written under every extension the import reads and inside archives. A
*canary* file holds a random token: if the token ever shows in an output, a payload
worked. A local HTTP server counts the requests it receives.

The files are written by the tests, never checked in.
"""

from __future__ import annotations

import http.server
import secrets
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import badinput
from common import TEST_SETTINGS

import atlas
from atlas.ingest.readers import GIS_SUFFIXES, JSON_SUFFIXES, TABLE_SUFFIXES, ZIP_PREFERENCE

#: Every extension ``atlas import`` reads, the archive included.
READABLE = sorted({*GIS_SUFFIXES, *JSON_SUFFIXES, *TABLE_SUFFIXES, ".zip"})


def token() -> str:
    """A random token that no file or output holds by chance."""
    return f"CANARY{secrets.token_hex(12)}"


def canary_file(folder: Path, secret: str) -> Path:
    """A small CSV holding the secret: what a VRT would try to read."""
    path = folder / "canary.csv"
    path.write_text(f"secret\n{secret}\n", encoding="utf-8")
    return path


def vrt(source: str, layer: str) -> str:
    """An OGR VRT that reads another dataset (a path, ``CSV:…`` or ``/vsicurl/…``)."""
    return (f"<OGRVRTDataSource><OGRVRTLayer name=\"villages\"><SrcDataSource>{source}"
            f"</SrcDataSource><SrcLayer>{layer}</SrcLayer></OGRVRTLayer></OGRVRTDataSource>")


def gdalg(source: str) -> str:
    """A GDALG streamed pipeline that reads another dataset."""
    return ('{"type": "gdal_streamed_alg", "command_line": "gdal vector pipeline ! read '
            f'--if CSV {source} ! write --of stream streamed_dataset"}}')


@dataclass
class Server:
    """A local HTTP server on 127.0.0.1 that records every request it receives."""

    url: str
    requests: list[str] = field(default_factory=list)


@contextmanager
def http_server() -> Iterator[Server]:
    """Serve a small CSV at any path, in a thread, and count what comes."""
    server_state = Server(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            server_state.requests.append(self.path)
            body = b"secret\nfrom-the-network\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        server.shutdown()
        server.server_close()


def payloads(canary: Path, server_url: str) -> dict[str, str]:
    """The virtual datasets: a local file, this process's environment, a URL."""
    return {
        "vrt_file": vrt(f"CSV:{canary}", "canary"),
        "vrt_environ": vrt("CSV:/proc/self/environ", "environ"),
        "vrt_url": vrt(f"/vsicurl/{server_url}/villages.csv", "villages"),
        "gdalg_file": gdalg(str(canary)),
        "gdalg_url": gdalg(f"/vsicurl/{server_url}/villages.csv"),
    }


def write_as(folder: Path, suffix: str, text: str) -> Path:
    """The payload saved under ``villages<suffix>`` (a Shapefile gets its parts too)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"villages{suffix}"
    path.write_text(text, encoding="utf-8")
    if suffix == ".shp":
        for part in (".shx", ".dbf"):
            path.with_suffix(part).write_text(text, encoding="utf-8")
    return path


def zipped(folder: Path, member_suffix: str, text: str, name: str = "envoi.zip") -> Path:
    """A zip holding the payload as ``villages<member_suffix>`` (and a Shapefile's parts)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"villages{member_suffix}", text)
        if member_suffix == ".shp":
            archive.writestr("villages.shx", text)
            archive.writestr("villages.dbf", text)
    return path


def kmz(folder: Path, text: str) -> Path:
    """A real zip named .kmz whose ``doc.kml`` is the payload."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "villages.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", text)
    return path


def every_hostile_file(folder: Path, text: str) -> list[Path]:
    """The payload under every readable extension, as a member of a zip, and in a KMZ."""
    files = [write_as(folder / f"raw{suffix}", suffix, text) for suffix in READABLE]
    files += [zipped(folder / f"zip{suffix}", suffix, text) for suffix in ZIP_PREFERENCE]
    files.append(kmz(folder / "kmz", text))
    return files


def corpus_atlas(path: Path) -> Path:
    """A GeoPackage atlas with the corpus territories and a few water points."""
    with atlas.create(path, TEST_SETTINGS) as opened:
        opened.write("territories", badinput.territory_frame(), user="tests")
        opened.write("water_points", badinput.seed_points(), user="tests")
    return path
