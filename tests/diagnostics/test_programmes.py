"""Programme sheets: every figure equals a count made here, independently, with pandas on
the demo layers; tables add up; names resolve; HTML and PDF; the command line."""

from __future__ import annotations

import html as html_lib
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from atlas.cli import main as cli
from atlas.diagnostics.programmes import count_programme, programmes
from atlas.render import ReportError, programme_sheet

CODES = ("wash_schools", "biodigesters", "mangroves", "nubian_vaults", "waste",
         "youth_training")
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def layers(demo_atlas):
    return {name: pd.DataFrame(demo_atlas.read(name).drop(columns="geometry"))
            for name in ("schools", "biodigesters", "mangroves", "nubian_vaults",
                         "waste_sites", "activities")}


@pytest.fixture(scope="module")
def sheets(demo_atlas):
    return {code: programme_sheet(demo_atlas, code, "fr") for code in CODES}


def people(layers, code):
    acts = layers["activities"]
    mine = acts[acts["programme"] == code]
    women, men = mine["women"].astype("float").sum(), mine["men"].astype("float").sum()
    return {"activities": len(mine), "women_reached": women, "men_reached": men,
            "people_reached": women + men}


def expected(layers, code) -> dict[str, float]:
    """The figures, counted here without the code under test."""
    out = people(layers, code)
    if code == "wash_schools":
        schools = layers["schools"]
        equipped = schools[schools["wash_programme"].notna()]
        girls, boys = equipped["pupils_girls"].sum(), equipped["pupils_boys"].sum()
        out |= {"schools_equipped": len(equipped), "pupils_reached": girls + boys,
                "girls_reached": girls, "boys_reached": boys}
    elif code == "biodigesters":
        bio = layers["biodigesters"]
        working = bio["status"] == "working"
        out |= {"biodigesters_built": len(bio), "biodigesters_working": working.sum(),
                "biodigesters_working_share": 100 * working.sum() / bio["status"].notna().sum(),
                "volume_m3": bio["volume_m3"].sum(),
                "biogas_m3_day": bio.loc[working, "volume_m3"].sum() * 2.5 / 10}
    elif code == "mangroves":
        plots = layers["mangroves"][layers["mangroves"]["kind"] == "reforested"]
        known = plots.dropna(subset=["area_ha", "survival_rate"])
        out |= {"plots_reforested": len(plots), "hectares_reforested": plots["area_ha"].sum(),
                "survival_rate": (known["area_ha"] * known["survival_rate"]).sum()
                / known["area_ha"].sum(),
                "hectares_surviving": (known["area_ha"] * known["survival_rate"] / 100).sum()}
    elif code == "nubian_vaults":
        nv = layers["nubian_vaults"]
        done = nv[nv["stage"] == "completed"]
        out |= {"buildings_completed": len(done),
                "buildings_under_construction": (nv["stage"] == "under_construction").sum(),
                "buildings_planned": (nv["stage"] == "planned").sum(),
                "floor_area_completed": done["floor_area_m2"].sum(),
                "masons_trained": nv["masons_trained"].sum(),
                "apprentices_trained": nv["apprentices_trained"].sum()}
    elif code == "waste":
        sites = layers["waste_sites"]
        dumps = sites["site_type"] == "illegal_dump"
        gone = sites["status"].isin(["closed", "cleaned"])
        out |= {"waste_sites": len(sites), "dumps_resorbed": (dumps & gone).sum(),
                "dumps_active": (dumps & ~gone).sum(),
                "collection_points_active": (sites["site_type"].isin(
                    ["collection_point", "transfer_point"]) & ~gone).sum()}
    elif code == "youth_training":
        acts = layers["activities"]
        trained = acts[(acts["programme"] == code) & (acts["activity_type"] == "training")]
        out |= {"youths_trained": trained["women"].sum() + trained["men"].sum(),
                "young_women_trained": trained["women"].sum()}
    return {key: float(value) for key, value in out.items()}


@pytest.mark.slow
@pytest.mark.parametrize("code", CODES)
def test_figures_equal_independent_counts(sheets, layers, code):
    wanted = expected(layers, code)
    got = sheets[code].figures
    assert set(got) == set(wanted)
    for key, value in wanted.items():
        assert got[key] == pytest.approx(value, rel=1e-9), key
    assert wanted["activities"] > 0


@pytest.mark.parametrize("code", CODES)
def test_each_figure_is_printed_with_its_method(sheets, code):
    html = sheets[code].html
    cards = re.findall(r'<div class="result" data-key="([^"]+)">(.*?)</div>\s*</div>', html,
                       re.S)
    assert {key for key, _ in cards} == set(sheets[code].figures)
    for key, body in cards:
        shown = html_lib.unescape(TAG.sub(" ", re.search(
            r'<div class="figure">(.*?)</div>', body, re.S).group(1)))
        value = float(re.match(r"\s*(-?[\d\u00a0,]+)", shown).group(1)
                      .replace("\u00a0", "").replace(",", "."))
        assert value == pytest.approx(sheets[code].figures[key], abs=0.5), key
        assert "Méthode :" in body


def test_results_by_territory_and_year_add_up(sheets, layers, demo_atlas):
    tables = sheets["wash_schools"].tables
    by = tables["territory_year"]
    equipped = layers["schools"][layers["schools"]["wash_programme"].notna()]
    assert by.loc["total", "total"] == len(equipped)
    counted = equipped.groupby("territory_code").size()
    for code, count in counted.items():
        assert by.loc[code, "total"] == count
    per_year = equipped.groupby("equipped_year").size()
    for year, count in per_year.items():
        assert by.loc["total", str(year)] == count
    people_table = tables["people_territory"]
    acts = layers["activities"][layers["activities"]["programme"] == "wash_schools"]
    assert people_table.loc["total", "women"] == acts["women"].sum()
    for code, women in acts.groupby("territory_code")["women"].sum().items():
        assert people_table.loc[code, "women"] == women  # communes, and départements as such
    years = pd.to_datetime(acts["date"]).dt.year
    assert tables["people_year"].drop(index="total")["men"].sum() == acts["men"].sum()
    assert sorted(int(y) for y in tables["people_year"].index if y != "total") == \
        sorted(years.unique())


def test_waste_sites_by_type_and_status(sheets, layers):
    table = sheets["waste"].tables["type_status"]
    sites = layers["waste_sites"]
    assert table.loc["total", "total"] == len(sites)
    assert table.loc["Dépôt sauvage", "total"] == (sites["site_type"] == "illegal_dump").sum()


def test_sheet_shows_a_map_sources_and_the_warning(sheets):
    html = sheets["mangroves"].html
    assert re.search(r'<figure class="picture map main-map\s*">', html)
    assert 'src="data:image/png;base64,' in html
    assert html.count('class="source"') >= html.count("<table") + 1
    assert "Données fictives" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


def test_programme_names_resolve(demo_atlas):
    assert programme_sheet(demo_atlas, "Biogaz", "en").code == "biodigesters"
    assert programme_sheet(demo_atlas, "Projet Écoles saines", "en").code == "wash_schools"
    with pytest.raises(ReportError) as error:
        programme_sheet(demo_atlas, "Programme inconnu", "fr")
    assert "wash_schools" in error.value.message("fr")


def test_counting_is_a_diagnostic_the_sheet_only_lays_out(demo_atlas, layers, sheets):
    counted = count_programme(demo_atlas, "biodigesters", "en")
    assert counted.figures == pytest.approx(expected(layers, "biodigesters"), rel=1e-9)
    assert counted.figures == sheets["biodigesters"].figures
    assert counted.layers == ("biodigesters", "activities")
    assert all(result.method for result in counted.results)


def test_programmes_found_in_the_data(demo_atlas, layers):
    table = programmes(demo_atlas, "fr")
    assert list(table["programme"]) == list(CODES)
    schools = table.set_index("programme").loc["wash_schools"]
    assert schools["rows"] == layers["schools"]["wash_programme"].notna().sum()


@pytest.mark.slow
def test_pdf_and_cli(demo_atlas_path, tmp_path, sheets):
    runner = CliRunner()
    out = tmp_path / "wash.pdf"
    result = runner.invoke(cli, ["programme", "wash_schools", "--lang", "en", "-o", str(out),
                                 "--atlas", str(demo_atlas_path)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2 and "Schools equipped" in text and "Method:" in text
    listing = runner.invoke(cli, ["programme", "--list", "--atlas", str(demo_atlas_path)])
    assert listing.exit_code == 0 and "youth_training" in listing.output
    html = tmp_path / "bio.html"
    assert runner.invoke(cli, ["programme", "biodigesters", "-o", str(html), "--atlas",
                               str(demo_atlas_path)]).exit_code == 0
    assert "Biodigesteurs construits" in html.read_text(encoding="utf-8")
