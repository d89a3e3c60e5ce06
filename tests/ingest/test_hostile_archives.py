"""Zip archives whose member names the file system cannot hold, or that contradict each
other: a sentence in French and English (exit code 2 on the command line), never
``OSError: File name too long`` or ``FileExistsError``, and nothing written.
"""

from __future__ import annotations

import zipfile

import badinput
import hostile
import pytest
from click.testing import CliRunner
from common import TEST_SETTINGS
from fixtures_ingest_files import state

import atlas
from atlas.cli import main
from atlas.errors import IngestError
from atlas.ingest import import_file

GOOD_CSV = badinput.csv_text(badinput.WP_HEADER, badinput.good_rows(2)).encode()


def _zip(path, members: list[str]):
    with zipfile.ZipFile(path, "w") as archive:
        for name in members:
            archive.writestr(name, GOOD_CSV)
    return path


CASES = {
    "long_name": (["p" * 300 + ".csv"], "ingest.archive_bad_name"),
    "long_name_in_bytes": (["é" * 130 + ".csv"], "ingest.archive_bad_name"),  # 260 bytes
    "deep_folders": (["/".join(["d" * 200] * 25) + "/points.csv"], "ingest.archive_bad_name"),
    "file_then_folder": (["pts.csv", "pts.csv/inner.csv"], "ingest.archive_conflict"),
    "folder_then_file": (["pts.csv/inner.csv", "pts.csv"], "ingest.archive_conflict"),
    "same_name_twice": (["pts.csv", "pts.csv"], "ingest.archive_conflict"),
}


@pytest.fixture
def corpus(store_url):
    with atlas.create(store_url, TEST_SETTINGS) as opened:
        opened.write("territories", badinput.territory_frame(), user="tests")
        opened.write("water_points", badinput.seed_points(), user="tests")
        yield opened


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_member_names_are_refused_with_a_sentence(corpus, tmp_path, case):
    members, key = CASES[case]
    archive = _zip(tmp_path / "envoi.zip", members)
    before = state(corpus)
    with pytest.raises(IngestError) as caught:
        import_file(corpus, archive, "water_points", mode="replace")
    error = caught.value
    assert error.key == key
    assert "envoi.zip" in error.message("fr") and "envoi.zip" in error.message("en")
    assert error.message("fr") != error.message("en")
    assert state(corpus) == before


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
@pytest.mark.parametrize("case", ["long_name", "deep_folders", "file_then_folder"])
def test_the_cli_says_so_and_exits_with_2(tmp_path, case):
    atlas_path = hostile.corpus_atlas(tmp_path / "atlas.gpkg")
    archive = _zip(tmp_path / "envoi.zip", CASES[case][0])
    result = CliRunner().invoke(main, ["--lang", "en", "import", str(archive), "--atlas",
                                       str(atlas_path), "--layer", "water_points"])
    assert result.exit_code == 2, result.output
    assert "Archive envoi.zip holds" in result.output
    assert "Traceback" not in result.output and "OSError" not in result.output


def test_an_ordinary_archive_with_folders_still_imports(corpus, tmp_path):
    archive = _zip(tmp_path / "envoi.zip", ["export/2024/points.csv"])
    plan = import_file(corpus, archive, "water_points", mode="replace")
    assert plan.ok, plan.summary("en")
    assert plan.frame["name"].tolist() == ["Point 0", "Point 1"]
