"""Atlas addresses: a typo is a sentence in French or English that never shows the password.

The CLI is driven in-process (CliRunner, stdout and stderr apart) and as a real
subprocess with ``ATLAS_URL`` set, over several malformed addresses that all carry
the password ``SECRET``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from atlas.cli import main
from atlas.errors import AtlasError, StoreError
from atlas.masking import mask_url
from atlas.store import check_address, open_store

PASSWORD = "SECRET"
#: Malformed addresses, with the start of the English sentence each one must give.
MALFORMED = {
    "postgresql://admin:SECRET@localhost:54x2/atlas": "Invalid port",
    "postgresql://admin:SECRET@localhost:99999/atlas": "Invalid port",
    "postgresql://admin:SECRET@localhost:5432": "The address",  # ... names no database
    "postgresql://admin:SECRET@localhost:5432/atlas?schema=Saint_Louis": "Schema name refused",
    "postgis://admin:SECRET@localhost/atlas": "Unrecognised atlas address",
    "mysql://admin:SECRET@db.example/atlas": "Unrecognised atlas address",
    "postgresql://admin:SECRET": "Invalid port",
    "postgresql://admin:p@SECRET@localhost/atlas": "The address",  # ... one '@' too many
    "postgresql://admin@localhost:5432/atlas?password=SECRET&schema=9lives":
        "Schema name refused",
}


# -- the masking function --------------------------------------------------------------------

@pytest.mark.parametrize(("given", "shown"), [
    ("postgresql://admin:SECRET@db:5432/atlas", "postgresql://admin:***@db:5432/atlas"),
    ("postgresql://admin:p@ss/w:rd@db/atlas", "postgresql://admin:***@db/atlas"),
    ("postgresql://admin:SECRET", "postgresql://admin:***"),
    ("postgresql://admin@db:54x2/atlas", "postgresql://admin@db:54x2/atlas"),
    ("postgresql://u@db/atlas?sslmode=require&password=SECRET",
     "postgresql://u@db/atlas?sslmode=require&password=***"),
    ("host=db password='SE CRET' dbname=atlas", "host=db password=*** dbname=atlas"),
    ("data/demo.gpkg", "data/demo.gpkg"),
    ("postgresql://[::1]:5432/atlas", "postgresql://[::1]:5432/atlas"),
])
def test_mask_url_hides_passwords_and_nothing_else(given, shown):
    assert mask_url(given) == shown


def test_mask_url_masks_addresses_quoted_inside_a_text():
    text = "could not connect to postgresql://admin:SECRET@db/atlas: timeout"
    assert mask_url(text) == "could not connect to postgresql://admin:***@db/atlas: timeout"


def test_every_error_parameter_is_masked():
    error = StoreError("store.connect_failed", url="postgresql://a:SECRET@h/d",
                       detail="dsn host=h password=SECRET")
    assert PASSWORD not in error.message("fr") and PASSWORD not in str(error)
    assert "postgresql://a:***@h/d" in error.message("en")


# -- addresses -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", sorted(MALFORMED))
def test_malformed_addresses_are_sentences_without_the_password(url):
    with pytest.raises(StoreError) as raised:
        open_store(url)
    english, french = raised.value.message("en"), raised.value.message("fr")
    assert english.startswith(MALFORMED[url])
    assert PASSWORD not in english and PASSWORD not in french and PASSWORD not in str(
        raised.value)
    assert french != english


def test_upper_case_schema_is_refused_with_the_lower_case_name_suggested():
    with pytest.raises(StoreError) as raised:
        check_address("postgresql://admin:SECRET@db/atlas?schema=Saint-Louis")
    assert raised.value.key == "address.bad_schema"
    assert raised.value.message("en").endswith("Try schema=saint_louis.")
    assert "Essayez schema=saint_louis." in raised.value.message("fr")


def test_valid_addresses_pass_unchanged_but_for_the_scheme_case(tmp_path):
    url = "POSTGRESQL://admin:SECRET@db:5432/atlas?schema=saint_louis&sslmode=require"
    assert check_address(url) == url.replace("POSTGRESQL", "postgresql", 1)
    assert check_address("postgresql:///atlas") == "postgresql:///atlas"  # Unix socket
    assert check_address(tmp_path / "a.gpkg") == tmp_path / "a.gpkg"
    assert check_address(f"gpkg://{tmp_path}/a.GPKG") == Path(f"{tmp_path}/a.GPKG")


def test_an_empty_address_and_a_non_gpkg_file_are_sentences():
    with pytest.raises(StoreError, match="Aucune adresse"):
        open_store("  ")
    with pytest.raises(StoreError, match="non reconnue"):
        open_store("boundaries.csv")


# -- the CLI ---------------------------------------------------------------------------------

COMMANDS = {
    "layers": lambda url, tmp: ["layers", "--atlas", url],
    "init": lambda url, tmp: ["init", "--atlas", url],
    "copy-from": lambda url, tmp: ["copy", url, str(tmp / "copy.gpkg")],
    "diagnose": lambda url, tmp: ["diagnose", "--atlas", url, "--level", "1"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("url", sorted(MALFORMED))
def test_cli_reports_malformed_addresses_with_exit_2_and_no_password(url, command, tmp_path):
    result = CliRunner().invoke(main, ["--lang", "en", *COMMANDS[command](url, tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert PASSWORD not in result.stdout and PASSWORD not in result.stderr
    lines = result.stderr.splitlines()  # "copy" draws its progress label first
    assert lines[-1].startswith(f"Error: {MALFORMED[url]}")


@pytest.mark.parametrize("url", sorted(MALFORMED)[:3])
def test_cli_roles_grant_reports_malformed_addresses_without_the_password(url):
    result = CliRunner().invoke(main, ["roles", "grant", "--atlas", url, "--reader", "r1",
                                       "--writer", "w1"])
    assert result.exit_code == 2
    assert PASSWORD not in result.stdout + result.stderr
    assert result.stderr.startswith("Erreur : ")


def test_an_unreachable_database_is_a_sentence_without_the_password():
    # Port 1 on the loopback refuses at once: the driver's own message is shown, masked.
    result = CliRunner().invoke(main, ["layers", "--atlas",
                                       "postgresql://admin:SECRET@127.0.0.1:1/atlas"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Erreur : Connexion impossible à postgresql")
    assert "://admin:***@127.0.0.1:1/atlas : " in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("url", ["postgresql://admin:SECRET@localhost:54x2/atlas",
                                 "postgresql://admin:SECRET@localhost:5432/atlas?schema=A"])
def test_a_real_cli_process_with_atlas_url_prints_a_sentence(url):
    env = {**os.environ, "ATLAS_URL": url, "ATLAS_LANG": "fr"}
    done = subprocess.run([sys.executable, "-m", "atlas.cli", "layers"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert PASSWORD not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Erreur : ")


def test_atlas_errors_keep_their_class():
    with pytest.raises(AtlasError):
        open_store("postgresql://admin:SECRET@localhost:54x2/atlas")
