"""Import wizard (AppTest) on a borehole list without state: same value for every row,
exact duplicates left out, identical problems on one line of the report.

The list has no state column and repeats its first row; the report blocks on the
missing state; "Même valeur pour toutes les lignes" = ``unknown`` for the state (like
``--set status=unknown``) and the duplicates box (``--drop-duplicates``) let the
editor commit 2 boreholes of unknown state.
"""

from __future__ import annotations

import pytest
from app_support import assert_ok

import atlas

LIST = (b"nom,type_source,latitude,longitude\n"
        b"Forage 1,forage,16.30,-16.20\n"
        b"Forage 2,forage,16.31,-16.21\n"
        b"Forage 1,forage,16.30,-16.20\n")


def _analyse(at) -> None:
    at.file_uploader(key="import_upload").set_value(("forages.csv", LIST, "text/csv"))
    at.run()
    at.selectbox(key="import_layer").set_value("water_points")
    at.checkbox(key="import_drop_duplicates").check()
    at.button(key="analyse_import").click().run()
    assert_ok(at)


@pytest.mark.slow
def test_a_constant_state_and_dropped_duplicates_let_the_list_in(editor_app):
    at, opened = editor_app
    _analyse(at)
    assert at.session_state["import_plan"]["plan"].ok is False  # no state column
    fields = list(opened.spec("water_points").field_names)
    at.session_state["import_mapping"] = {
        "edited_rows": {fields.index("status"): {"constant": "unknown"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key="apply_mapping").click().run()
    assert_ok(at)
    plan = at.session_state["import_plan"]["plan"]
    assert plan.ok and plan.dropped_rows == [3]
    at.button(key="commit_import").click().run()
    assert_ok(at)
    with atlas.open(opened.url) as fresh:
        added = fresh.read("water_points")
        added = added[added["name"].isin(["Forage 1", "Forage 2"])]
    assert sorted(added["name"]) == ["Forage 1", "Forage 2"]
    assert set(added["status"]) == {"unknown"}


@pytest.mark.slow
def test_the_report_table_has_a_count_and_the_rows(editor_app):
    at, _ = editor_app
    _analyse(at)
    [table] = [frame.value for frame in at.dataframe
               if "Nombre" in getattr(frame.value, "columns", [])]
    assert {"Nombre", "Ligne", "Champ"} <= set(table.columns)
