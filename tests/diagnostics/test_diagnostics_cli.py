"""``atlas diagnose``: French headers by default, English with --lang en, three formats."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from tiny_atlas import build_tiny_atlas

from atlas.cli import main


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "tiny.gpkg"
    build_tiny_atlas(path).close()
    return str(path)


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.slow
def test_csv_with_french_headers(tiny_path, tmp_path):
    out = tmp_path / "diag.csv"
    result = run("diagnose", "--atlas", tiny_path, "--level", "commune", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Diagnostic écrit" in result.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns[:4]) == ["code", "territoire", "niveau", "nom du niveau"]
    assert "situation" in table.columns and "raison" in table.columns
    assert set(table["code"]) == {"SN0101", "SN0102", "SN0201", "SN0202"}
    assert "aucune école" in set(table["raison"].dropna())
    assert set(table["situation"]) <= {"conforme", "en dessous", "au-dessus", "n.d."}


def test_english_json_for_one_territory_and_some_indicators(tiny_path, tmp_path):
    out = tmp_path / "diag.json"
    result = run("--lang", "en", "diagnose", "--atlas", tiny_path, "-l", "1", "-t", "SN02",
                 "-i", "wp_count,sch_water_basic", "-o", str(out))
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text(encoding="utf-8"))
    assert {r["code"] for r in records} == {"SN02"}
    assert [r["indicator"] for r in records] == ["wp_count", "sch_water_basic"]  # as asked
    assert records[0]["value"] == 1 and records[0]["parent value"] == 6


def test_excel_output_and_listing(tiny_path, tmp_path):
    out = tmp_path / "diag.xlsx"
    result = run("diagnose", "--atlas", tiny_path, "--level", "région", "-i", "pop_total",
                 "--population", "territories", "-o", str(out))
    assert result.exit_code == 0, result.output
    sheet = pd.read_excel(out)
    assert sheet["valeur"].tolist() == [2700, 1800]
    listing = run("diagnose", "--atlas", tiny_path, "--list")
    assert "pop_within_500m" in listing.output and "wp_load" in listing.output


def test_errors_are_sentences(tiny_path, tmp_path):
    bad = run("diagnose", "--atlas", tiny_path, "--level", "2", "-o", str(tmp_path / "x.txt"))
    assert bad.exit_code == 2 and "Format de sortie non pris en charge" in bad.output
    unknown = run("diagnose", "--atlas", tiny_path, "--level", "2", "-i", "nope")
    assert unknown.exit_code == 2 and "Indicateur inconnu" in unknown.output
    missing = run("diagnose", "--atlas", tiny_path)
    assert missing.exit_code == 2 and "--level" in missing.output
