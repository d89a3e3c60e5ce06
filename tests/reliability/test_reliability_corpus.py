"""The bad-input corpus (tests/badinput.py) against an atlas on every store.

For each case: nothing but an :class:`AtlasError` reaches the caller; every message
exists in French and English with its placeholders filled; a refused import cannot
be committed; and the atlas is exactly as before (revision, audit log, content).
Accepted cases keep what the file said verbatim, and their reports show hostile
text as text (HTML escaped, terminal controls as escapes).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import badinput
import pytest
from badinput import (
    ACCEPTED,
    CASES,
    CONTROLS,
    HOSTILE_NAMES,
    HTML_INJECTION,
    Case,
    seed_points,
    territory_frame,
)
from common import TEST_SETTINGS
from pgcluster import drop_schema, with_schema

import atlas
from atlas.errors import AtlasError, IngestError
from atlas.i18n import catalogue
from atlas.ingest import ImportPlan, import_file
from atlas.store.frames import checksum

# GDAL reads XYZM as XYZ and says so; the import drops Z and M anyway.
pytestmark = pytest.mark.filterwarnings("ignore:Measured \\(M\\) geometry:UserWarning")

#: A placeholder left unfilled in a message.
PLACEHOLDER = re.compile(r"\{\w+\}")


@pytest.fixture(scope="module", params=["gpkg", pytest.param("postgis",
                                                             marks=pytest.mark.postgis)])
def corpus_atlas(request, tmp_path_factory):
    """One atlas per store for the whole corpus (each case compares before and after)."""
    schema = None
    if request.param == "gpkg":
        url = str(tmp_path_factory.mktemp("corpus") / "corpus.gpkg")
    else:
        server = request.getfixturevalue("postgis_server")
        schema = f"corpus_{uuid.uuid4().hex[:10]}"
        url = with_schema(server, schema)
    with atlas.create(url, TEST_SETTINGS) as opened:
        opened.write("territories", territory_frame(), user="tests")
        opened.write("water_points", seed_points(), user="tests")
        yield opened
    if schema is not None:
        drop_schema(server, schema)


def snapshot(opened: atlas.Atlas, layers: tuple[str, ...]) -> tuple[Any, ...]:
    """What a refused or merely planned import must leave untouched."""
    history = [(r.revision, r.layer, r.mode, r.row_count, r.checksum)
               for r in opened.history()]
    contents = {name: (opened.count(name), checksum(opened.read(name), opened.spec(name)))
                for name in layers}
    return opened.revision, history, contents


def attempt(opened: atlas.Atlas, case: Case, folder: Path) -> ImportPlan | AtlasError:
    """Plan the case's import: a plan, or the AtlasError it raised (anything else fails)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = case.make(folder)
    try:
        return import_file(opened, path, case.layer, **case.options)
    except AtlasError as exc:
        return exc


def assert_translated(key: str, render: Any) -> None:
    """The key exists in both languages and renders to two filled-in, different sentences."""
    assert key in catalogue("fr") and key in catalogue("en"), key
    french, english = render("fr"), render("en")
    for text in (french, english):
        assert text.strip() and not PLACEHOLDER.search(text), (key, text)
    assert french != english, key


def check_messages(outcome: ImportPlan | AtlasError) -> None:
    """Every sentence the person reads exists in French and English."""
    if isinstance(outcome, AtlasError):
        assert_translated(outcome.key, outcome.message)
        return
    for issue in outcome.report.issues:
        assert_translated(f"ingest.issue.{issue.code}", issue.message)
        assert_translated(f"ingest.hint.{issue.code}", issue.hint)
    for lang in ("fr", "en"):
        summary = outcome.summary(lang, max_issues=50)
        assert not CONTROLS.search(summary), summary  # shown as escapes, never obeyed


def matched(outcome: ImportPlan | AtlasError, case: Case) -> set[str]:
    """Which of the case's expected keys or codes the outcome shows."""
    if isinstance(outcome, AtlasError):
        return {outcome.key} & set(case.expect)
    found = {i.code for i in outcome.report.issues}
    if outcome.ok:
        found.add(ACCEPTED)
    return found & set(case.expect)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_reported_and_changes_nothing(corpus_atlas, case, tmp_path):
    layers = tuple(dict.fromkeys((case.layer, "water_points")))
    before = snapshot(corpus_atlas, layers)
    outcome = attempt(corpus_atlas, case, tmp_path / case.name)
    described = outcome.key if isinstance(outcome, AtlasError) else outcome.report.counts
    assert matched(outcome, case), (case.name, described,
                                    getattr(outcome, "report", None) and
                                    [i.code for i in outcome.report.issues])
    check_messages(outcome)
    if isinstance(outcome, AtlasError):
        assert case.refused, f"{case.name} was refused: {outcome.message('en')}"
        assert isinstance(outcome, IngestError), type(outcome)
    elif case.refused:
        assert not outcome.ok, outcome.summary("en")
        with pytest.raises(IngestError) as blocked:
            outcome.commit(user="corpus")
        assert blocked.value.key == "ingest.blocked"
        assert "rien n'a été écrit" in blocked.value.message("fr")
        assert "nothing was written" in blocked.value.message("en")
    else:
        assert outcome.ok, outcome.summary("en")
        planned = outcome.frame.astype(str).to_numpy().ravel().tolist()
        for text in case.verbatim:
            assert text in planned, (case.name, text[:40])
        page = outcome.to_html(tmp_path / "report.html").read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert snapshot(corpus_atlas, layers) == before


def test_the_corpus_is_large_and_covers_every_kind_of_input():
    kinds = {case.category for case in CASES}
    assert len(CASES) >= 40
    assert {"truncated", "empty", "extension", "size", "shapefile", "crs", "coordinates",
            "geometry", "csv", "xlsx", "hostile", "extreme"} <= kinds
    assert len({case.name for case in CASES}) == len(CASES)


# -- a sample of exact sentences, in both languages -------------------------------------------
SAMPLE = {
    "kmz_bomb": ("trop grosse ou piégée", "too large or booby-trapped"),
    "sparse_huge_file": ("pèse 300.0 Mo, au-delà de la limite de 200.0 Mo",
                         "is 300.0 MB, above the 200.0 MB limit"),
    "shp_missing_shx": ("est incomplet, il manque : points.shx",
                        "is incomplete, missing: points.shx"),
    "geojson_deep_nesting": ("Impossible de lire profond.geojson", "Cannot read profond.geojson"),
    "geojson_nan_coordinates": ("Coordonnées non numériques (NaN ou infini)",
                                "Coordinates that are not numbers (NaN or infinite)"),
    "csv_nan_inf_coordinates": ("Coordonnée illisible dans la colonne « lat » : « nan »",
                                "'lat'"),
    "shp_garbage_prj": ("prj, qui décrit le système de coordonnées, est illisible",
                        "which describes the coordinate reference system, is unreadable"),
    "csv_nul_bytes": ("Caractère nul invisible (\\0) retiré", "Invisible NUL character (\\0)"),
    "geojson_unknown_crs": ("système de coordonnées inconnu (« EPSG:99999999 »)",
                            "unknown coordinate reference system ('EPSG:99999999')"),
}


@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_sample_messages_in_french_and_english(corpus_atlas, name, tmp_path):
    case = next(c for c in CASES if c.name == name)
    outcome = attempt(corpus_atlas, case, tmp_path)
    if isinstance(outcome, AtlasError):
        texts = {"fr": outcome.message("fr"), "en": outcome.message("en")}
    else:
        texts = {lang: "\n".join(i.message(lang) for i in outcome.report.issues)
                 for lang in ("fr", "en")}
    french, english = SAMPLE[name]
    assert french in texts["fr"], texts["fr"]
    assert english in texts["en"], texts["en"]


# -- accepted hostile input, committed: stored verbatim, shown as text ------------------------
def test_hostile_and_extreme_values_round_trip_through_an_import(corpus_atlas, tmp_path):
    written = {}
    for name in ("csv_hostile_strings", "csv_long_values", "csv_nul_bytes",
                 "csv_utf16_excel_unicode_text"):
        case = next(c for c in CASES if c.name == name)
        before = corpus_atlas.revision
        plan = import_file(corpus_atlas, case.make(tmp_path), case.layer, mode="replace")
        revision = plan.commit(user=HOSTILE_NAMES[0])
        assert revision.revision == before + 1 and revision.user == HOSTILE_NAMES[0]
        stored = corpus_atlas.read("water_points")
        assert stored["name"].tolist() == plan.frame["name"].tolist()
        written[name] = stored["name"].tolist()
    assert written["csv_hostile_strings"] == list(HOSTILE_NAMES)
    assert written["csv_long_values"] == ["x" * 200_000, "é" * 50_000]
    assert written["csv_nul_bytes"] == ["nuloctet", "ok"]
    assert written["csv_utf16_excel_unicode_text"] == ["Thiès", "Kédougou"]


def test_a_hostile_file_name_is_recorded_verbatim_and_shown_as_text(corpus_atlas, tmp_path):
    name = f"{HTML_INJECTION}\x1b[2J;'--.csv".replace("/", "∕")
    path = tmp_path / name
    path.write_text(badinput.csv_text(badinput.WP_HEADER, badinput.good_rows(1)),
                    encoding="utf-8")
    plan = import_file(corpus_atlas, path, "water_points", mode="replace")
    assert plan.ok, plan.summary("en")
    summary = plan.summary("fr")
    assert not CONTROLS.search(summary) and "\\x1b[2J" in summary
    page = plan.to_html(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page and "&lt;script&gt;window.__pwned" in page
    assert plan.commit().source == name
    assert corpus_atlas.history("water_points")[-1].source == name
