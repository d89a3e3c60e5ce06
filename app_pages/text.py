"""Values from the data reach the page as text, never as Markdown or HTML.

Streamlit reads Markdown in almost every string it draws: ``st.markdown``,
captions, titles, alerts, and the labels of buttons, widgets, metrics, expanders
and tabs. A territory named ``Korel ![px](http://host/p.png) [Mot de passe](http://…)``
in a partner's boundary file would otherwise make every viewer's browser fetch the
pixel and show a live link on a trusted page. So every value that comes from an
atlas, a file or a visitor goes through :func:`literal` (or :func:`tr_literal` for a
message with such values) before it reaches one of those calls; a folium tooltip
built by the app goes through :func:`html_literal`. Options of selectboxes and
multiselects, and dataframe cells, are drawn as plain text by Streamlit: they are
left as they are (escaping them would show the backslashes).
"""

from __future__ import annotations

import html
import logging
import re

from atlas.errors import AtlasError

from .state import lang, tr

LOG = logging.getLogger("atlas.app")
#: Characters that start Markdown or Streamlit syntax anywhere in a line: escapes,
#: code, emphasis, strikethrough, links and images (``[``), HTML and autolinks (``<``),
#: LaTeX (``$``), Streamlit's directives, icons and emoji (``:``); ``&`` only where it
#: would start a character reference. Other punctuation stays as typed, so what the
#: page holds reads like the data.
_INLINE = re.compile(r"[\\`*_~\[\]<$:]|&(?=#?\w+;)")
#: An ordered-list marker at the start of a line ("1. ", "2) ").
_NUMBERED = re.compile(r"\d{1,9}(?=[.)])")
#: Characters that are syntax only at the start of a line (headings, lists, quotes).
_LINE_MARKERS = "#+=>-"
#: Where Streamlit would still turn text into something else after the Markdown is
#: parsed (escapes do not help there): bare URLs and e-mail addresses become links,
#: ``->``, ``<=``, ``--``... become arrows and dashes. An invisible word joiner there
#: keeps the text as typed.
_AFTER_PARSE = re.compile(r"(?<=[<>=~-])(?=[<>=-])|(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)",
                          re.IGNORECASE)
_WORD_JOINER = "\u2060"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def literal(value: object) -> str:
    """``value`` as Markdown that displays exactly as the text it is (on one line)."""
    text = _CONTROL.sub(" ", "" if value is None else str(value))
    text = " ".join(text.split())  # no line breaks, no indented code blocks
    text = _AFTER_PARSE.sub(_WORD_JOINER, text)
    text = _INLINE.sub(lambda found: "\\" + found.group(0), text)
    number = _NUMBERED.match(text)
    if number:  # "1. item" would be a list
        return text[:number.end()] + "\\" + text[number.end():]
    return "\\" + text if text and text[0] in _LINE_MARKERS else text


def tr_literal(key: str, /, **params: object) -> str:
    """An app message whose parameters (names, files, values) are shown literally."""
    return tr(key, **{name: literal(value) for name, value in params.items()})


def html_literal(value: object) -> str:
    """``value`` as HTML text (folium tooltips and popups take HTML)."""
    return html.escape("" if value is None else str(value), quote=True)


def error_reason(exc: BaseException) -> str:
    """Why something failed, to fill a message: the sentence of an :class:`AtlasError`.

    Anything else is a fault of the platform, logged with its traceback for the
    administrator and named by its type only: its text may quote a file's content or
    a server path, and a traceback tells a visitor how the server is built.
    """
    if isinstance(exc, AtlasError):
        return literal(exc.message(lang()))
    LOG.error("unexpected error in the app", exc_info=exc)
    return literal(type(exc).__name__)


def error_sentence(exc: BaseException, file: str | None = None) -> str:
    """What the page says about an error (about ``file`` when one was being read)."""
    if isinstance(exc, AtlasError):
        return error_reason(exc)
    kind = error_reason(exc)
    if file is not None:
        return tr("safety.unexpected_file", file=literal(file), kind=kind)
    return tr("safety.unexpected", kind=kind)
