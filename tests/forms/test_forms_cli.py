"""``atlas form``: the XLSForm of a layer, and the loop back through ``atlas import``."""

from __future__ import annotations

import random

from click.testing import CliRunner
from forms_support import answer_all, central_table, point_in, read_xform, write_central_csv
from pyxform.xls2xform import convert

import atlas
from atlas.cli import main


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_form_command_writes_the_xlsform_and_says_what_to_do_next(zz_gpkg, tmp_path):
    out = tmp_path / "formulaire.xlsx"
    result = run("form", "schools", "--atlas", zz_gpkg.url, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"Formulaire écrit : {out} (couche schools," in result.output
    assert "atlas import EXPORT --layer schools" in result.output
    assert 'id="schools"' in convert(xlsform=str(out)).xform


def test_form_command_options_reach_the_form(zz_gpkg, tmp_path):
    out = tmp_path / "points.xlsx"
    result = run("form", "water_points", "--atlas", zz_gpkg.url, "--fields", "pay",
                 "--territory", "ZZ1", "--lang", "en", "-o", str(out))
    assert result.exit_code == 0, result.output
    xform = convert(xlsform=str(out)).xform
    assert 'id="water_points_ZZ1"' in xform and "<pay/>" in xform
    assert "<technology/>" not in xform and "Français" not in xform


def test_unknown_field_exits_2_with_an_english_sentence_and_writes_nothing(zz_gpkg, tmp_path):
    out = tmp_path / "f.xlsx"
    result = run("--lang", "en", "form", "water_points", "--atlas", zz_gpkg.url,
                 "--fields", "debit", "-o", str(out))
    assert result.exit_code == 2
    assert "Unknown field(s) for layer 'water_points': debit." in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_wrong_output_suffix_exits_2_in_french(zz_gpkg, tmp_path):
    result = run("form", "schools", "--atlas", zz_gpkg.url, "-o", str(tmp_path / "f.pdf"))
    assert result.exit_code == 2
    assert "Le formulaire s'écrit en .xlsx (XLSForm) ou .xml (XForm)" in result.output


def test_form_then_import_of_its_central_export_needs_no_map(zz_gpkg, tmp_path):
    out = tmp_path / "points.xlsx"
    assert run("form", "water_points", "--atlas", zz_gpkg.url, "-o", str(out)).exit_code == 0
    questions = read_xform(convert(xlsform=str(out)).xform)
    rng = random.Random(3)
    submissions = answer_all(questions, 5, 3, lambda code: point_in(zz_gpkg, code, rng))
    export = write_central_csv(tmp_path / "water_points.csv",
                               central_table(questions, submissions, "1"))
    result = run("import", str(export), "--layer", "water_points", "--atlas", zz_gpkg.url)
    assert result.exit_code == 0, result.output
    with atlas.open(zz_gpkg.url) as reopened:
        assert reopened.count("water_points") == 5
