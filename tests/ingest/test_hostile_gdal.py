"""GDAL virtual datasets and outside references in uploaded files: refused, nothing leaks.

A file named ``villages.kml`` (or any other extension) whose content is a VRT or a GDALG
pipeline would make GDAL read ``/etc/passwd``, the process environment or a URL. The
control test shows that, without the guard, these payloads do leak a canary token and
reach a local HTTP server; the others show that through ``import_file`` and ``atlas
import`` every one of them is refused with a sentence, the token never appears in the
output or the reports, and the server receives no request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import hostile
import pyogrio
import pytest
from click.testing import CliRunner
from pyogrio.errors import DataSourceError

from atlas.cli import main
from atlas.errors import IngestError
from atlas.ingest import gdal_guard, import_file

PAYLOADS = ("vrt_file", "vrt_environ", "vrt_url", "gdalg_file", "gdalg_url")


@pytest.fixture(scope="module")
def server():
    with hostile.http_server() as running:
        yield running


@pytest.fixture(scope="module")
def secret(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canary")
    value = hostile.token()
    return value, hostile.canary_file(folder, value)


@pytest.fixture(scope="module")
def atlas_path(tmp_path_factory):
    return hostile.corpus_atlas(tmp_path_factory.mktemp("hostile") / "atlas.gpkg")


def _unguarded(script: str, env: dict[str, str] | None = None) -> str:
    """Output of plain pyogrio in a fresh process (no atlas import: GDAL as shipped).

    ``env`` comes first in the process environment: GDAL's CSV reader stops at the first
    NUL of ``/proc/self/environ``, so only the first variable would show.
    """
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={**(env or {}), **os.environ}, timeout=120, check=False)
    return result.stdout + result.stderr


def test_the_payloads_do_leak_when_gdal_is_left_as_shipped(secret, server, tmp_path):
    value, canary = secret
    texts = hostile.payloads(canary, server.url)
    env_token = hostile.token()
    paths = {name: hostile.write_as(tmp_path / name, ".kml", texts[name])
             for name in ("vrt_file", "vrt_environ", "vrt_url", "gdalg_file")}
    script = ("import pyogrio, sys\n"
              "for path in sys.argv[1:]:\n"
              "    try: print(pyogrio.read_dataframe(path).to_csv())\n"
              "    except Exception as exc: print('failed', exc)\n")
    output = _unguarded(script.replace("sys.argv[1:]", repr([str(p) for p in paths.values()])),
                        env={"ATLAS_TEST_ENV_TOKEN": env_token})
    assert value in output  # the VRT and the GDALG pipeline read the canary file
    assert env_token in output  # the VRT read the process environment
    assert server.requests  # the VRT fetched a URL
    server.requests.clear()


def test_gdal_no_longer_has_virtual_or_network_drivers():
    drivers = gdal_guard.registered_drivers()
    assert not drivers & {"OGR_VRT", "VRT", "GDALG", "HTTP", "WFS", "OAPIF", "CSW",
                          "GPSBabel", "SQLite", "Elasticsearch", "Carto"}
    assert {"GPKG", "ESRI Shapefile", "FlatGeobuf", "LIBKML", "GPX", "OSM"} <= drivers


def test_gdal_itself_refuses_virtual_datasets_and_urls(secret, server, tmp_path):
    """Below the content checks: GDAL, as configured, cannot open them either."""
    value, canary = secret
    gdal_guard.configure()
    texts = hostile.payloads(canary, server.url)
    for name in ("vrt_file", "vrt_url", "gdalg_file"):
        path = tmp_path / f"{name}{'.vrt' if name.startswith('vrt') else '.gdalg.json'}"
        path.write_text(texts[name], encoding="utf-8")
        with pytest.raises(DataSourceError) as caught:
            pyogrio.read_dataframe(path)
        assert value not in str(caught.value)
    with pytest.raises(DataSourceError):
        pyogrio.read_info(f"/vsicurl/{server.url}/direct.gpkg")
    assert server.requests == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_virtual_datasets_are_refused_under_every_extension(atlas_path, secret, server,
                                                            tmp_path, payload):
    value, canary = secret
    text = hostile.payloads(canary, server.url)[payload]
    for path in hostile.every_hostile_file(tmp_path, text):
        with pytest.raises(IngestError) as caught:
            import_file(str(atlas_path), path, "water_points")
        error = caught.value
        assert error.key == "ingest.virtual_dataset", (path, error.key, error.message("en"))
        assert "jeu de données virtuel GDAL" in error.message("fr")
        assert "GDAL virtual dataset" in error.message("en")
        assert value not in error.message("fr") + error.message("en")
    assert server.requests == []


@pytest.mark.slow
@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_cli_refuses_them_with_a_sentence_and_writes_no_secret(atlas_path, secret, server,
                                                                  tmp_path, payload):
    value, canary = secret
    text = hostile.payloads(canary, server.url)[payload]
    runner = CliRunner()
    for path in hostile.every_hostile_file(tmp_path / "files", text):
        for report in (tmp_path / "r.json", tmp_path / "r.html"):
            result = runner.invoke(main, ["import", str(path), "--atlas", str(atlas_path),
                                          "--layer", "water_points", "--dry-run",
                                          "--report", str(report)])
            assert result.exit_code == 2, (path, result.output)
            assert "jeu de données virtuel GDAL" in result.output
            assert "Traceback" not in result.output and value not in result.output
            assert not report.exists() or value not in report.read_text(encoding="utf-8")
    assert server.requests == []


@pytest.mark.slow
def test_the_environment_never_reaches_the_cli_output(atlas_path, secret, server, tmp_path):
    """A real ``atlas`` process whose environment holds a token, as ATLAS_URL would."""
    _, canary = secret
    env_token = hostile.token()
    texts = hostile.payloads(canary, server.url)
    files = [hostile.write_as(tmp_path / "kml", ".kml", texts["vrt_environ"]),
             hostile.write_as(tmp_path / "json", ".geojson", texts["vrt_environ"]),
             hostile.zipped(tmp_path / "zip", ".gpkg", texts["vrt_environ"]),
             hostile.write_as(tmp_path / "xlsx", ".xlsx", texts["gdalg_url"])]
    for path in files:
        report = path.with_name("rapport.html")
        result = subprocess.run(
            [sys.executable, "-m", "atlas.cli", "--lang", "en", "import", str(path),
             "--atlas", str(atlas_path), "--layer", "water_points", "--dry-run",
             "--report", str(report)],
            capture_output=True, text=True, timeout=300, check=False,
            env={"ATLAS_TEST_ENV_TOKEN": env_token, **os.environ})
        output = result.stdout + result.stderr
        assert result.returncode == 2, output
        assert "GDAL virtual dataset" in output and "Traceback" not in output
        assert env_token not in output
        assert not report.exists() or env_token not in report.read_text(encoding="utf-8")
    assert server.requests == []


def _kml_with_links(url: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
            f'<Document><Style id="s"><IconStyle><Icon><href>{url}/icon.png</href></Icon>'
            '</IconStyle></Style><Placemark><name>Forage du marché</name>'
            f'<styleUrl>{url}/styles.kml#s</styleUrl>'
            '<ExtendedData><Data name="type"><value>forage</value></Data>'
            '<Data name="etat"><value>fonctionnel</value></Data></ExtendedData>'
            '<Point><coordinates>-16.5,14.0</coordinates></Point></Placemark>'
            f'<NetworkLink><Link><href>{url}/more.kml</href></Link></NetworkLink>'
            '</Document></kml>')


def _gml_with_remote_schema(url: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><ogr:FeatureCollection '
            'xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="http://ogr.maptools.org/ {url}/schema.xsd">'
            '<gml:featureMember><ogr:sites fid="sites.0"><ogr:geometryProperty><gml:Point>'
            '<gml:coordinates>-16.5,14.0</gml:coordinates></gml:Point></ogr:geometryProperty>'
            '<ogr:nom>Forage</ogr:nom><ogr:type>forage</ogr:type><ogr:etat>ok</ogr:etat>'
            '</ogr:sites></gml:featureMember></ogr:FeatureCollection>')


def _gpx_with_link(url: str) -> str:
    return ('<?xml version="1.0"?><gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="14.0" lon="-16.5">'
            f'<name>Forage</name><link href="{url}/photo.jpg"/></wpt></gpx>')


def test_outside_references_in_ordinary_files_are_never_fetched(atlas_path, server, tmp_path):
    files = {".kml": _kml_with_links(server.url), ".gml": _gml_with_remote_schema(server.url),
             ".gpx": _gpx_with_link(server.url)}
    runner = CliRunner()
    for suffix, text in files.items():
        path = hostile.write_as(tmp_path / suffix[1:], suffix, text)
        report = tmp_path / f"rapport{suffix}.json"
        result = runner.invoke(main, ["--lang", "en", "import", str(path), "--atlas",
                                      str(atlas_path), "--layer", "water_points",
                                      "--dry-run", "--report", str(report)])
        assert result.exit_code in (0, 1), result.output  # planned, not an error
        data = json.loads(report.read_text(encoding="utf-8"))
        assert data["rows"]["read"] == 1, (suffix, data)
    assert server.requests == []


def test_content_that_does_not_match_its_extension_is_refused(atlas_path, tmp_path):
    geopackage = tmp_path / "vrai.gpkg"
    hostile.corpus_atlas(geopackage)
    cases = {
        "faux.fgb": (geopackage.read_bytes(), "ingest.content_mismatch", "SQLite"),
        "faux.gpx": (_kml_with_links("http://example.invalid").encode(),
                     "ingest.content_mismatch", "XML <kml>"),
        "faux.gpkg": (b'{"type": "FeatureCollection", "features": []}',
                      "ingest.content_mismatch", "JSON"),
        "faux.kml": (b"code,nom\nF1,Forage\n", "ingest.content_text", "KML"),
        "faux.osm": (bytes(range(256)) * 4, "ingest.content_binary", "OSM"),
        "faux.csv": (geopackage.read_bytes()[:4096], "ingest.content_mismatch", "SQLite"),
    }
    for name, (data, key, quoted) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(IngestError) as caught:
            import_file(str(atlas_path), path, "water_points")
        assert caught.value.key == key, (name, caught.value.key)
        for lang in ("fr", "en"):
            assert name in caught.value.message(lang) and quoted in caught.value.message(lang)


def test_a_file_that_gdal_reads_as_another_format_is_refused(atlas_path, tmp_path):
    # KML that mentions the GML namespace passes a look at its text, but GDAL's KML
    # driver claims it: the driver GDAL chose is checked against the extension.
    path = tmp_path / "sites.gml"
    path.write_text('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2" '
                    'xmlns:gml="http://www.opengis.net/gml"><Document><Placemark>'
                    '<name>a</name><Point><coordinates>-16.5,14.0</coordinates></Point>'
                    '</Placemark></Document></kml>', encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        import_file(str(atlas_path), path, "water_points")
    assert caught.value.key == "ingest.wrong_driver"
    assert "« LIBKML »" in caught.value.message("fr") and "'LIBKML'" in caught.value.message("en")


def test_xml_entities_and_schemas_outside_the_folder_are_refused(atlas_path, secret,
                                                                  tmp_path):
    value, canary = secret
    entity = tmp_path / "entites.kml"
    entity.write_text(f'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY s SYSTEM "{canary}">]>'
                      '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
                      '<name>&s;</name><Point><coordinates>-16.5,14.0</coordinates></Point>'
                      '</Placemark></Document></kml>', encoding="utf-8")
    outside = tmp_path / "schema.gml"
    outside.write_text(_gml_with_remote_schema("http://x").replace(
        "http://x/schema.xsd", str(canary)), encoding="utf-8")
    parent = tmp_path / "parent.gml"
    parent.write_text(_gml_with_remote_schema("http://x").replace(
        "http://x/schema.xsd", "../schema.xsd"), encoding="utf-8")
    expected = {entity: "ingest.xml_entities", outside: "ingest.outside_reference",
                parent: "ingest.outside_reference"}
    for path, key in expected.items():
        with pytest.raises(IngestError) as caught:
            import_file(str(atlas_path), path, "water_points")
        assert caught.value.key == key
        assert value not in caught.value.message("en")
