"""Log records never carry a password: messages, arguments and tracebacks are masked."""

from __future__ import annotations

import logging

import atlas  # noqa: F401 - importing the platform installs the masking

PASSWORD = "SECRET"


def test_a_logged_address_is_masked(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("atlas.app").info("opening %s", "postgresql://admin:SECRET@db/atlas")
    assert caplog.messages == ["opening postgresql://admin:***@db/atlas"]


def test_a_logged_traceback_is_masked(caplog):
    try:
        raise RuntimeError("cannot reach postgresql://admin:SECRET@db:5432/atlas")
    except RuntimeError as exc:
        logging.getLogger("sqlalchemy.pool").error("failed", exc_info=exc)
    assert "RuntimeError: cannot reach postgresql://admin:***@db:5432/atlas" in caplog.text
    assert PASSWORD not in caplog.text


def test_records_without_secrets_are_left_as_they_are(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("atlas").info("%d layers in %s", 3, "data/demo.gpkg")
    assert caplog.records[0].args == (3, "data/demo.gpkg")
    assert caplog.messages == ["3 layers in data/demo.gpkg"]
