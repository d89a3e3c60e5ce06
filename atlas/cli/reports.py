"""``atlas sheet``, ``atlas book``, ``atlas programme``: sheets and books, HTML or PDF.

Fact sheets of a territory, atlas books (a PDF to print, an HTML presentation to
project) and programme sheets; the work is in :mod:`atlas.render` and, for the
programmes' figures, :mod:`atlas.diagnostics.programmes`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..atlas import Atlas
from ..choices import BOOK_LAYOUTS, LANGUAGES
from ..i18n import normalise_language, t
from .options import lang_of, main, with_atlas

LANG_OPTION = click.option("--lang", "doc_lang", type=click.Choice(LANGUAGES), default=None,
                           help="Langue du document / document language.")


def _lang(ctx: click.Context, doc_lang: str | None) -> str:
    return normalise_language(doc_lang) if doc_lang else lang_of(ctx)


def _written(ctx: click.Context, path: Path) -> None:
    size = round(path.stat().st_size / 1000)
    click.echo(t("reports.written", lang_of(ctx), path=str(path), size=size))


def _level(text: str | None) -> int | str | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else text


@main.command("sheet")
@click.argument("code")
@LANG_OPTION
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="Fichier .html (autonome, hors ligne) ou .pdf (A4) / output file.")
@click.option("--layers", "-l", default=None,
              help="Couches de la carte, séparées par des virgules / map layers.")
@with_atlas
@click.pass_context
def sheet_command(ctx: click.Context, atlas: Atlas, code: str, doc_lang: str | None,
                  output: str, layers: str | None) -> None:
    """Fiche territoriale d'un territoire (HTML ou PDF)."""
    from ..render import territory_sheet

    sheet = territory_sheet(atlas, code, _lang(ctx, doc_lang), layers=_split(layers))
    _written(ctx, sheet.save(output))


@main.command("book")
@click.option("--parent", "-p", default=None,
              help="Territoire parent (défaut : tout l'atlas) / parent territory.")
@click.option("--level", default=None,
              help="Niveau des pages, numéro ou nom (défaut : le plus fin) / page level.")
@click.option("--sort", default="name", show_default=True,
              help="name, code ou indicator:CODE[.VENTILATION][:asc] / order of the pages.")
@click.option("--group-by", default=None,
              help="Regrouper par niveau parent (numéro ou nom) / group by a parent level.")
@click.option("--layout", type=click.Choice(BOOK_LAYOUTS), default=BOOK_LAYOUTS[0],
              show_default=True,
              help="summary : carte et chiffres clés ; map : grande carte ; sheets : fiches "
                   "complètes / page layout.")
@click.option("--layers", "-l", default=None,
              help="Couches des cartes, séparées par des virgules / map layers.")
@click.option("--workers", "-j", type=int, default=None,
              help="Processus pour le PDF (défaut : un par cœur) / PDF worker processes.")
@LANG_OPTION
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="atlas.pdf (à imprimer) ou atlas.html (présentation) / output file.")
@with_atlas
@click.pass_context
def book_command(ctx: click.Context, atlas: Atlas, parent: str | None, level: str | None,
                 sort: str, group_by: str | None, layout: str, layers: str | None,
                 workers: int | None, doc_lang: str | None, output: str) -> None:
    """Atlas : couverture, sommaire, vue d'ensemble, une page par territoire (PDF ou HTML)."""
    from ..render.book import atlas_book, parse_sort, plan_book

    lang = _lang(ctx, doc_lang)
    parse_sort(sort)
    plan = plan_book(atlas, parent=parent, level=_level(level), sort="name",
                     group_by=_level(group_by), lang=lang)
    label = t("reports.progress", lang_of(ctx), count=len(plan.entries))
    with click.progressbar(length=len(plan.entries), label=label, file=sys.stderr,
                           show_pos=True, item_show_func=lambda name: name) as bar:
        state: dict[str, Any] = {"done": 0}

        def progress(done: int, total: int, name: str) -> None:
            bar.update(done - state["done"], name)
            state["done"] = done

        written = atlas_book(atlas, output, parent=parent, level=_level(level), sort=sort,
                             group_by=_level(group_by), lang=lang, layout=layout,
                             layers=_split(layers), workers=workers, progress=progress)
    _written(ctx, written)


@main.command("programme")
@click.argument("name", required=False)
@click.option("--list", "list_only", is_flag=True,
              help="Lister les programmes présents / list the programmes found.")
@click.option("--level", default=None,
              help="Niveau des tableaux par territoire / level of the territory tables.")
@LANG_OPTION
@click.option("--output", "-o", default=None, type=click.Path(dir_okay=False),
              help="Fichier .html ou .pdf / output file.")
@with_atlas
@click.pass_context
def programme_command(ctx: click.Context, atlas: Atlas, name: str | None, list_only: bool,
                      level: str | None, doc_lang: str | None, output: str | None) -> None:
    """Fiche programme : résultats comptés, où il a agi, personnes touchées."""
    from ..diagnostics.programmes import programmes
    from ..render import programme_sheet

    lang = _lang(ctx, doc_lang)
    if list_only or name is None:
        table = programmes(atlas, lang)
        click.echo(table.to_string(index=False) if len(table) else t("cli.none", lang))
        return
    if output is None:
        raise click.UsageError(t("reports.output_required", lang_of(ctx)))
    sheet = programme_sheet(atlas, name, lang, level=_level(level))
    _written(ctx, sheet.save(output))


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]
