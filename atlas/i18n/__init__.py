"""Message catalogues: every sentence shown to a person goes through :func:`t`.

French is the default language; English is the second. Each language is a folder of
TOML files (``fr/*.toml``, ``en/*.toml``), one per part of the platform, whose tables
give dotted keys (``[store] busy = "..."`` is ``store.busy``), so translators edit
text, not code.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from ..config import DEFAULT_LANGUAGE, LANGUAGES, current

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "catalogue", "current_language", "label",
           "normalise_language", "t"]

_HERE = Path(__file__).parent


def current_language() -> str:
    """Language chosen by ``ATLAS_LANG`` (``fr`` when unset or unknown)."""
    return current().lang


def normalise_language(lang: str | None) -> str:
    """Return a supported language code, falling back to the current one."""
    if lang is None:
        return current_language()
    lang = lang.lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, keyed by dotted name."""
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(name, value)
            else:
                flat[name] = str(value)

    for path in sorted((_HERE / lang).glob("*.toml")):
        with open(path, "rb") as handle:
            walk("", tomllib.load(handle))
    return flat


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """Translate ``key`` and fill its ``{placeholders}``.

    An unknown key falls back to French, then to the key itself, so a missing
    translation never hides the message.
    """
    lang = normalise_language(lang)
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def label(labels: dict[str, str] | None, lang: str | None = None) -> str:
    """Pick the label of a ``{"fr": ..., "en": ...}`` mapping in a language."""
    if not labels:
        return ""
    lang = normalise_language(lang)
    return labels.get(lang) or labels.get(DEFAULT_LANGUAGE) or next(iter(labels.values()))
