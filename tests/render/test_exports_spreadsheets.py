"""Spreadsheet exports are inert: a partner's territory name never becomes a formula.

The tiny atlas of the diagnostics tests, with its communes renamed the way a hostile
boundary file would name them; ``atlas diagnose -o`` (CSV and XLSX) and the bytes the
app offers for download must hold those names as text, and numbers (a negative
mangrove change of -50 % in SN0101) as numbers.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from tiny_atlas import build_tiny_atlas, territories

from atlas.cli import main
from atlas.exports import csv_bytes, inert_frame, inert_text, sheet_title, xlsx_bytes

LINK = '=HYPERLINK("http://evil.example","Cliquez")'
#: Commune names as a hostile boundary file gives them (one per formula trigger).
HOSTILE = {"SN0101": LINK, "SN0102": "+33 Ndar", "SN0201": "-Gandiol", "SN0202": "@SUM(A1:A9)"}
#: The same names in a CSV: a leading apostrophe, which spreadsheets show as text.
IN_CSV = {code: "'" + name for code, name in HOSTILE.items()}


@pytest.fixture(scope="module")
def hostile_atlas(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.gpkg"
    opened = build_tiny_atlas(path)
    renamed = territories()
    renamed["name"] = [HOSTILE.get(code, name)
                       for code, name in zip(renamed["code"], renamed["name"], strict=True)]
    opened.write("territories", renamed)
    opened.close()
    return str(path)


def diagnose_to(path, atlas_path) -> None:
    result = CliRunner().invoke(main, ["--lang", "en", "diagnose", "--atlas", atlas_path,
                                       "--level", "2", "-i", "mangrove_change,wp_count",
                                       "-o", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_text_starting_with_a_formula_character_gets_an_apostrophe():
    assert [inert_text(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx")] == \
        ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx"]
    assert inert_text("Saint-Louis") == "Saint-Louis"
    assert inert_text("") == ""


def test_only_text_cells_change_numbers_stay_numbers():
    frame = pd.DataFrame({"name": ["=cmd", "Ndar", None], "value": [-50.0, 2.5, None],
                          "mixed": ["-x", -3, 1.5]})
    inert = inert_frame(frame)
    assert inert["name"].tolist()[:2] == ["'=cmd", "Ndar"] and pd.isna(inert["name"][2])
    assert inert["value"].dtype == float and inert["value"].tolist()[:2] == [-50.0, 2.5]
    assert inert["mixed"].tolist() == ["'-x", -3, 1.5]
    assert frame["name"][0] == "=cmd"  # the caller's frame is left alone


def test_diagnose_csv_holds_names_as_text_and_negative_values_as_numbers(
        hostile_atlas, tmp_path):
    out = tmp_path / "diag.csv"
    diagnose_to(out, hostile_atlas)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    names = {row["code"]: row["territory"] for row in rows}
    assert names == IN_CSV
    change = next(r for r in rows if r["code"] == "SN0101"
                  and r["indicator"] == "mangrove_change" and r["breakdown"] == "ha")
    # 2015: 200 ha (M15a ∪ M15c) + 100 ha (half of M15b); 2020: 150 + 100 → -50 ha.
    assert change["value"].startswith("-")  # no apostrophe: a spreadsheet reads a number
    assert float(change["value"]) == pytest.approx(-50, abs=1e-6)


def test_diagnose_xlsx_stores_names_as_strings_and_values_as_numbers(hostile_atlas, tmp_path):
    out = tmp_path / "diag.xlsx"
    diagnose_to(out, hostile_atlas)
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    code_col, name_col = header.index("code"), header.index("territory")
    value_col, indicator_col = header.index("value"), header.index("indicator")
    names, changes = {}, []
    for row in sheet.iter_rows(min_row=2):
        name = row[name_col]
        assert name.data_type == "s" and name.quotePrefix  # a string, never a formula
        names[row[code_col].value] = name.value
        if row[code_col].value == "SN0101" and row[indicator_col].value == "mangrove_change":
            changes.append(row[value_col])
    assert names == HOSTILE  # kept exactly, without an apostrophe
    # -50 ha and -50/300 = -16.7 % (see the CSV test), as numeric cells.
    assert [c.data_type for c in changes] == ["n", "n"]
    assert [c.value for c in changes] == [pytest.approx(-50, abs=1e-6),
                                          pytest.approx(-100 / 6, abs=1e-6)]


def test_xlsx_has_no_formula_cell_at_all(hostile_atlas, tmp_path):
    out = tmp_path / "diag.xlsx"
    diagnose_to(out, hostile_atlas)
    sheet = openpyxl.load_workbook(out).active
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []


def test_xlsx_drops_control_characters_and_fixes_sheet_names():
    frame = pd.DataFrame({"name": ["bell\x07here", "=1"], "n": [1, -2]})
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, sheet_name="SN/01:[x]")))
    sheet = workbook.active
    assert sheet.title == "SN_01__x_"
    assert [[c.value for c in row] for row in sheet.iter_rows()] == \
        [["name", "n"], ["bellhere", 1], ["=1", -2]]
    assert sheet_title("x" * 40) == "x" * 31


def test_csv_bytes_are_utf8_with_a_bom():
    data = csv_bytes(pd.DataFrame({"nom": ["Thiès", "=2"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["nom", "Thiès", "'=2"]
