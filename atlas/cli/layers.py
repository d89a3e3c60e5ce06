"""``atlas layers``, ``atlas history``, ``atlas restore``: the layer library and its revisions."""

from __future__ import annotations

import click
import pandas as pd

from ..atlas import Atlas
from ..i18n import t
from .options import lang_of, main, with_atlas


def echo_table(frame: pd.DataFrame) -> None:
    """Print a table aligned for a terminal."""
    if frame.empty:
        click.echo(t("cli.none"))
        return
    click.echo(frame.to_string(index=False, na_rep="-"))


@main.command("layers")
@with_atlas
@click.pass_context
def layers_command(ctx: click.Context, atlas: Atlas) -> None:
    """Couches de l'atlas : nom, titre, géométrie, nombre d'entités, révision."""
    lang = lang_of(ctx)
    click.echo(t("cli.layers_header", lang, title=atlas.settings.title_in(lang)))
    if atlas.settings.fictional:
        click.echo(t("cli.fictional", lang))
    table = atlas.layers(lang)[["layer", "title", "geometry", "count", "revision"]]
    table.columns = [t(f"cli.col_{c}", lang) for c in
                     ("layer", "title", "geometry", "count", "revision")]
    table[t("cli.col_revision", lang)] = [
        "-" if pd.isna(value) else str(int(value)) for value in table[t("cli.col_revision", lang)]]
    echo_table(table)


@main.command("history")
@click.argument("layer")
@with_atlas
@click.pass_context
def history_command(ctx: click.Context, atlas: Atlas, layer: str) -> None:
    """Historique des révisions d'une couche (avec source, licence et date des données)."""
    lang = lang_of(ctx)
    click.echo(t("cli.history_header", lang, layer=layer))
    rows = [{
        t("cli.col_revision", lang): r.revision,
        t("cli.col_when", lang): r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        t("cli.col_user", lang): r.user,
        t("cli.col_mode", lang): r.mode + (f" ← {r.restored_from}" if r.restored_from else ""),
        t("cli.col_rows", lang): r.row_count,
        t("cli.col_source", lang): r.cited_source or "",
        t("cli.col_licence", lang): r.licence or "",
        t("cli.col_as_of", lang): r.as_of or "",
        t("cli.col_checksum", lang): r.checksum[:12],
    } for r in atlas.history(layer)]
    echo_table(pd.DataFrame(rows))


@main.command("restore")
@click.argument("layer")
@click.option("--revision", "-r", type=int, required=True,
              help="Révision à restaurer / revision to restore.")
@click.option("--user", default=None, help="Auteur enregistré / user recorded.")
@with_atlas
@click.pass_context
def restore_command(ctx: click.Context, atlas: Atlas, layer: str, revision: int,
                    user: str | None) -> None:
    """Restaure une couche à une révision antérieure (crée une nouvelle révision)."""
    new = atlas.restore(layer, revision, user=user)
    click.echo(t("cli.restored", lang_of(ctx), layer=layer, revision=revision,
                 new=new.revision))
