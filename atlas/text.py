"""Accent and case folding: the one rule by which names are compared and sorted.

A person types "Thies" for "Thiès", "ecole" for "École"; a Latin-1 file and a UTF-8 one
spell the same commune differently. Every comparison of human text (name search, sorting
in sheets, column matching in imports, generated names in the demo) goes through these
functions, so that the same two words are equal everywhere or nowhere.
"""

from __future__ import annotations

import unicodedata


def strip_accents(text: str) -> str:
    """Text without combining accents ("Thiès" → "Thies"), case kept."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: object) -> str:
    """Lower-case text without accents ("Émile" ~ "emile"), for searching and sorting."""
    return strip_accents(str(text)).casefold()


def ascii_fold(text: object) -> str:
    """:func:`fold` reduced to ASCII: letters no decomposition explains are dropped."""
    return fold(text).encode("ascii", "ignore").decode()
