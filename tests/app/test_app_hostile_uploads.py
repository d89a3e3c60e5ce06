"""Uploads in the app (AppTest): editors only, hostile files, the size limit, nothing left on disk.

Every test gives the process its own temporary folder (``tempfile.tempdir``), so
what the app writes there, and what it leaves behind, can be listed. The hostile
files are real files of the formats they claim (or pretend) to be, written here.
"""

from __future__ import annotations

import io
import os
import secrets
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from app_support import EDITOR, PASSWORD, assert_ok, new_app

import atlas
from atlas.errors import IngestError
from atlas.ingest import import_file

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # app_pages sits beside app.py, outside the package
    sys.path.insert(0, str(ROOT))

from app_pages import uploads  # noqa: E402

PAGE = "app_pages/donnees.py"
GOOD = (b"wp_id,name,kind,technology,status,latitude,longitude\n"
        b"WPX001,Forage 1,borehole,hand_pump,functional,16.30,-16.20\n")


@pytest.fixture
def private_tmp(monkeypatch, tmp_path) -> Path:
    """A temporary folder of the test's own, where the app's upload folders go."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    uploads.reset_sweep_clock()
    return folder


@pytest.fixture
def donnees(app_env, private_tmp, monkeypatch, demo_copy):
    """The Données page of an app serving a private copy of the demo atlas."""
    monkeypatch.setenv("ATLAS_URL", demo_copy.url)
    at = new_app()
    at.switch_page(PAGE).run()
    assert_ok(at)
    return at, demo_copy


def upload_folders(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{uploads.PREFIX}*"))


def sign_in(at):
    at.sidebar.text_input(key="sign_in_name").set_value(EDITOR)
    at.sidebar.text_input(key="sign_in_password").set_value(PASSWORD)
    at.sidebar.get("form_submit_button")[0].click().run()
    assert_ok(at)
    return at


def analyse(at, name: str, content: bytes, layer: str = "water_points"):
    at.file_uploader(key="import_upload").set_value((name, content, "application/octet-stream"))
    at.run()
    at.selectbox(key="import_layer").set_value(layer)
    at.button(key="analyse_import").click().run()
    assert_ok(at)
    return at


def page_bytes(at) -> bytes:
    """Every element of the page as the browser would receive it (protobuf bytes)."""
    found: list[bytes] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            found.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"".join(found)


def revision_of(opened) -> int:
    with atlas.open(opened.url) as fresh:
        return fresh.revision


@pytest.mark.slow
def test_a_visitor_is_not_offered_the_upload(donnees, private_tmp):
    at, _ = donnees
    assert at.get("file_uploader") == []
    assert "analyse_import" not in {b.key for b in at.button}
    assert any("réservé aux éditeurs" in i.value for i in at.info)
    # The catalogue and the history stay open.
    assert "water_points" in set(at.dataframe[0].value["Couche"])
    assert upload_folders(private_tmp) == []


@pytest.mark.slow
def test_signing_out_drops_the_analysed_upload(donnees, private_tmp):
    at, _ = donnees
    sign_in(at)
    analyse(at, "points.csv", GOOD)
    assert at.session_state["import_plan"]["data"] == GOOD
    at.sidebar.button(key="sign_out").click().run()
    assert_ok(at)
    assert at.session_state["import_plan"] is None
    assert at.get("file_uploader") == []
    assert at.get("data_editor") == []  # the mapping of the file is gone with it
    assert upload_folders(private_tmp) == []


@pytest.mark.slow
def test_a_kml_that_points_gdal_at_a_server_file_shows_none_of_it(donnees, tmp_path):
    at, opened = donnees
    token = secrets.token_hex(16)
    canary = tmp_path / "secret.csv"  # a file of the server, outside any upload
    canary.write_text(f"wp_id,status,{token},latitude,longitude\n"
                      f"{token},{token},{token},16.30,-16.20\n", encoding="utf-8")
    hostile = (f'<OGRVRTDataSource><OGRVRTLayer name="secret">'
               f"<SrcDataSource>{canary}</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>")
    before = revision_of(opened)
    sign_in(at)
    analyse(at, "points.kml", hostile.encode("utf-8"))
    assert at.error, "a sentence says why the file is not read"
    assert "points.kml" in at.error[0].value
    assert token.encode("ascii") not in page_bytes(at)
    assert revision_of(opened) == before


@pytest.mark.slow
def test_a_zip_member_name_too_long_for_the_disk_is_a_sentence(donnees, private_tmp):
    at, opened = donnees
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as members:
        members.writestr("p" * 300 + ".csv", GOOD)  # 304 bytes: above any file system's 255
    before = revision_of(opened)
    sign_in(at)
    analyse(at, "longs.zip", archive.getvalue())
    assert at.exception == []
    assert len(at.error) == 1 and "longs.zip" in at.error[0].value
    assert "Traceback" not in at.error[0].value
    assert revision_of(opened) == before
    assert upload_folders(private_tmp) == []


@pytest.mark.slow
def test_a_file_above_the_import_limit_is_refused_with_the_cli_sentence(
        donnees, monkeypatch, tmp_path, private_tmp):
    at, opened = donnees
    monkeypatch.setenv("ATLAS_IMPORT_MAX_MB", "1")  # the CLI's limit too
    row = b"WPX999,Forage,borehole,tap,functional,16.3,-16.2\n"
    content = GOOD + row * (1_500_000 // len(row))  # 1.43 MB
    sign_in(at)
    at.run()
    assert at.file_uploader(key="import_upload").proto.max_upload_size_mb == 1
    analyse(at, "points.csv", content)
    shown = at.error[0].value.replace("\\", "")  # the page escapes Markdown, not words
    assert "points.csv" in shown and "1.4" in shown and "1.0" in shown
    same_file = tmp_path / "points.csv"
    same_file.write_bytes(content)
    with pytest.raises(IngestError) as refused:
        import_file(opened, same_file, "water_points", lang="fr")
    assert shown == refused.value.message("fr")
    assert at.get("data_editor") == []
    assert upload_folders(private_tmp) == []


@pytest.mark.slow
def test_no_upload_stays_on_disk_after_analyses(donnees, private_tmp):
    at, opened = donnees
    sign_in(at)
    analyse(at, "points.csv", GOOD)
    assert at.success[0].value != "" and at.get("data_editor")
    assert upload_folders(private_tmp) == []
    # A second reading, with a column chosen by hand, stages the file again, then drops it.
    fields = list(opened.spec("water_points").field_names)
    at.session_state["import_mapping"] = {
        "edited_rows": {fields.index("source_type"): {"column": "kind"}},
        "added_rows": [], "deleted_rows": []}
    at.button(key="apply_mapping").click().run()
    assert_ok(at)
    assert at.success[0].value == "Le fichier peut être enregistré dans l'atlas."
    assert upload_folders(private_tmp) == []


def test_leftover_upload_folders_past_the_age_limit_are_swept(app_env, private_tmp,
                                                              monkeypatch, demo_atlas_path,
                                                              tmp_path):
    old, recent = private_tmp / f"{uploads.PREFIX}old", private_tmp / f"{uploads.PREFIX}new"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "points.csv").write_bytes(GOOD)
    outside = tmp_path / "not-an-upload"
    outside.mkdir()
    (outside / "keep.csv").write_bytes(GOOD)
    link = private_tmp / f"{uploads.PREFIX}link"
    link.symlink_to(outside, target_is_directory=True)
    past = time.time() - uploads.MAX_AGE_S - 60
    for path in (old / "points.csv", old):
        os.utime(path, (past, past))
    os.utime(link, (past, past), follow_symlinks=False)
    monkeypatch.setenv("ATLAS_URL", str(demo_atlas_path))
    new_app()  # any visit sweeps (at most once a minute per server)
    assert not old.exists()
    assert (recent / "points.csv").read_bytes() == GOOD
    assert (outside / "keep.csv").read_bytes() == GOOD  # a link is never followed


@pytest.mark.slow
def test_the_reading_of_an_upload_shows_its_progress(donnees):
    at, _ = donnees
    sign_in(at)
    rows = b"".join(b"WPY%05d,Forage,borehole,tap,functional,16.3,-16.2\n" % i
                    for i in range(20_000))
    analyse(at, "points.csv", GOOD + rows)  # 1 MB
    bars = at.get("progress")
    assert len(bars) == 1
    assert bars[0].proto.value == 100
    assert bars[0].proto.text == "Lecture et vérification du fichier… 100 %"
