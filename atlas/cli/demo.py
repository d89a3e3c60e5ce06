"""``atlas demo``: build the fictional demo atlas."""

from __future__ import annotations

import click

from ..demo import DEFAULT_SEED, build_demo
from ..i18n import t
from .options import lang_of, main


@main.command("demo")
@click.option("--out", "-o", default="data/demo.gpkg", show_default=True,
              type=click.Path(dir_okay=False), help="Fichier GeoPackage à écrire.")
@click.option("--seed", default=DEFAULT_SEED, show_default=True, type=int,
              help="Graine du générateur : même graine, mêmes données.")
@click.pass_context
def demo_command(ctx: click.Context, out: str, seed: int) -> None:
    """Construit l'atlas de démonstration (fictif) et son raster de population."""
    with build_demo(out, seed) as built:
        click.echo(t("cli.demo_built", lang_of(ctx), path=out, layers=len(built.catalog),
                     checksum=built.checksum()[:16]))
        click.echo(t("cli.fictional", lang_of(ctx)))
