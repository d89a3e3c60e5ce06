"""Points whose state nobody knows: counted, kept out of rates, and a coverage range.

The tiny atlas (``tiny_atlas.py``) with every water point of SN0101 (W1, W2, W3, W4)
and the biodigester B1 set to ``unknown``, as an inventory imported with
``--set status=unknown`` would be. Expected values are arithmetic on its tables.
"""

from __future__ import annotations

import html as html_lib
import re
from math import isnan

import pytest
from tiny_atlas import build_tiny_atlas, layers

from atlas.diagnostics import diagnose
from atlas.render import territory_sheet

COMMUNES = ["SN0101", "SN0102", "SN0201", "SN0202"]
UNKNOWN_POINTS = {"W1", "W2", "W3", "W4"}


@pytest.fixture(scope="module")
def unknown_atlas(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unknown")
    with build_tiny_atlas(folder / "tiny.gpkg") as opened:
        data = layers()
        points = data["water_points"]
        points.loc[points["wp_id"].isin(UNKNOWN_POINTS), "status"] = "unknown"
        opened.write("water_points", points)
        bio = data["biodigesters"]
        bio.loc[bio["biodigester_id"] == "B1", "status"] = "unknown"
        opened.write("biodigesters", bio)
        yield opened


@pytest.fixture(scope="module")
def table(unknown_atlas):
    return diagnose(unknown_atlas, level=2, population="localities",
                    indicators=["wp_count", "wp_functional", "pop_within_500m",
                                "bio_functional"])


def cell(table, code, indicator, breakdown=""):
    rows = table[(table["territory_code"] == code) & (table["indicator"] == indicator)
                 & (table["breakdown"] == breakdown)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_points_of_unknown_state_are_counted(table):
    assert [cell(table, c, "wp_count")["value"] for c in COMMUNES] == [4, 1, 0, 1]


def test_a_territory_whose_points_are_all_unknown_has_no_rate_and_says_how_many(table):
    rate = cell(table, "SN0101", "wp_functional")
    assert isnan(rate["value"])
    assert rate["reason"] == "état inconnu pour tous (voir leur nombre)"
    unknown = cell(table, "SN0101", "wp_functional", "unknown")
    assert unknown["value"] == 4
    assert unknown["unit"] == "nb"


def test_unknown_points_leave_the_denominator_of_the_rate(table):
    # B1 unknown, B2 not working: 0 working of 1 known; SN0202: B4 works
    assert cell(table, "SN0101", "bio_functional")["value"] == 0
    assert cell(table, "SN0101", "bio_functional", "unknown")["value"] == 1
    assert cell(table, "SN0102", "bio_functional", "unknown")["value"] == 1  # B3: no state
    assert cell(table, "SN0202", "bio_functional")["value"] == 100
    assert cell(table, "SN0202", "wp_functional", "unknown")["value"] == 0


def test_coverage_counts_only_points_known_to_work(table):
    # SN0101's points are all unknown: L1, L2, L3 uncovered; in SN0202 L4 (by W4) is
    # lost and L7 stays covered by W6 (partly functional protected well)
    values = [cell(table, c, "pop_within_500m")["value"] for c in COMMUNES]
    assert values == pytest.approx([0, 0, 0, 600 / 1300 * 100])


def test_the_second_coverage_counts_the_unknown_improved_points_as_working(table):
    # L1 by W1, L2 by W3 (200 m, protected well), L3 and L4 by W4; L5's W5 is unimproved
    values = [cell(table, c, "pop_within_500m", "if_unknown_worked")["value"]
              for c in COMMUNES]
    assert values == pytest.approx([100, 0, 0, (700 + 600) / 1300 * 100])
    label = cell(table, "SN0101", "pop_within_500m", "if_unknown_worked")["label"]
    assert label.endswith("si les points d'état inconnu fonctionnaient")


def _sheet_rows(html):
    rows = re.findall(r'<tr class="ind" data-indicator="([^"]+)" data-breakdown="([^"]*)">'
                      r"(.*?)</tr>", html, re.S)
    return {(ind, brk): html_lib.unescape(re.sub(r"<[^>]+>", " ", body))
            for ind, brk, body in rows}


def test_the_sheet_shows_the_unknown_count_and_the_coverage_range(unknown_atlas):
    rows = _sheet_rows(territory_sheet(unknown_atlas, "SN0101", "fr").html)
    assert "points d'état inconnu" in rows[("wp_functional", "unknown")]
    assert re.search(r">?\s4\s", rows[("wp_functional", "unknown")])
    assert "100" in rows[("pop_within_500m", "if_unknown_worked")]


def test_a_sheet_with_every_state_known_has_no_such_rows(unknown_atlas):
    # SN0102's only point, W5, works (an unprotected well): no unknown state, and no
    # unknown improved point within reach of its localities (L5 is 300 m from W5 only)
    rows = _sheet_rows(territory_sheet(unknown_atlas, "SN0102", "fr").html)
    assert ("wp_functional", "") in rows
    assert ("wp_functional", "unknown") not in rows
    assert ("pop_within_500m", "if_unknown_worked") not in rows
