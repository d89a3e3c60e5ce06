"""One family of errors whose messages are written for people, in French or English."""

from __future__ import annotations

from .i18n import t
from .masking import mask_url


class AtlasError(Exception):
    """Base of every error the platform reports to a user.

    It carries a message key and its parameters rather than a sentence, so the
    app, the CLI and the notebooks can each show it in the user's language. Text
    parameters lose any password they quote (:func:`atlas.masking.mask_url`): an
    address or a driver's message must never put one on a screen or in a log.
    """

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = {name: mask_url(value) if isinstance(value, str) else value
                       for name, value in params.items()}
        super().__init__(self.message())

    def message(self, lang: str | None = None) -> str:
        """The error as a sentence in ``lang`` (default: the current language)."""
        return t(self.key, lang, **self.params)


class CatalogError(AtlasError):
    """A layer specification is wrong; the message names the file and the key."""


class StoreError(AtlasError):
    """The store cannot be opened, read or written."""


class NotFoundError(StoreError):
    """A layer, territory or revision does not exist."""


class ConcurrentWriteError(StoreError):
    """Another writer holds the store for longer than we are willing to wait."""


class IngestError(AtlasError):
    """A file cannot be read or imported."""


class DiagnosticError(AtlasError):
    """An indicator cannot be computed."""


class FormError(AtlasError):
    """A survey form cannot be drawn from the catalogue as asked."""


class AuthError(AtlasError):
    """An editor account cannot be created or read (bad name, short password...)."""


class LimitError(AtlasError):
    """The sign-in limits cannot be applied (unwritable record, bad proxy setting)."""


class RenderError(AtlasError):
    """A map cannot be drawn or exported (bad classification, missing assets...)."""


class ReportError(RenderError):
    """A sheet or book cannot be made (unknown programme, bad sort, a territory failed)."""
