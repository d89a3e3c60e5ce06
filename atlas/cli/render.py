"""``atlas map``: a map of a territory as one offline HTML file, or a PNG/SVG image."""

from __future__ import annotations

from pathlib import Path

import click

from ..atlas import Atlas
from ..choices import CLASSIFICATION_SCHEMES, DEFAULT_CLASSIFICATION_SCHEME, LANGUAGES
from ..i18n import normalise_language, t
from ..render import MapOptions, RenderError, export_html, territory_map
from .options import lang_of, main, with_atlas

FORMATS = (".html", ".htm", ".png", ".svg")


def _split(text: str | None) -> list[str] | None:
    """``a,b`` -> ``["a", "b"]``; None stays None (all layers)."""
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _level(text: str | None) -> int | str | None:
    """A level number ("3") or name ("commune")."""
    if text is None:
        return None
    return int(text) if text.strip().isdigit() else text


def _breaks(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(part.replace(",", ".")) for part in text.split(";") if part.strip()]
    except ValueError as exc:
        raise RenderError("render.bad_breaks", breaks=text) from exc


@main.command("map")
@click.option("--territory", "-t", default=None,
              help="Code du territoire (défaut : tout l'atlas) / territory code.")
@click.option("--layers", "-l", default=None,
              help="Couches séparées par des virgules (défaut : toutes) / comma-separated layers.")
@click.option("--indicator", "-i", default=None,
              help="Indicateur en aplats de couleur / indicator drawn as a choropleth.")
@click.option("--level", default=None,
              help="Niveau de l'indicateur (numéro ou nom) / indicator level.")
@click.option("--scheme", default=DEFAULT_CLASSIFICATION_SCHEME, show_default=True,
              type=click.Choice(CLASSIFICATION_SCHEMES),
              help="Classification / classification method.")
@click.option("--classes", "-k", default=5, show_default=True, type=int,
              help="Nombre de classes / number of classes.")
@click.option("--breaks", default=None,
              help="Bornes de classes « 10;20;50 » / class breaks.")
@click.option("--basemap", default=None,
              help="Fond de carte en ligne (osm, positron) ; aucun par défaut / online tiles.")
@click.option("--lang", "map_lang", type=click.Choice(LANGUAGES), default=None,
              help="Langue de la carte / map language.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="Fichier .html (hors ligne), .png ou .svg / output file.")
@with_atlas
@click.pass_context
def map_command(ctx: click.Context, atlas: Atlas, territory: str | None, layers: str | None,
                indicator: str | None, level: str | None, scheme: str, classes: int,
                breaks: str | None, basemap: str | None, map_lang: str | None,
                output: str) -> None:
    """Carte d'un territoire : HTML autonome (sans réseau), PNG ou SVG."""
    lang = normalise_language(map_lang) if map_lang else lang_of(ctx)
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RenderError("render.bad_format", suffix=suffix or path.name)
    options = MapOptions(layers=_split(layers), lang=lang, indicator=indicator,
                         level=_level(level), scheme=scheme, classes=classes,
                         breaks=_breaks(breaks), basemap=basemap)
    if suffix in (".png", ".svg"):
        from ..render import save_static_map

        written = save_static_map(atlas, path, territory, options=options)
    else:
        written = export_html(territory_map(atlas, territory, options=options), path, lang)
    size = round(written.stat().st_size / 1000)
    click.echo(t("render.map_written", lang, path=str(written), size=size))
