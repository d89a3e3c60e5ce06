"""Any error that reaches a page is a sentence, never an exception box or a traceback.

An :class:`AtlasError` says what went wrong in the visitor's language; anything else
is named by its type only (its text may quote a file's content, a server path or SQL),
with the traceback in the server's log for the administrator.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path

from app_support import assert_ok, new_app

from atlas.errors import IngestError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # app_pages sits beside app.py, outside the package
    sys.path.insert(0, str(ROOT))

from app_pages.text import error_sentence  # noqa: E402


def test_an_unexpected_error_is_named_by_its_type_only(monkeypatch, caplog):
    monkeypatch.setenv("ATLAS_LANG", "en")
    fault = OSError(36, "File name too long", "/srv/atlas/tmp/atlas-import-x/secret.csv")
    with caplog.at_level(logging.ERROR, logger="atlas.app"):
        shown = error_sentence(fault, file="limites.zip")
    assert shown == ("File 'limites.zip' could not be read (OSError); nothing was saved. "
                     "Check that it really is a file of the format its name says, or tell "
                     "the atlas's administrator.")
    assert "secret.csv" in caplog.text  # the administrator's log has the details


def test_an_atlas_error_keeps_its_own_sentence(monkeypatch):
    monkeypatch.setenv("ATLAS_LANG", "fr")
    refused = IngestError("ingest.old_excel", file="tableau.xls")
    # The same sentence, its colon escaped (Streamlit would read ":word" as syntax).
    assert error_sentence(refused, file="tableau.xls") == \
        refused.message("fr").replace(" :", " \\:")


def test_a_damaged_atlas_shows_a_sentence_on_every_page(app_env, monkeypatch, demo_copy):
    with sqlite3.connect(demo_copy.url) as database:  # a layer table gone behind the app
        database.execute("DROP TABLE schools")
    monkeypatch.setenv("ATLAS_URL", demo_copy.url)
    at = new_app()  # assert_ok: no exception element
    unexpected = "Une erreur inattendue s'est produite (OperationalError)"
    assert [e.value for e in at.error if e.value.startswith(unexpected)]
    at.switch_page("app_pages/donnees.py").run()
    assert_ok(at)
    assert at.error[0].value.startswith(unexpected)
    page = " ".join(e.value for e in at.error)
    assert "schools" not in page and "SELECT" not in page
