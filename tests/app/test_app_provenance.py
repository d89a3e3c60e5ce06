"""Import wizard (AppTest): the optional Source, Licence and Date des données fields.

They reach the revision like ``--source``, ``--licence`` and ``--as-of``; a date that
is not ISO is a sentence on the page, and nothing is planned.
"""

from __future__ import annotations

import pytest
from app_support import assert_ok

import atlas

GOOD = (b"wp_id,name,source_type,technology,status,latitude,longitude\n"
        b"WPX001,Forage 1,borehole,hand_pump,functional,16.30,-16.20\n"
        b"WPX002,Forage 2,borehole,tap,functional,16.31,-16.21\n")


def analyse(at, source: str, licence: str, as_of: str):
    at.file_uploader(key="import_upload").set_value(("forages.csv", GOOD, "text/csv"))
    at.run()
    at.selectbox(key="import_layer").set_value("water_points")
    at.text_input(key="import_prov_source").set_value(source)
    at.text_input(key="import_prov_licence").set_value(licence)
    at.text_input(key="import_prov_as_of").set_value(as_of)
    at.button(key="analyse_import").click().run()
    assert_ok(at)


@pytest.mark.slow
def test_the_provenance_typed_in_the_wizard_is_kept_with_the_revision(editor_app):
    at, opened = editor_app
    analyse(at, "DNH, inventaire 2024", "CC-BY 4.0", "2024-03")
    at.button(key="commit_import").click().run()
    assert_ok(at)
    with atlas.open(opened.url) as fresh:
        revision = fresh.history("water_points")[-1]
    assert revision.provenance == {"source": "DNH, inventaire 2024", "licence": "CC-BY 4.0",
                                   "as_of": "2024-03"}


@pytest.mark.slow
def test_a_date_that_is_not_iso_is_a_sentence_on_the_page(editor_app):
    at, opened = editor_app
    before = opened.revision
    analyse(at, "", "", "mars 2024")
    assert any("La date des données « mars 2024 » n'est pas comprise" in e.value
               for e in at.error)
    with atlas.open(opened.url) as fresh:
        assert fresh.revision == before
