"""Message catalogues: French and English say the same things."""

from __future__ import annotations

import re

from atlas.errors import StoreError
from atlas.i18n import catalogue, label, t


def test_every_french_message_has_an_english_translation_and_back():
    fr, en = set(catalogue("fr")), set(catalogue("en"))
    assert sorted(fr - en) == []
    assert sorted(en - fr) == []


def test_translations_use_the_same_placeholders():
    fr, en = catalogue("fr"), catalogue("en")
    def names(text):
        return set(re.findall(r"\{(\w+)\}", text))
    mismatched = [key for key in fr if names(fr[key]) != names(en.get(key, ""))]
    assert mismatched == []


def test_errors_speak_the_requested_language():
    error = StoreError("store.unknown_revision", layer="schools", revision=7)
    assert error.message("fr") == "La couche « schools » n'a pas de révision n° 7."
    assert error.message("en") == "Layer 'schools' has no revision 7."


def test_unknown_language_falls_back_to_french():
    assert t("cli.none", "de") == "aucune"


def test_label_picks_the_language_and_falls_back_to_french():
    assert label({"fr": "Forage", "en": "Borehole"}, "en") == "Borehole"
    assert label({"fr": "Forage"}, "en") == "Forage"
