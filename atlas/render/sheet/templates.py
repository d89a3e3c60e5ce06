"""Jinja2 templates of the sheets and books, with autoescaping always on.

Territory, locality and school names come from imported files; any of them may hold
``<``, ``&`` or quotes. Autoescaping is on for every template whatever its name, so
a name is always text, never markup. Only our own CSS and JavaScript files, read from
the package, are inserted unescaped (``Markup``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ...i18n import t

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def environment() -> Environment:
    """The shared template environment (autoescape on, undefined names fail loudly)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    return env


@cache
def asset(name: str) -> Markup:
    """One of our CSS or JS files, inline and unescaped (it is ours, not data)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if "</" in text:
        # A closing tag inside an inline style or script would end it early.
        text = text.replace("</", "<\\/")
    return Markup(text)


def render(template: str, lang: str, **context: Any) -> str:
    """Render a template; ``tr(key, **params)`` translates in the sheet's language."""
    def tr(key: str, **params: object) -> str:
        return t(f"reports.{key}", lang, **params)

    return environment().get_template(template).render(
        lang=lang, tr=tr, asset=asset, **context)
