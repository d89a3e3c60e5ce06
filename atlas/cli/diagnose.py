"""``atlas diagnose``: the indicator table of a level, written to CSV, Excel or JSON."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from ..atlas import Atlas
from ..choices import POPULATION_SOURCES
from ..diagnostics import REGISTRY, diagnose
from ..errors import DiagnosticError
from ..exports import write_bytes_atomically, write_csv, write_xlsx
from ..i18n import t
from ..names import TERRITORY_FIELD
from .options import lang_of, main, with_atlas

FORMATS = (".csv", ".xlsx", ".json")


def for_people(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table with headers, themes and statuses in the user's language."""
    out = table.copy()
    for column in ("status", "theme"):
        out[column] = out[column].map(lambda code, c=column: t(f"diagnostics.{c}.{code}", lang))
    out.columns = [t(f"diagnostics.col.{c}", lang) for c in out.columns]
    return out


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Write by extension: CSV, Excel, or JSON records.

    CSV (UTF-8 with a BOM so that spreadsheet programs show accents) and Excel go
    through :mod:`atlas.exports`, so that a territory name such as ``=HYPERLINK(…)``
    is text, never a formula; JSON is UTF-8 with null for missing values. Each file is
    written whole or not at all.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DiagnosticError("diagnostics.bad_output", path=str(path))
    if suffix == ".csv":
        write_csv(table, path)
    elif suffix == ".xlsx":
        write_xlsx(table, path, sheet_name="diagnostic")
    else:
        text = table.to_json(orient="records", force_ascii=False, indent=1)
        write_bytes_atomically(text.encode("utf-8"), path)


@main.command("diagnose")
@click.option("--level", "-l", default=None,
              help="Niveau : numéro ou nom (commune, département…) / level number or name.")
@click.option("--territory", "-t", "territories", multiple=True,
              help="Territoire à garder (ses descendants au niveau) ; répétable.")
@click.option("--indicators", "-i", default=None,
              help="Codes d'indicateurs séparés par des virgules (défaut : tous).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier .csv, .xlsx ou .json (sinon : affichage).")
@click.option("--distance", type=float, default=None,
              help="Distance d'accès à l'eau en mètres (défaut : Sphere, 500 m).")
@click.option("--population", type=click.Choice(POPULATION_SOURCES),
              default="auto", show_default=True, help="Source de la population.")
@click.option("--list", "list_only", is_flag=True, help="Liste les indicateurs disponibles.")
@with_atlas
@click.pass_context
def diagnose_command(ctx: click.Context, atlas: Atlas, level: str | None,
                     territories: tuple[str, ...], indicators: str | None,
                     output: Path | None, distance: float | None, population: str,
                     list_only: bool) -> None:
    """Indicateurs par territoire d'un niveau, avec parent, rang et normes."""
    lang = lang_of(ctx)
    if list_only:
        click.echo(t("diagnostics.cli.list_header", lang))
        for item in REGISTRY.values():
            click.echo(f"  {item.code:<30} {item.theme:<12} {item.unit:<14} {item.label(lang)}")
        return
    if level is None:
        raise click.UsageError(t("diagnostics.cli.need_level", lang))
    table = diagnose(atlas, level, territories=list(territories) or None,
                     indicators=indicators, lang=lang, distance=distance,
                     population=population)
    if atlas.settings.fictional:
        click.echo(t("cli.fictional", lang), err=True)
    shown = for_people(table, lang)
    if output is None:
        click.echo(shown.to_string(index=False, na_rep="-"))
        return
    write_table(shown, output)
    click.echo(t("diagnostics.cli.written", lang, path=output, rows=len(table),
                 territories=table[TERRITORY_FIELD].nunique(),
                 indicators=table["indicator"].nunique()))
