"""Every page of the app on a first-week atlas (``sparse_atlas.py``), on both stores.

Boundaries, villages without population or kind, boreholes of unknown state, every
other layer empty: each page shows what there is, and no page shows an exception.
"""

from __future__ import annotations

import pytest
from app_support import assert_ok, new_app
from sparse_atlas import COMMUNES, UNITS, sparse_url

PAGES = ("app_pages/carte.py", "app_pages/fiche.py", "app_pages/donnees.py",
         "app_pages/atelier.py")


@pytest.fixture(scope="module",
                params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def served_url(request, tmp_path_factory):
    with sparse_url(request, tmp_path_factory.mktemp("sparse_app")) as url:
        yield url


def _choose_commune(at) -> None:
    """The hierarchy pickers of the sidebar, région → département → commune."""
    code = COMMUNES[0]
    chain = []
    while code is not None:
        chain.append(code)
        code = UNITS[code][2]
    for code in reversed(chain):
        at.sidebar.selectbox(key=f"pick_{UNITS[code][0]}").set_value(code).run()
        assert_ok(at)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_the_sparse_atlas(app_env, monkeypatch, served_url, page):
    monkeypatch.setenv("ATLAS_URL", served_url)
    at = new_app()
    at.switch_page(page).run()
    assert_ok(at)


@pytest.mark.slow
def test_the_sheet_page_of_a_commune_says_what_is_missing(app_env, monkeypatch, served_url):
    monkeypatch.setenv("ATLAS_URL", served_url)
    at = new_app()
    at.switch_page("app_pages/fiche.py").run()
    assert_ok(at)
    _choose_commune(at)
    assert UNITS[COMMUNES[0]][1] in at.subheader[0].value
    [table] = [frame.value for frame in at.dataframe]
    labels = " ".join(table["Indicateur"])
    assert "Points d'eau" in labels and "Localités" in labels
    assert "École" not in labels and "Mangrove" not in labels  # empty layers left out
    reasons = dict(zip(table["Indicateur"], table["Pourquoi pas de valeur"], strict=True))
    assert reasons["Taux de fonctionnement des points d'eau"] == \
        "état inconnu pour tous (voir leur nombre)"
    captions = " ".join(c.value for c in at.caption)
    assert "Couches encore sans données" in captions and "Écoles" in captions
