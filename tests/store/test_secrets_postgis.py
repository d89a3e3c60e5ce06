"""A real PostGIS atlas opened with a password never shows it (messages, repr, CLI).

The throwaway cluster trusts local connections, so a password in the address is
accepted and ignored: the address carries ``SECRET`` both as the user's password and
as a ``password=`` parameter, as people write them.
"""

from __future__ import annotations

import psycopg2
import pytest
from click.testing import CliRunner

import atlas
from atlas.cli import main
from atlas.errors import StoreError

pytestmark = pytest.mark.postgis

PASSWORD = "SECRET"


def with_password(url: str) -> str:
    """``url`` with ``SECRET`` as the user's password and as a ``password=`` parameter."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{PASSWORD}@{host}&password={PASSWORD}"


def test_an_atlas_opened_with_a_password_never_shows_it(postgis_url, tmp_path):
    url = with_password(postgis_url)
    with atlas.create(url, {"title": "Essai"}) as created:
        assert PASSWORD not in created.store.display_url
        assert PASSWORD not in repr(created)
    with pytest.raises(StoreError) as exists:
        atlas.create(url, {"title": "Essai"})
    assert exists.value.key == "store.exists" and PASSWORD not in exists.value.message("fr")
    copied = CliRunner().invoke(main, ["copy", url, str(tmp_path / "copie.gpkg")])
    assert copied.exit_code == 0, copied.output
    assert "Atlas copié de postgresql" in copied.stdout
    assert PASSWORD not in copied.stdout + copied.stderr


def test_an_upper_case_schema_is_refused_before_anything_is_created(postgis_server):
    url = with_password(f"{postgis_server}?schema=Saint_Louis")
    result = CliRunner().invoke(main, ["--lang", "en", "init", "--atlas", url])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Schema name refused")
    assert "Try schema=saint_louis." in result.stderr and PASSWORD not in result.stderr
    with psycopg2.connect(postgis_server) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_namespace WHERE lower(nspname) = 'saint_louis'")
        assert cur.fetchone()[0] == 0
