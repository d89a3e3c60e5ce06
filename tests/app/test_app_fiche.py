"""Fiche territoire page (AppTest): the sheet, its table and five non-empty downloads."""

from __future__ import annotations

import io
import sqlite3

import pandas as pd
import pytest
from app_support import assert_ok, download_bytes, pick

COMMUNE = "ZZ010102"



def test_without_a_territory_the_page_asks_for_one(read_only_app):
    at = read_only_app
    at.switch_page("app_pages/fiche.py").run()
    assert_ok(at)
    assert at.info[0].value.startswith("Choisissez un territoire")
    assert at.get("download_button") == []


@pytest.mark.slow
def test_sheet_and_downloads_of_a_commune(read_only_app, tmp_path):
    at = pick(read_only_app, "ZZ01", "ZZ0101", COMMUNE)
    at.switch_page("app_pages/fiche.py").run()
    assert_ok(at)
    assert at.subheader[0].value == "Ndou · commune"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Fiche PDF", "Fiche HTML", "Indicateurs CSV", "Indicateurs Excel",
                      "Données GeoPackage"]
    html = download_bytes(at, "Fiche HTML").decode("utf-8")
    assert "Ndou" in html and "<html" in html.lower()
    # the French interface downloads the French way: ";" and decimal commas, codes last
    csv = pd.read_csv(io.BytesIO(download_bytes(at, "Indicateurs CSV")), encoding="utf-8-sig",
                      sep=";", decimal=",")
    assert set(csv["Code territoire"]) == {COMMUNE}
    assert "pop_total" in set(csv["Code indicateur"])
    xlsx = pd.read_excel(io.BytesIO(download_bytes(at, "Indicateurs Excel")))
    assert len(xlsx) == len(csv)
    assert download_bytes(at, "Fiche PDF").startswith(b"%PDF")
    gpkg = tmp_path / "extract.gpkg"
    gpkg.write_bytes(download_bytes(at, "Données GeoPackage"))
    with sqlite3.connect(gpkg) as db:
        layers = {r[0] for r in db.execute("SELECT table_name FROM gpkg_contents")}
        codes = {r[0] for r in db.execute("SELECT code FROM territories")}
    assert {"territories", "water_points", "README"} <= layers
    assert codes == {COMMUNE}
    # The indicator table is in the page too, numbers written the French way.
    table = at.dataframe[0].value
    population = table.loc[table["Indicateur"] == "Population", "Valeur"].iloc[0]
    assert "\u00a0" in population  # "12 345" with a no-break space


@pytest.mark.slow
def test_english_sheet_and_numbers(read_only_app):
    at = pick(read_only_app, "ZZ01", "ZZ0101", COMMUNE)
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    at.switch_page("app_pages/fiche.py").run()
    assert_ok(at)
    assert at.subheader[0].value == "Ndou · municipality"
    assert [b.proto.label for b in at.get("download_button")][0] == "Sheet PDF"
    table = at.dataframe[0].value
    population = table.loc[table["Indicator"] == "Population", "Value"].iloc[0]
    assert "," in population and "\u00a0" not in population
