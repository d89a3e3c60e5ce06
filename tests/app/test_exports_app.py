"""The app's CSV and Excel downloads are inert too (AppTest, the Fiche territoire page)."""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path

import openpyxl
import pytest
from app_support import APP, assert_ok, download_bytes, new_app, pick
from tiny_atlas import build_tiny_atlas, territories

LINK = '=HYPERLINK("http://evil.example","Cliquez")'



@pytest.fixture
def hostile_app(app_env, monkeypatch, tmp_path):
    """The app on the tiny atlas whose commune SN0101 is named like a formula."""
    path = tmp_path / "hostile.gpkg"
    opened = build_tiny_atlas(path)
    renamed = territories()
    renamed.loc[renamed["code"] == "SN0101", "name"] = LINK
    opened.write("territories", renamed)
    opened.close()
    monkeypatch.setenv("ATLAS_URL", str(path))
    at = pick(new_app(), "SN01", "SN0101")
    at.switch_page("app_pages/fiche.py").run()
    assert_ok(at)
    return at


@pytest.mark.slow
def test_downloaded_csv_and_xlsx_keep_the_name_as_text(hostile_app):
    rows = list(csv.DictReader(io.StringIO(
        download_bytes(hostile_app, "Indicateurs CSV").decode("utf-8-sig")), delimiter=";"))
    assert rows and {row["Territoire"] for row in rows} == {"'" + LINK}
    # A negative value (mangrove change, -50 ha) stays a plain number (a French one).
    change = next(r for r in rows if r["Code indicateur"] == "mangrove_change"
                  and r["Code ventilation"] == "ha")
    assert float(change["Valeur"].replace(",", ".")) == pytest.approx(-50, abs=1e-6)

    book = openpyxl.load_workbook(io.BytesIO(download_bytes(hostile_app, "Indicateurs Excel")))
    shown, codes = book.worksheets
    header = [cell.value for cell in shown[1]]
    names = [row[header.index("Territoire")] for row in shown.iter_rows(min_row=2)]
    assert {(c.value, c.data_type) for c in names} == {(LINK, "s")}
    header = [cell.value for cell in codes[1]]
    names = [row[header.index("territory_name")] for row in codes.iter_rows(min_row=2)]
    assert {(c.value, c.data_type) for c in names} == {(LINK, "s")}
    values = [row[header.index("value")] for row in codes.iter_rows(min_row=2)
              if row[header.index("indicator")].value == "mangrove_change"]
    assert [(c.data_type, round(c.value, 6)) for c in values] == [("n", -50.0),
                                                                 ("n", round(-100 / 6, 6))]


def test_tables_built_in_csv_export_is_off():
    # Streamlit's own table export does not neutralise formulas; the app's buttons do.
    config = Path(APP).parent / ".streamlit" / "config.toml"
    with open(config, "rb") as handle:
        assert tomllib.load(handle)["client"]["disableDataExport"] is True
