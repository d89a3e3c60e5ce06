"""Passwords out of everything people read: one function, :func:`mask_url`.

An atlas address may carry a password (``postgresql://admin:SECRET@host/db``, or
``?password=SECRET``), and addresses end up in error messages, on the app page that
every visitor sees, in revision records and in logs. Every place that shows an
address or a message that may quote one goes through :func:`mask_url`;
:class:`atlas.errors.AtlasError` applies it to every parameter of every message.

Log records are masked too: importing this module wraps the logging record factory
(:func:`install_log_masking`), so a message or a traceback that quotes an address is
written without its password, whatever logger or handler writes it.

The masking never parses strictly (a malformed address is exactly the case where a
parser gives up and a naive message echoes the input), and it errs on the side of
hiding too much: everything between the user name and the *last* ``@`` is hidden,
since an unencoded password may itself contain ``@``, ``/`` or ``:``.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Callable
from typing import Any

MASK = "***"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
#: A URL inside a longer text (a driver message, a log line): up to the next blank.
_EMBEDDED = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+")
#: libpq's ``password=`` / ``sslpassword=`` given as a query or key=value parameter.
_PASSWORD_PARAMETER = re.compile(
    r"(?i)(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)")
_AUTHORITY_END = re.compile(r"[/?#]")


def mask_url(value: str | os.PathLike[str]) -> str:
    """``value`` with every password replaced by ``***``.

    ``value`` is either an address (then the whole string is one URL, even with
    spaces in it) or any text that may quote addresses (each ``scheme://…`` word is
    masked). Paths and texts without credentials come back unchanged.
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    if _SCHEME.match(text.strip()) and "\n" not in text.strip():
        masked = _mask_one(text)
    else:
        masked = _EMBEDDED.sub(lambda match: _mask_one(match.group()), text)
    return _PASSWORD_PARAMETER.sub(lambda match: match.group(1) + MASK, masked)


def _mask_one(url: str) -> str:
    """One URL with the password of its user information hidden."""
    scheme, _, rest = url.partition("://")
    at = rest.rfind("@")
    if at >= 0:
        user, colon, _password = rest[:at].partition(":")
        return f"{scheme}://{user}{':' + MASK if colon else ''}@{rest[at + 1:]}"
    # No "@": ``host:port``. A "port" that is not a number may be a password typed
    # without a host ("postgresql://admin:SECRET"), so it is hidden too.
    end = _AUTHORITY_END.search(rest)
    authority, tail = (rest[:end.start()], rest[end.start():]) if end else (rest, "")
    if ":" in authority and not authority.endswith("]"):
        host, _, port = authority.rpartition(":")
        if port and not port.isdigit():
            authority = f"{host}:{MASK}"
    return f"{scheme}://{authority}{tail}"


def _masked_record(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """A record factory that masks what ``make``'s records will print."""

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is the logger's business
            return record
        masked = mask_url(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters print ``exc_text`` when set: the traceback, without passwords.
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = mask_url(text)
        return record

    factory.masks_urls = True  # type: ignore[attr-defined]
    return factory


def install_log_masking() -> None:
    """Mask passwords in every log record of the process (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "masks_urls", False):
        logging.setLogRecordFactory(_masked_record(current))


install_log_masking()
