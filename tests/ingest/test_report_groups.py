"""Reports group identical issues (issue #16 item 7) and say what --skip-invalid leaves out.

A water-point list of 30 rows where rows 3, 5, 7 … 25 (12 rows) say « réservoir », a
source type the layer does not know: one line with the count and the first rows, in the
terminal, the HTML page, the JSON report and the app's table.
"""

from __future__ import annotations

import json

from fixtures_ingest_files import THIES, write_csv

from atlas.ingest import import_file

BAD_ROWS = list(range(3, 27, 2))  # 12 rows


def _file(tmp_path):
    rows = [[f"P{i}", "réservoir" if i in BAD_ROWS else "forage", "fonctionnel",
             THIES[1] + i * 1e-3, THIES[0]] for i in range(1, 31)]
    return write_csv(tmp_path / "pe.csv", ["code", "type_source", "etat", "lat", "lon"], rows)


def test_identical_issues_are_one_group_with_their_rows(sn_atlas, tmp_path):
    plan = import_file(sn_atlas, _file(tmp_path), "water_points")
    assert len(plan.report.issues) == 12
    [group] = plan.report.groups()
    assert (group.first.code, group.first.field, group.first.value) == (
        "unknown_category", "source_type", "réservoir")
    assert group.count == 12 and list(group.rows) == BAD_ROWS
    assert group.rows_text("fr") == "3, 5, 7, 9, 11, 13, 15, 17, 19, 21 … (+2)"


def test_different_values_are_different_groups(sn_atlas, tmp_path):
    rows = [["P1", "réservoir", "ok", THIES[1], THIES[0]],
            ["P2", "motopompe", "ok", THIES[1] + 1e-3, THIES[0]],
            ["P3", "réservoir", "ok", THIES[1] + 2e-3, THIES[0]]]
    path = write_csv(tmp_path / "pe.csv", ["code", "type_source", "etat", "lat", "lon"], rows)
    groups = import_file(sn_atlas, path, "water_points").report.groups()
    assert [(g.first.value, list(g.rows)) for g in groups] == [("réservoir", [1, 3]),
                                                              ("motopompe", [2])]


def test_the_terminal_shows_one_line_and_what_skip_invalid_would_leave_out(sn_atlas,
                                                                           tmp_path):
    text = import_file(sn_atlas, _file(tmp_path), "water_points").summary("fr")
    lines = [line for line in text.splitlines() if "« réservoir »" in line]
    assert len(lines) == 1
    assert "12" in lines[0] and "3, 5, 7" in lines[0]
    assert text.splitlines()[-1] == (
        "Import bloqué : 12 ligne(s) sur 30 ont une erreur ; --skip-invalid les laisserait "
        "de côté et importerait les 18 autres.")


def test_json_and_html_reports_carry_the_groups(sn_atlas, tmp_path):
    plan = import_file(sn_atlas, _file(tmp_path), "water_points")
    data = json.loads(plan.to_json(tmp_path / "rapport.json").read_text("utf-8"))
    assert len(data["issues"]) == 12
    [group] = data["grouped_issues"]
    assert group["count"] == 12 and group["rows"] == BAD_ROWS
    page = plan.to_html(tmp_path / "rapport.html").read_text("utf-8")
    assert page.count("« réservoir »") == 1


def test_the_app_table_has_one_line_per_group(sn_atlas, tmp_path):
    frame = import_file(sn_atlas, _file(tmp_path), "water_points").report.to_grouped_frame()
    assert frame[["count", "rows", "field", "value"]].values.tolist() == [
        [12, "3, 5, 7, 9, 11, 13, 15, 17, 19, 21 … (+2)", "source_type", "réservoir"]]
