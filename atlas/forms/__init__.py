"""Survey forms written from the layer catalogue (XLSForm for KoboToolbox and ODK).

``atlas.form(atlas, "schools", path="formulaire.xlsx")`` draws one question per field
from the layer spec (types, ranges, units, allowed values with French and English
labels, required fields), a territory cascade from the atlas's tree and the geometry
question, checks the result with pyxform and writes it. The export of the
submissions then goes back through ``atlas import`` with no ``--map``:
:mod:`atlas.forms.submissions` recognises KoboToolbox and ODK Central exports.

The loop: ``atlas form`` → KoboToolbox / ODK Central → export → ``atlas import``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .xlsform import SurveyForm, build_form

if TYPE_CHECKING:
    from ..atlas import Atlas


def form(
    atlas_or_url: Atlas | str | os.PathLike[str],
    layer: str,
    *,
    fields: str | Sequence[str] | None = None,
    territory: str | None = None,
    langs: str | Sequence[str] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> SurveyForm:
    """The survey form of ``layer``, checked by pyxform (and saved when ``path`` is given).

    ``fields`` limits the questions (``"name,status"``; the identifier and required
    fields are always asked); ``territory`` limits the territory choices to the
    territories below that code; ``langs`` are the form's languages, default first
    (``"fr,en"``, the default). ``path`` ends in ``.xlsx`` (XLSForm) or ``.xml``
    (XForm). Raises :class:`~atlas.errors.FormError` or
    :class:`~atlas.errors.NotFoundError` with a sentence for a person.
    """
    from ..atlas import Atlas
    from ..atlas import open as open_atlas

    if isinstance(atlas_or_url, Atlas):
        built = build_form(atlas_or_url, layer, fields=fields, territory=territory,
                           langs=langs)
    else:
        with open_atlas(atlas_or_url) as opened:
            built = build_form(opened, layer, fields=fields, territory=territory,
                               langs=langs)
    built.to_xform()  # pyxform refuses what KoboToolbox and ODK Central would refuse
    if path is not None:
        built.save(path)
    return built


__all__ = ["SurveyForm", "build_form", "form"]
