"""Text normalisation shared by the column mapper and the value mapper.

Files come from people: "Forage", "forage ", "FORAGE" and "Forâge" mean the same
thing, and a Kobo column ``ecole/Nom_école`` is the school's name. Matching is done
on folded text (no accents, no case, separators unified) so that layer specs list a
synonym once instead of every spelling.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from ..text import strip_accents

#: Cell contents that mean "no value" when they match nothing else (a category
#: code such as ``none`` is looked up first, so it is never taken for a blank).
#: The words that say "nobody knows". In a category field that declares the code
#: ``unknown`` (a water point's state, a management mode...) they are that code; in
#: any other field they are a blank, like the other null tokens.
UNKNOWN_WORDS = frozenset({
    "unknown", "inconnu", "inconnue", "etat inconnu", "statut inconnu", "nsp",
    "ne sait pas", "nr", "non renseigne", "?", "unk", "not known",
})
NULL_TOKENS = UNKNOWN_WORDS | frozenset({
    "", "na", "n/a", "n a", "nan", "null", "none", "nil", "#n/a", "-", "--", "nc",
})

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def fold(value: object) -> str:
    """Comparable form of a cell value: no accents, no case, spaces/_/- unified."""
    text = strip_accents(str(value).translate(_APOSTROPHES)).casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


def fold_column(name: object) -> str:
    """Comparable form of a column name.

    It keeps ``#``, ``:`` and ``/`` which carry meaning in WPDx (``#status_id``), OSM
    (``name:fr``) and Kobo (``group/question``).
    """
    text = strip_accents(str(name).translate(_APOSTROPHES)).casefold().strip()
    return re.sub(r"[\s\-]+", "_", text)


#: Little words that column titles add or drop ("Nom de l'école" ~ ``nom_ecole``).
_LINK_WORDS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "a", "au", "aux",
                         "en", "et", "of", "the", "in"})


def loose_column(name: object) -> str:
    """Column name without little words and punctuation, for a last-resort match."""
    words = re.split(r"[^0-9a-z#:/]+", fold_column(name).replace("_", " "))
    return "_".join(w for w in words if w and w not in _LINK_WORDS)


def last_segment(name: str) -> str:
    """Last part of a Kobo/ODK group path (``ecole/infra/nom`` → ``nom``)."""
    return name.rsplit("/", 1)[-1]


def is_blank(value: object) -> bool:
    """True for None, NaN/NaT and empty or whitespace-only text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def is_null_token(value: object) -> bool:
    """True for blanks and for the usual "no answer" words (NA, inconnu, -...)."""
    return is_blank(value) or (isinstance(value, str) and fold(value) in NULL_TOKENS)


#: Characters that would act instead of showing: C0/C1 controls (terminal escapes, NUL,
#: backspace...) and the bidirectional overrides that reorder what a reader sees.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                        "\u2066-\u2069]")


def printable(text: str) -> str:
    r"""Text whose control characters are shown as escapes (ESC as ``\x1b``), never obeyed.

    Reports quote what came from a file; a value holding an ANSI escape sequence or a
    right-to-left override must not recolour a terminal or reorder a line. Tabs and
    newlines are kept: they are layout, not commands.
    """
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def display(value: object, limit: int = 80) -> str | None:
    """A cell value as the person typed it, shortened for a report (controls escaped)."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (datetime, date)):
        text = value.isoformat()
    else:
        text = printable(str(value))
    return text if len(text) <= limit else text[:limit - 1] + "…"
