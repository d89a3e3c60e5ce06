"""Recognising KoboToolbox and ODK Central exports, and which column feeds which field."""

from __future__ import annotations

from atlas.catalog import load_catalog
from atlas.forms.submissions import CENTRAL, KOBO, platform_of, survey_columns

WATER_POINTS = load_catalog()["water_points"]
KOBO_TAIL = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index"]
CENTRAL_HEAD = ["SubmissionDate"]
CENTRAL_TAIL = ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName",
                "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState",
                "DeviceID", "Edits", "FormVersion"]


def test_kobo_export_is_recognised_by_its_metadata_columns():
    assert platform_of(["donnees/name", *KOBO_TAIL]) == KOBO


def test_central_export_is_recognised_by_its_metadata_columns():
    assert platform_of([*CENTRAL_HEAD, "donnees-name", *CENTRAL_TAIL]) == CENTRAL


def test_one_lonely_marker_is_not_an_export():
    assert platform_of(["KEY", "name", "status"]) is None
    assert platform_of(["_uuid", "nom", "etat"]) is None


def test_table_that_is_no_export_gets_no_survey_columns():
    assert survey_columns(WATER_POINTS, ["wp_id", "status", "lat", "lon"]) is None


def test_central_group_paths_feed_the_fields_they_name():
    export = survey_columns(WATER_POINTS, [*CENTRAL_HEAD, "wp_id", "donnees-status",
                                           "donnees-source_type", *CENTRAL_TAIL])
    assert export.columns == {"wp_id": ["wp_id"], "status": ["donnees-status"],
                              "source_type": ["donnees-source_type"]}


def test_kobo_group_paths_feed_the_fields_they_name():
    export = survey_columns(WATER_POINTS, ["wp_id", "donnees/status", "lieu/_gps_latitude",
                                           *KOBO_TAIL])
    assert export.columns == {"wp_id": ["wp_id"], "status": ["donnees/status"]}


def test_questions_named_otherwise_are_left_to_the_synonyms():
    export = survey_columns(WATER_POINTS, ["pe/etat", "pe/type_source", *KOBO_TAIL])
    assert export.columns == {}
