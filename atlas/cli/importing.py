"""``atlas import``: plan the import of a file into a layer, show the report, commit.

The command always plans first and prints what it found (rows, issues, the column
mapping); it writes only when the plan has no blocking error (or with
``--skip-invalid``, the valid rows) and not in ``--dry-run``. Exit code 0 when the
import was written (or would be, in a dry run), 1 when errors blocked it.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..atlas import Atlas
from ..choices import DEFAULT_WRITE_MODE, WRITE_MODES
from ..i18n import t
from ..ingest import import_file
from .options import lang_of, main, with_atlas

REPORT_SUFFIXES = (".json", ".html", ".htm")


def _check_report(ctx: click.Context, param: click.Parameter, value: Path | None
                  ) -> Path | None:
    if value is not None and value.suffix.lower() not in REPORT_SUFFIXES:
        raise click.BadParameter(t("ingest.ui.bad_report_suffix", lang_of(ctx), path=value))
    return value


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--layer", "-l", required=True, help="Couche cible / target layer.")
@click.option("--mode", type=click.Choice(WRITE_MODES), default=DEFAULT_WRITE_MODE,
              show_default=True,
              help="replace : remplace la couche ; append : ajoute ; upsert : met à jour "
                   "par identifiant et ajoute les nouveaux.")
@click.option("--map", "maps", multiple=True, metavar="CHAMP=COLONNE",
              help="Associe une colonne à un champ (répétable) ; aussi lat=, lon=, wkt=, "
                   "geopoint= ; CHAMP= pour ne rien associer.")
@click.option("--set", "constants", multiple=True, metavar="CHAMP=VALEUR",
              help="Donne la même valeur à toutes les lignes (répétable), vérifiée comme "
                   "une cellule ; l'emporte sur une colonne (ex. --set status=unknown).")
@click.option("--crs", default=None, metavar="EPSG:XXXX",
              help="Système de coordonnées du fichier s'il n'en déclare pas (ou pour le "
                   "remplacer).")
@click.option("--level", type=click.IntRange(0, 6), default=None,
              help="Niveau des territoires d'un fichier de limites (--layer territories).")
@click.option("--level-name", default=None,
              help="Nom d'un niveau de territoires que l'atlas ne connaît pas encore "
                   "(ex. arrondissement).")
@click.option("--force", is_flag=True,
              help="Remplace un niveau de territoires même si des enfants perdent leur "
                   "parent.")
@click.option("--drop-duplicates", is_flag=True,
              help="Ne garde que la première de chaque ligne en double exact.")
@click.option("--source", "source_text", default=None,
              help="Source des données, gardée avec la révision (défaut : nom du fichier).")
@click.option("--licence", default=None, help="Licence des données, gardée avec la révision.")
@click.option("--as-of", "as_of", default=None, metavar="AAAA-MM-JJ",
              help="Date à laquelle les données sont valables (défaut : date du fichier).")
@click.option("--source-layer", default=None,
              help="Couche à lire dans un fichier qui en a plusieurs (GeoPackage, zip).")
@click.option("--sheet", default=None, help="Feuille à lire dans un classeur XLSX.")
@click.option("--dry-run", is_flag=True,
              help="Vérifie et affiche le rapport sans rien écrire.")
@click.option("--skip-invalid", is_flag=True,
              help="Importe les lignes valides et liste les lignes rejetées.")
@click.option("--report", "report_path", default=None, callback=_check_report,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Enregistre le rapport complet (report.json ou report.html).")
@click.option("--user", default=None, help="Auteur enregistré dans la révision.")
@click.option("--max-issues", type=click.IntRange(0), default=20, show_default=True,
              help="Nombre de problèmes affichés.")
@with_atlas
@click.pass_context
def import_command(ctx: click.Context, atlas: Atlas, file: Path, layer: str, mode: str,
                   maps: tuple[str, ...], constants: tuple[str, ...], crs: str | None,
                   level: int | None, level_name: str | None, force: bool,
                   drop_duplicates: bool, source_text: str | None, licence: str | None,
                   as_of: str | None, source_layer: str | None, sheet: str | None,
                   dry_run: bool, skip_invalid: bool, report_path: Path | None,
                   user: str | None, max_issues: int) -> None:
    """Importe un fichier dans une couche, après vérification.

    Formats : GeoPackage, Shapefile (ou .zip), GeoJSON, KML/KMZ, FlatGeobuf, CSV, XLSX,
    exports Kobo/ODK, OSM et WPDx. Les erreurs bloquent l'import (rien n'est écrit) ;
    les avertissements non. Code de sortie 1 quand des erreurs bloquent l'import.
    """
    lang = lang_of(ctx)
    plan = import_file(atlas, file, layer, mode=mode, mapping=list(maps), crs=crs,
                       skip_invalid=skip_invalid, lang=lang, level=level,
                       source_layer=source_layer, sheet=sheet, constants=list(constants),
                       drop_duplicates=drop_duplicates, source=source_text,
                       licence=licence, as_of=as_of, level_name=level_name, force=force)
    if plan.ok and not dry_run:
        revision = plan.commit(user=user)
    click.echo(plan.summary(lang, max_issues=max_issues))
    if report_path is not None:
        if report_path.suffix.lower() == ".json":
            plan.to_json(report_path, lang)
        else:
            plan.to_html(report_path, lang)
        click.echo(t("ingest.ui.report_written", lang, path=report_path))
    if not plan.ok:
        click.echo(t("ingest.ui.nothing_written", lang), err=True)
        ctx.exit(1)
    if dry_run:
        click.echo(t("ingest.ui.dry_run", lang))
        return
    click.echo(t("ingest.ui.committed", lang, rows=revision.rows_written, layer=layer,
                 revision=revision.revision))
