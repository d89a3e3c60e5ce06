"""Territory fact sheets: content equal to the diagnostics, sources under every table and
picture, offline HTML, A4 PDF, both languages, escaping, the command line."""

from __future__ import annotations

import html as html_lib
import os
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from markupsafe import escape
from pypdf import PdfReader

from atlas.cli import main as cli
from atlas.diagnostics import REGISTRY, diagnose
from atlas.i18n import t
from atlas.render import territory_sheet

CODE = "ZZ010102"  # a coastal commune: schools, water points, mangroves, activities
LADDER = {"basic", "limited", "no_service", "unknown"}
ROW = re.compile(r'<tr class="ind" data-indicator="([^"]+)" data-breakdown="([^"]*)">(.*?)</tr>',
                 re.S)
CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return html_lib.unescape(TAG.sub("", fragment)).strip()


def parse_number(shown: str, lang: str) -> tuple[float, int]:
    """A number as printed (French or English separators) and its decimals."""
    found = re.match(r"\s*(-?[\d\u00a0\u202f.,]*\d)", shown)
    assert found, shown
    cleaned = found.group(1).replace("\u00a0", "").replace("\u202f", "")
    if lang == "fr":
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    decimals = len(cleaned.split(".")[1]) if "." in cleaned else 0
    return float(cleaned), decimals


def table_rows(html: str) -> dict[tuple[str, str], list[str]]:
    return {(ind, brk): [text(c) for c in CELL.findall(body)]
            for ind, brk, body in ROW.findall(html)}


def expected_rows(table):
    """Diagnose rows a sheet must show: all but the JMP ladders (drawn as a chart and a
    table) and zero-valued breakdowns found in the data next to a declared total."""
    keep = []
    for row in table.itertuples():
        declared = {b.code for b in REGISTRY[row.indicator].breakdowns}
        if declared and declared <= LADDER:
            continue
        if declared and row.breakdown not in declared and not (row.value == row.value
                                                              and row.value != 0):
            continue
        # "0 of unknown state", and a coverage range that is one value, say nothing
        if row.breakdown == "unknown" and row.value in (0, None):
            continue
        headline = table[(table["indicator"] == row.indicator) & (table["breakdown"] == "")]
        if row.breakdown == "if_unknown_worked" and row.value == headline["value"].iloc[0]:
            continue
        keep.append(row)
    return keep


@pytest.fixture(scope="module")
def sheets(demo_atlas):
    return {lang: territory_sheet(demo_atlas, CODE, lang) for lang in ("fr", "en")}


@pytest.fixture(scope="module")
def diagnosis(demo_atlas):
    out = {}
    for lang in ("fr", "en"):
        table = diagnose(demo_atlas, level=3, territories=[CODE], lang=lang)
        out[lang] = table[table["territory_code"] == CODE]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_indicator_values_are_those_of_diagnose(sheets, diagnosis, lang):
    shown = table_rows(sheets[lang].html)
    expected = expected_rows(diagnosis[lang])
    assert len(expected) > 40
    assert {(r.indicator, r.breakdown) for r in expected} == set(shown)
    for row in expected:
        cells = shown[(row.indicator, row.breakdown)]
        label, value, unit, parent, rank, standard, status = cells
        assert label.startswith(row.label)
        for printed, wanted in ((value, row.value), (parent, row.parent_value)):
            if wanted != wanted:
                assert printed == "–", (row.indicator, printed)
                continue
            number, decimals = parse_number(printed, lang)
            assert abs(number - wanted) <= 0.5 * 10 ** -decimals + 1e-9, (row.indicator, printed)
        if pd.isna(row.rank):
            assert rank == "–"
        else:
            assert rank.replace("\u00a0", " ") == f"{int(row.rank)} / {int(row.rank_of)}"
        if row.threshold == row.threshold:
            assert standard, row.indicator
            assert status.startswith({"ok": "✔", "below": "✖", "above": "✖"}.get(
                row.status, "–")), (row.indicator, status)
        else:
            assert status.startswith("–")


def test_verdicts_are_symbols_and_words_not_colour_alone(sheets):
    html = sheets["fr"].html
    verdicts = [text(c) for c in re.findall(r'<td class="status[^"]*">(.*?)</td>', html, re.S)]
    assert any(v.startswith("✖ ") and len(v) > 3 for v in verdicts)
    assert any(v.startswith("✔ ") and len(v) > 3 for v in verdicts)
    assert all(v[0] in "✔✖–" and len(v) > 2 for v in verdicts)


def test_ladders_are_a_chart_and_a_table_of_the_diagnosed_counts(sheets, diagnosis):
    html = sheets["fr"].html
    rows = diagnosis["fr"]
    water = rows[rows["indicator"] == "sch_water_ladder"].set_index("breakdown")["value"]
    line = re.search(r"<tr><td>Eau</td>(.*?)</tr>", html, re.S)
    assert line is not None
    counts = [int(text(c).split()[0]) for c in re.findall(r"<td[^>]*>(.*?)</td>", line.group(1))]
    assert counts == [int(water[k]) for k in ("basic", "limited", "no_service", "unknown")]
    assert html.count('src="data:image/svg+xml;base64,') >= 2  # ladder and reach charts


def test_title_block_territory_parents_population_area(sheets, demo_atlas):
    html = sheets["fr"].html
    tree = demo_atlas.territories
    here = tree.get(CODE)
    assert re.search(rf"<h1[^>]*>{re.escape(html_lib.escape(here.name))}</h1>", html)
    for parent in tree.ancestors(CODE):
        assert html_lib.escape(tree.name(parent)) in html
    area = gpd.GeoSeries([tree.geometry(CODE)], crs=4326).to_crs(demo_atlas.metric_crs).area
    area_text = re.search(r"Superficie</dt><dd>([^<]+)", html).group(1)
    shown, decimals = parse_number(html_lib.unescape(area_text), "fr")
    assert abs(shown - float(area.iloc[0]) / 1e6) <= 0.05 + 1e-9
    population = re.search(r"Population</dt><dd>([^<]+)", html).group(1)
    assert parse_number(html_lib.unescape(population), "fr")[0] == here.population


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_source_line_under_every_table_chart_and_map(sheets, lang):
    html = sheets[lang].html
    pieces = html.split("</table>")[:-1]
    assert len(pieces) >= 9
    rest = html
    for _ in pieces:
        rest = rest[rest.index("</table>") + len("</table>"):]
        following = rest[:rest.find("<table")] if "<table" in rest else rest
        assert 'class="source"' in following
    figures = re.findall(r"<figure\b.*?</figure>", html, re.S)
    assert len(figures) >= 3  # map, JMP ladders, people reached
    word = "Source :" if lang == "fr" else "Source:"
    for figure in figures:
        source = re.search(r'<p class="source">(.*?)</p>', figure, re.S)
        assert source and text(source.group(1)).startswith(word)
    sources = re.findall(r'<p class="source">(.*?)</p>', html, re.S)
    assert all(re.search(r"\d{4}", text(s)) for s in sources)  # a date in every line


def test_sheet_is_one_offline_file_with_the_fictional_warning(sheets):
    for lang, sheet in sheets.items():
        html = sheet.html
        assert html_lib.escape(t("cli.fictional", lang), quote=True) in html
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
        images = re.findall(r'<img [^>]*src="([^"]+)"', html)
        assert images and all(src.startswith("data:image/") for src in images)
        assert "<link" not in html and "@import" not in html


def test_english_sheet_speaks_english(sheets):
    html = sheets["en"].html
    assert "<title>Territory fact sheet" in html and 'lang="en"' in html
    assert "Population density" in html and "Densité" not in html
    assert "Priority localities" in html


@pytest.mark.parametrize("lang", ["fr"])
def test_pdf_is_a4_with_the_same_content(sheets, tmp_path, demo_atlas, lang):
    sheet = sheets[lang]
    path = sheet.to_pdf(tmp_path / "fiche.pdf")
    reader = PdfReader(path)
    assert len(reader.pages) == sheet.page_count >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == \
        (210, 297)
    first = reader.pages[0].extract_text()
    assert demo_atlas.territories.name(CODE) in first
    assert "Données fictives" in first
    assert not list(tmp_path.glob("*.part"))
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # readable like any file, not 0600


def test_repr_html_keeps_the_sheet_in_an_iframe(sheets):
    shown = sheets["fr"]._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "<style>" not in shown


def test_names_from_the_data_are_escaped(demo_copy):
    territories = demo_copy.read("territories")
    hostile = '<b>Ndou</b> & "Co" <script>alert(1)</script>'
    territories.loc[territories["code"] == CODE, "name"] = hostile
    demo_copy.write("territories", territories)
    html = territory_sheet(demo_copy, CODE, "fr", layers=[]).html
    assert "<script>alert(1)</script>" not in html and "<b>Ndou</b>" not in html
    assert str(escape(hostile)) in html  # &lt;, &amp;, &#34;


def test_unknown_territory_is_a_clear_error(demo_atlas):
    from atlas.errors import NotFoundError

    with pytest.raises(NotFoundError) as error:
        territory_sheet(demo_atlas, "ZZ999999", "fr")
    assert "ZZ999999" in error.value.message("fr")


def test_html_file_is_the_sheet(sheets, tmp_path):
    path = sheets["en"].to_html(tmp_path / "sheet.html")
    assert path.read_text(encoding="utf-8") == sheets["en"].html
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.slow
def test_cli_writes_a_pdf_in_english(demo_atlas_path, tmp_path):
    runner = CliRunner()
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(cli, ["sheet", CODE, "--lang", "en", "-o", str(out),
                                 "--atlas", str(demo_atlas_path)])
    assert result.exit_code == 0, result.output
    pdf = PdfReader(out)
    assert len(pdf.pages) >= 2 and "Population density" in "".join(
        p.extract_text() for p in pdf.pages)
    bad = runner.invoke(cli, ["sheet", CODE, "-o", str(tmp_path / "sheet.docx"),
                              "--atlas", str(demo_atlas_path)])
    assert bad.exit_code == 2 and ".docx" in bad.output


@pytest.mark.slow
def test_a_region_sheet_compares_with_the_country(demo_atlas):
    sheet = territory_sheet(demo_atlas, "ZZ01", "en", layers=["water_points"], list_size=3)
    rows = table_rows(sheet.html)
    table = diagnose(demo_atlas, level=1, lang="en")
    mine = table[(table["territory_code"] == "ZZ01") & (table["indicator"] == "pop_total")]
    value, _ = parse_number(rows[("pop_total", "")][1], "en")
    assert abs(value - float(mine["value"].iloc[0])) <= 0.5
    assert np.isfinite(float(mine["parent_value"].iloc[0]))
