"""Values that used to be lost, corrupted or turned into tracebacks, now said in the report.

- integers beyond 64 bits (``1e19``, ``1e308``, ``99999999999999999999``): a sentence per
  cell, never ``OverflowError``; a frame written directly is refused with a sentence;
- a CSV mixing UTF-8 and CP1252 lines: each line decoded in its own encoding ("Thiès"
  stays "Thiès", never "ThiÃ¨s") and a warning for each row of the rarer one;
- workbook formulas that Excel never calculated: reported, not silently blank.
"""

from __future__ import annotations

import re
import zipfile

import badinput
import pandas as pd
import pytest
from click.testing import CliRunner
from common import TEST_SETTINGS
from fixtures_ingest_files import state

import atlas
from atlas.cli import main
from atlas.errors import StoreError
from atlas.ingest import import_file

HEADER = "code,nom,type,etat,lat,lon,annee_realisation"
LAT, LON = badinput.WEST[1], badinput.WEST[0]


@pytest.fixture
def corpus(store_url):
    with atlas.create(store_url, TEST_SETTINGS) as opened:
        opened.write("territories", badinput.territory_frame(), user="tests")
        yield opened


def _row(code: str, name: str, year: str = "2010", shift: float = 0.0) -> str:
    return f"{code},{name},forage,fonctionnel,{LAT + shift},{LON},{year}"


def _issues(plan, code):
    return [i for i in plan.report.issues if i.code == code]


# -- integers beyond 64 bits -------------------------------------------------------------------
def test_integers_beyond_64_bits_are_reported_and_emptied(corpus, tmp_path):
    path = tmp_path / "annees.csv"
    path.write_text("\n".join([HEADER, _row("A", "a", "1e19", 0.00),
                               _row("B", "b", "1e308", 0.01),
                               _row("C", "c", "99999999999999999999", 0.02),
                               _row("D", "d", "2011", 0.03)]) + "\n", encoding="utf-8")
    plan = import_file(corpus, path, "water_points", mode="replace")
    too_large = _issues(plan, "integer_too_large")
    assert [(i.row, i.value) for i in too_large] == [
        (1, "1e19"), (2, "1e308"), (3, "99999999999999999999")]
    assert "trop grand pour un nombre entier" in too_large[0].message("fr")
    assert plan.ok  # an optional field: the value is left empty, with the warning
    plan.commit(user="tests")
    stored = corpus.read("water_points").sort_values("wp_id")
    assert stored["install_year"].tolist()[:3] == [pd.NA] * 3
    assert stored["install_year"].tolist()[3] == 2011


def test_the_cli_reports_them_without_a_traceback(tmp_path):
    from hostile import corpus_atlas

    atlas_path = corpus_atlas(tmp_path / "atlas.gpkg")
    path = tmp_path / "annees.csv"
    path.write_text("\n".join([HEADER, _row("A", "a", "1e308")]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "import", str(path), "--atlas",
                                       str(atlas_path), "--layer", "water_points",
                                       "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "'1e308' is too large for a whole number" in result.output
    assert "Traceback" not in result.output and "OverflowError" not in result.output


def test_a_frame_written_directly_with_a_huge_integer_is_refused(corpus):
    frame = badinput.seed_points()
    frame["install_year"] = pd.Series([10**19] + [2000] * (len(frame) - 1), dtype=object)
    before = state(corpus)
    with pytest.raises(StoreError) as caught:
        corpus.write("water_points", frame, user="tests")
    assert caught.value.key == "store.integer_out_of_range"
    assert "« install_year »" in caught.value.message("fr")
    assert state(corpus) == before


# -- mixed encodings ---------------------------------------------------------------------------
def _mixed_csv(path, lines: list[tuple[str, str]]):
    """Rows whose text is encoded each in its own encoding."""
    data = (HEADER + "\n").encode()
    for index, (name, encoding) in enumerate(lines):
        data += (_row(f"M{index}", name, shift=index / 100) + "\n").encode(encoding)
    path.write_bytes(data)
    return path


def test_a_cp1252_line_in_a_utf8_file_is_decoded_on_its_own(corpus, tmp_path):
    path = _mixed_csv(tmp_path / "melange.csv", [("Thiès", "utf-8"), ("Kédougou", "cp1252"),
                                                  ("Dakar", "ascii"), ("Sédhiou", "utf-8")])
    plan = import_file(corpus, path, "water_points", mode="replace")
    assert plan.files[0].source.encoding == "UTF-8"
    assert plan.frame["name"].tolist() == ["Thiès", "Kédougou", "Dakar", "Sédhiou"]
    [warning] = _issues(plan, "mixed_encoding")
    assert warning.row == 2 and warning.params["line"] == 3
    assert warning.params["encoding"] == "CP1252" and "Kédougou" in warning.value
    assert "Ligne 3 du fichier écrite en CP1252 alors que le reste est en UTF-8" \
        in warning.message("fr")
    plan.commit(user="tests")
    assert sorted(corpus.read("water_points")["name"]) == sorted(
        ["Thiès", "Kédougou", "Dakar", "Sédhiou"])


def test_a_utf8_line_in_a_cp1252_file_is_the_one_reported(corpus, tmp_path):
    path = _mixed_csv(tmp_path / "melange.csv", [("Kédougou", "cp1252"), ("Thiès", "utf-8"),
                                                  ("Ziguinchor é", "cp1252")])
    plan = import_file(corpus, path, "water_points", mode="replace")
    assert plan.files[0].source.encoding == "CP1252"
    assert plan.frame["name"].tolist() == ["Kédougou", "Thiès", "Ziguinchor é"]
    assert [(i.row, i.params["encoding"]) for i in _issues(plan, "mixed_encoding")] == [
        (2, "UTF-8")]
    assert not any("Ã" in name for name in plan.frame["name"])


def test_the_warning_names_the_row_of_a_quoted_field_over_two_lines(corpus, tmp_path):
    data = (HEADER + "\n" + _row("A", "Thiès") + "\n").encode()
    data += f'B,"Forage\nde Kédougou",forage,ok,{LAT},{LON},2010\n'.encode("cp1252")
    data += (_row("C", "Sédhiou") + "\n").encode()
    path = tmp_path / "multiligne.csv"
    path.write_bytes(data)
    plan = import_file(corpus, path, "water_points", mode="replace")
    assert plan.frame["name"].tolist()[1] == "Forage\nde Kédougou"
    assert [i.row for i in _issues(plan, "mixed_encoding")] == [2]


# -- workbook formulas ---------------------------------------------------------------------------
def _workbook(path, cached: str | None = None):
    """A workbook whose B2 holds a formula, with or without the value Excel would cache."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["code", "nom", "type", "etat", "lat", "lon"])
    sheet.append(["F1", '=CONCAT("Forage ","nord")', "forage", "ok", LAT, LON])
    sheet.append(["F2", "Puits", "forage", "ok", LAT + 0.01, LON])
    book.save(path)
    if cached is not None:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        xml = parts["xl/worksheets/sheet1.xml"].decode()
        xml = re.sub(r'<c r="B2">(<f>.*?</f>)<v\s*/>', rf'<c r="B2" t="str">\1<v>{cached}</v>',
                     xml)
        parts["xl/worksheets/sheet1.xml"] = xml.encode()
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    return path


def test_a_formula_without_a_calculated_value_is_reported(corpus, tmp_path):
    plan = import_file(corpus, _workbook(tmp_path / "formules.xlsx"), "water_points")
    [warning] = _issues(plan, "formula_without_value")
    assert (warning.row, warning.value, warning.params["columns"]) == (1, "B2", "nom")
    assert "Cellule(s) B2 : formule sans valeur calculée (colonnes : nom)" \
        in warning.message("fr")
    assert "Open the workbook in Excel or LibreOffice and save it" in warning.hint("en")
    assert plan.frame["name"].isna().tolist() == [True, False]


def test_a_formula_with_its_cached_value_is_read_as_that_value(corpus, tmp_path):
    plan = import_file(corpus, _workbook(tmp_path / "calcule.xlsx", cached="Forage nord"),
                       "water_points")
    assert _issues(plan, "formula_without_value") == []
    assert plan.frame["name"].tolist() == ["Forage nord", "Puits"]
