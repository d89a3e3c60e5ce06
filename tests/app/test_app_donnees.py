"""Données page (AppTest): catalogue, import wizard, history, and sign-in for every write.

Uploading a file, even only to analyse it, needs a sign-in too
(tests/app/test_app_hostile_uploads.py).
"""

from __future__ import annotations

import pytest
from app_support import EDITOR, PASSWORD, assert_ok, new_app

import atlas

PAGE = "app_pages/donnees.py"
BAD = (b"wp_id,name,technology,status,latitude,longitude\n"
       b"WPX001,Forage 1,hand_pump,functional,abc,-16.20\n"
       b"WPX001,Forage 2,tap,flying,16.31,\n")
# Good rows, but the source type is in a column nobody could guess ("kind").
GOOD = (b"wp_id,name,kind,technology,status,latitude,longitude\n"
        b"WPX001,Forage 1,borehole,hand_pump,functional,16.30,-16.20\n"
        b"WPX002,Forage 2,borehole,tap,functional,16.31,-16.21\n")


@pytest.fixture
def writable_app(app_env, monkeypatch, demo_copy):
    """The Données page of an app serving a private copy of the demo atlas."""
    monkeypatch.setenv("ATLAS_URL", demo_copy.url)
    at = new_app()
    at.switch_page(PAGE).run()
    assert_ok(at)
    return at, demo_copy


def revision_of(opened) -> int:
    with atlas.open(opened.url) as fresh:  # a new connection: what is really on disk
        return fresh.revision


def upload(at, name: str, content: bytes, layer: str = "water_points"):
    at.file_uploader(key="import_upload").set_value((name, content, "text/csv"))
    at.run()
    at.selectbox(key="import_layer").set_value(layer)
    at.button(key="analyse_import").click().run()
    assert_ok(at)
    return at


def table_with(at, column: str):
    """The table of the page that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def sign_in(at, name: str, password: str):
    at.sidebar.text_input(key="sign_in_name").set_value(name)
    at.sidebar.text_input(key="sign_in_password").set_value(password)
    at.sidebar.get("form_submit_button")[0].click().run()
    assert_ok(at)
    return at


def test_catalogue_lists_every_layer_with_counts(read_only_app):
    at = read_only_app
    at.switch_page(PAGE).run()
    assert_ok(at)
    table = at.dataframe[0].value
    assert "Points d'eau" in set(table["Titre"])
    water = table.set_index("Couche").loc["water_points"]
    assert water["Entités"] == "1\u00a0010"
    assert water["Licence"]
    assert len(at.expander) >= len(table)


@pytest.mark.slow
def test_a_bad_file_shows_the_report_and_writes_nothing(writable_app):
    at, opened = writable_app
    before = revision_of(opened)
    sign_in(at, EDITOR, PASSWORD)  # even an editor cannot commit a blocked plan
    upload(at, "points.csv", BAD)
    assert "Le fichier ne peut pas être enregistré tel quel" in at.error[0].value
    report = table_with(at, "Problème")
    messages = " ".join(report["Problème"])
    assert "abc" in messages and "flying" in messages and "WPX001" in messages
    assert {m.label: m.value for m in at.metric}["Erreurs"] != "0"
    assert at.button(key="commit_import").disabled
    # An unreadable file is reported in words, not as a traceback.
    upload(at, "broken.gpkg", b"not a geopackage")
    assert at.error and "broken.gpkg" in at.error[0].value
    assert revision_of(opened) == before


@pytest.mark.slow
def test_mapping_is_adjusted_then_an_editor_commits(writable_app):
    at, opened = writable_app
    before = revision_of(opened)
    sign_in(at, EDITOR, PASSWORD)  # uploads, even only to analyse them, are for editors
    upload(at, "points.csv", GOOD)
    assert at.button(key="commit_import").disabled  # "source_type" unmapped
    fields = list(opened.spec("water_points").field_names)
    at.session_state["import_mapping"] = {
        "edited_rows": {fields.index("source_type"): {"column": "kind"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key="apply_mapping").click().run()
    assert_ok(at)
    assert at.success[0].value == "Le fichier peut être enregistré dans l'atlas."
    assert not at.button(key="commit_import").disabled
    at.button(key="commit_import").click().run()
    assert_ok(at)
    assert at.success[0].value.startswith("Import enregistré")
    assert revision_of(opened) == before + 1
    with atlas.open(opened.url) as fresh:
        assert fresh.history("water_points")[-1].user == EDITOR
        assert fresh.history("water_points")[-1].source == "points.csv"
    # The catalogue shows the new count at once (cache keyed on the revision).
    assert at.dataframe[0].value.set_index("Couche").loc["water_points", "Entités"] == \
        "1\u00a0012"


@pytest.mark.slow
def test_restore_needs_an_editor(writable_app):
    at, opened = writable_app
    opened.write("water_points", opened.read("water_points").head(5), user="test")
    at.run()
    before = revision_of(opened)
    at.selectbox(key="history_layer").set_value("water_points").run()
    assert at.button(key="restore_layer").disabled
    assert at.selectbox(key="restore_revision").disabled
    sign_in(at, EDITOR, PASSWORD)
    oldest = opened.history("water_points")[0].revision
    assert at.selectbox(key="restore_revision").options[-1].startswith(f"{oldest} · ")
    at.selectbox(key="restore_revision").set_value(oldest)
    at.checkbox(key="restore_confirm").check().run()
    assert not at.button(key="restore_layer").disabled
    at.button(key="restore_layer").click().run()
    assert_ok(at)
    assert at.success[0].value.startswith("Révision")
    with atlas.open(opened.url) as fresh:
        assert fresh.revision == before + 1
        assert fresh.count("water_points") == 1010
        assert fresh.history("water_points")[-1].user == EDITOR


@pytest.mark.slow
def test_wrong_passwords_are_refused_then_rate_limited(writable_app):
    at, _ = writable_app
    sign_in(at, EDITOR, "pas le bon")
    assert at.sidebar.error[0].value == "Nom ou mot de passe incorrect."
    assert at.session_state["editor"] is None
    for _ in range(3):
        sign_in(at, EDITOR, "pas le bon")
    sign_in(at, EDITOR, "toujours pas")
    assert "Trop d'essais" in at.sidebar.error[0].value
    sign_in(at, EDITOR, PASSWORD)  # locked: even the right password waits
    assert "Trop d'essais" in at.sidebar.error[0].value
    assert at.session_state["editor"] is None
    # The password is never kept in the session.
    assert PASSWORD not in repr(at.session_state.to_dict())
