"""``atlas init`` and ``atlas copy``: create an empty atlas, copy one between stores."""

from __future__ import annotations

import click

from ..admin import copy, where
from ..atlas import create
from ..crs import DEFAULT_METRIC, as_crs
from ..i18n import t
from .options import atlas_option, lang_of, main


@main.command("init")
@atlas_option
@click.option("--title", default="Atlas territorial", show_default=True,
              help="Titre de l'atlas (français ; --title-en pour l'anglais).")
@click.option("--title-en", default=None, help="Title in English.")
@click.option("--metric-crs", default=DEFAULT_METRIC, show_default=True,
              help="SCR métrique des mesures (surfaces, distances).")
@click.option("--country", "countries", multiple=True, help="Code ISO2 d'un pays (répétable).")
@click.option("--levels", default="pays,région,département,commune", show_default=True,
              help="Noms des niveaux territoriaux, du plus large au plus fin.")
@click.pass_context
def init_command(ctx: click.Context, atlas_url: str, title: str, title_en: str | None,
                 metric_crs: str, countries: tuple[str, ...], levels: str) -> None:
    """Crée un atlas vide (GeoPackage ou PostGIS) avec toutes les couches du catalogue."""
    as_crs(metric_crs)
    names = [name.strip() for name in levels.split(",") if name.strip()]
    settings = {
        "title": {"fr": title, "en": title_en or title},
        "metric_crs": metric_crs,
        "countries": [c.upper() for c in countries],
        "level_names": {str(i): {"fr": name, "en": name} for i, name in enumerate(names)},
    }
    with create(atlas_url, settings) as created:
        click.echo(t("cli.init_done", lang_of(ctx), url=where(created)))


@main.command("copy")
@click.argument("source")
@click.argument("destination")
@click.option("--user", default=None, help="Auteur enregistré dans les révisions copiées.")
@click.pass_context
def copy_command(ctx: click.Context, source: str, destination: str, user: str | None) -> None:
    """Copie un atlas entier (couches, métadonnées, styles) vers un autre stockage.

    SOURCE et DESTINATION sont des fichiers .gpkg ou des URL postgresql:// ;
    la destination ne doit pas encore contenir d'atlas.
    """
    with click.progressbar(length=1, label="copie", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        def progress(layer: str, done: int, total: int) -> None:
            bar.length = total
            bar.update(1, layer)

        report = copy(source, destination, progress=progress, user=user)
    click.echo(t("cli.copy_done", lang_of(ctx), src=report["source"],
                 dst=report["destination"], layers=len(report["layers"])))
