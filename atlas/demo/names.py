"""Fictional place names: pronounceable, never repeated, never a real town.

A generated atlas must not be mistaken for a real one, so names are built from
West-African-sounding syllables and checked against the region's real towns.
"""

from __future__ import annotations

import re

import numpy as np

from ..text import ascii_fold

#: Real towns of the region and beyond that a generated name must not copy.
FORBIDDEN_NAMES = {
    "dakar", "thies", "kaolack", "ziguinchor", "saint-louis", "touba", "mbour", "rufisque",
    "podor", "dagana", "matam", "bakel", "louga", "kolda", "tambacounda", "diourbel",
    "fatick", "kaffrine", "kedougou", "sedhiou", "linguere", "richard-toll", "rosso",
    "kaedi", "bogue", "nouakchott", "bamako", "kayes", "conakry", "labe", "mamou", "kindia",
    "boke", "banjul", "bissau", "segou", "mopti", "gao", "niamey", "kiffa", "atar", "safi",
    "tivaouane", "mbacke", "guediawaye", "pikine", "ndioum", "ourossogui", "kanel",
}
_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "s", "t", "w", "y", "r", "mb", "nd",
           "ng", "nj", "th", "kh", "dj", "s", "k", "d", "")
_VOWELS = ("a", "a", "a", "e", "é", "i", "i", "o", "ou", "ou")
_CODAS = ("", "", "", "", "", "l", "m", "n", "r", "k", "ng", "t")
_ENDINGS = ("ène", "aye", "ane", "é", "ou", "ar", "ol", "em", "ick", "ack", "ir", "ène",
            "ane", "el", "oum", "adji", "ba")
_SUFFIXES = (" Walo", " Diéri", " Peulh", " Escale", " Nord", " Sud")


class NameMaker:
    """Unique, pronounceable West-African-sounding place names from syllables."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def word(self) -> str:
        """One capitalised word of one to three syllables, sometimes with an ending."""
        rng = self.rng
        parts = []
        syllables = int(rng.choice([1, 2, 2, 2, 3]))
        for i in range(syllables):
            onset = _ONSETS[rng.integers(len(_ONSETS))]
            vowel = _VOWELS[rng.integers(len(_VOWELS))]
            if onset == "g" and vowel in ("e", "é", "i"):
                onset = "gu"
            parts.append(onset + vowel)
            if i < syllables - 1 and rng.random() < 0.2:
                parts.append(_CODAS[rng.integers(len(_CODAS))])
        word = "".join(parts)
        if rng.random() < 0.45:
            ending = _ENDINGS[rng.integers(len(_ENDINGS))]
            if ending[0] in "aeiouéè":
                word = word.rstrip("aeiouéè") or word
            word += ending
        else:
            word += _CODAS[rng.integers(len(_CODAS))]
        return word[:1].upper() + word[1:]

    def make(self, decorate: bool = True) -> str:
        """A name never returned before and not the name of a real big town."""
        while True:
            name = self.word()
            draw = self.rng.random()
            if decorate and draw < 0.07:
                name = "Keur " + self.word()
            elif decorate and draw < 0.15:
                name += _SUFFIXES[self.rng.integers(len(_SUFFIXES))]
            plain = ascii_key(name)
            bare = re.sub(r"[^a-z]", "", plain)
            if (not 4 <= len(bare) <= 12 or re.search(r"[aeiou]{3}|([aeio])\1", ascii_key(name))
                    or re.search(r"[^aeiou\W]{4}", bare)):
                continue
            if plain in FORBIDDEN_NAMES or plain in self.used:
                continue
            self.used.add(plain)
            return name


def ascii_key(text: str) -> str:
    """Lower-case ASCII form of a name, to compare names regardless of accents."""
    return ascii_fold(text).replace(" ", "-")
