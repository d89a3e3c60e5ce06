"""Every output on a first-week atlas (``sparse_atlas.py``), on both stores.

Boundaries of three levels, villages without population or kind, boreholes of unknown
state, every other layer empty: each command and API call gives a useful result or a
sentence, never a traceback; empty layers are left out with a line saying so; sources
are the files imported, with their dates, never the catalogue's description.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.collections import PathCollection
from pypdf import PdfReader
from sparse_atlas import (
    BOREHOLES,
    BOUNDARIES,
    COMMUNES,
    LOCALITIES,
    POINTS,
    UNITS,
    VILLAGES,
    sparse_url,
)

import atlas
from atlas.cli import main as cli
from atlas.diagnostics import diagnose
from atlas.render import legend_texts, plan_book, static_map, territory_map, territory_sheet
from atlas.render.book.toc import paginate, toc_lines

COMMUNE = COMMUNES[0]
REGION = "SEN.1_1"
BOILERPLATE = ("OCHA", "COD-AB", "WPDx", "OpenStreetMap", "HDX")


@pytest.fixture(scope="module",
                params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def sparse(request, tmp_path_factory):
    with sparse_url(request, tmp_path_factory.mktemp("sparse")) as url, \
            atlas.open(url) as opened:
        yield opened


def run(sparse, *args: str):
    result = CliRunner().invoke(cli, ["--lang", "fr", *args, "--atlas", sparse.url])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.output
    return result


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_diagnose_writes_csv_and_xlsx(sparse, tmp_path):
    for name in ("diag.csv", "diag.xlsx"):
        result = run(sparse, "diagnose", "--level", "commune", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 0
    table = pd.read_csv(tmp_path / "diag.csv", sep=";", decimal=",")
    assert len(table) > 0


def test_every_commune_counts_its_villages_and_boreholes(sparse):
    table = diagnose(sparse, level="commune", indicators=["loc_count", "wp_count",
                                                          "wp_functional"])
    mine = table.set_index(["territory_code", "indicator", "breakdown"])["value"]
    for code in COMMUNES:
        assert mine[(code, "loc_count", "")] == VILLAGES
        assert mine[(code, "wp_count", "")] == POINTS
        assert pd.isna(mine[(code, "wp_functional", "")])
        assert mine[(code, "wp_functional", "unknown")] == POINTS


def test_html_and_png_maps(sparse, tmp_path):
    for name in ("carte.html", "carte.png"):
        result = run(sparse, "map", "-t", REGION, "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 1000
    page = (tmp_path / "carte.html").read_text("utf-8")
    assert BOREHOLES[0] in page and BOUNDARIES[0] in page


def test_villages_without_kind_are_drawn_with_a_legend_line(sparse):
    figure = static_map(sparse, COMMUNE, layers=["localities"], size=(800, 600), dpi=100)
    drawn = sum(len(c.get_offsets()) for c in figure.axes[0].collections
                if isinstance(c, PathCollection))
    assert drawn >= VILLAGES  # the commune's five villages at least
    assert f"Non renseigné ({VILLAGES})" in legend_texts(figure)


def test_the_html_map_legend_counts_the_villages_without_kind(sparse):
    page = territory_map(sparse, COMMUNE, layers=["localities"]).get_root().render()
    assert f"Non renseigné ({VILLAGES})" in page


def test_sheet_html_and_pdf_cite_the_imported_files(sparse, tmp_path):
    for name in ("fiche.html", "fiche.pdf"):
        result = run(sparse, "sheet", COMMUNE, "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "fiche.pdf")
    flat = re.sub(r"\s+", " ", text)
    for source, as_of in (BOUNDARIES, LOCALITIES, BOREHOLES):
        assert f"{source} ({as_of})" in flat
    assert "données de mars 2023" in flat  # the boreholes' --as-of 2023-03
    for word in BOILERPLATE:
        assert word not in flat


def test_the_sheet_leaves_empty_layers_out_with_one_line(sparse):
    html = territory_sheet(sparse, COMMUNE, "fr").html
    assert 'data-theme="water"' in html and 'data-theme="education"' not in html
    assert "Couches encore sans données dans cet atlas" in html
    assert "Écoles" in html.split("Couches encore sans données")[1]


def test_the_sheet_says_unknown_states_and_no_people(sparse):
    html = territory_sheet(sparse, COMMUNE, "fr").html
    assert "état inconnu pour tous" in html
    assert "population des localités non renseignée" in html


def test_the_pdf_book_has_one_page_per_commune_plus_front_matter(sparse, tmp_path):
    result = run(sparse, "book", "--parent", REGION, "--group-by", "département",
                 "-o", str(tmp_path / "atlas.pdf"))
    assert result.exit_code == 0, result.output
    plan = plan_book(sparse, parent=REGION, group_by="département", lang="fr")
    front = 1 + len(paginate(toc_lines(plan, "x"))) + 1
    reader = PdfReader(tmp_path / "atlas.pdf")
    mine = [c for c in COMMUNES if c.startswith("SEN.1.")]
    assert len(reader.pages) == front + len(mine) == front + 4
    texts = [page.extract_text() for page in reader.pages]
    for number, code in enumerate(sorted(mine, key=lambda c: UNITS[c][1]), start=1):
        assert UNITS[code][1] in texts[front - 1 + number]


def test_the_html_book_works_too(sparse, tmp_path):
    result = run(sparse, "book", "--parent", REGION, "-o", str(tmp_path / "atlas.html"))
    assert result.exit_code == 0, result.output
    assert UNITS[COMMUNE][1] in (tmp_path / "atlas.html").read_text("utf-8")


def test_a_programme_sheet_without_activities_is_a_sentence(sparse, tmp_path):
    result = run(sparse, "programme", "EHA", "-o", str(tmp_path / "p.html"))
    assert result.exit_code != 0
    assert "Programme inconnu" in result.output


def test_the_python_api_gives_a_map_and_a_sheet(sparse):
    assert territory_map(sparse, REGION) is not None
    sheet = territory_sheet(sparse, REGION, "en")
    assert UNITS[REGION][1] in sheet.html


def test_book_page_maps_draw_the_villages_without_kind(sparse):
    from atlas.render.book.pages import page_map_options
    from atlas.render.map.bulk import PageMaps

    snapshot = sparse.snapshot()
    maps = PageMaps(snapshot, page_map_options(snapshot, "summary", ["localities"], "fr",
                                               slide=False))
    figure = maps.figure(COMMUNE)
    drawn = sum(len(c.get_offsets()) for c in figure.axes[0].collections
                if isinstance(c, PathCollection))
    assert drawn >= VILLAGES


def test_without_population_every_population_figure_is_na_with_what_to_import(sparse):
    table = diagnose(sparse, level="commune", lang="fr", indicators=[
        "pop_total", "wp_per_1000", "pop_within_500m", "wp_load", "loc_population"])
    assert table["value"].isna().all()  # never 0 people
    assert table["rank"].isna().all()  # never ranked
    for reason in table["reason"]:
        assert "importez" in reason or reason == "population des localités non renseignée"
