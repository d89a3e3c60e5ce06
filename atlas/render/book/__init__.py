"""The book wing: atlas books, a PDF to print and an HTML presentation to project.

:func:`plan_book` orders and groups the territories (:mod:`.plan`, :mod:`.toc`);
:func:`atlas_book` writes the book (:mod:`.build`): the front (:mod:`.front`), one
page per territory (:mod:`.pages`), rendered in worker processes (:mod:`.pool`,
:mod:`.worker`) from one snapshot of the atlas.
"""

from __future__ import annotations

from .build import atlas_book, plan_book
from .plan import BookPlan, Entry, Group, parse_sort

__all__ = ["BookPlan", "Entry", "Group", "atlas_book", "parse_sort", "plan_book"]
