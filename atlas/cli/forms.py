"""``atlas form``: the survey form of a layer (XLSForm) for KoboToolbox or ODK Central.

The form is drawn from the layer spec and the atlas's territory tree, checked by
pyxform, then written whole (never half a file). Its submissions export goes back in
with ``atlas import EXPORT --layer LAYER``, no ``--map`` needed.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..atlas import Atlas
from ..forms import form
from ..i18n import t
from .options import lang_of, main, with_atlas


@main.command("form")
@click.argument("layer")
@click.option("--fields", "-f", default=None, metavar="CHAMP,CHAMP",
              help="Champs à demander (défaut : tous ; l'identifiant et les champs "
                   "obligatoires toujours) / fields to ask.")
@click.option("--territory", "-t", default=None,
              help="Limite les choix de territoire à ce code / limit territory choices.")
@click.option("--lang", "form_langs", default="fr,en", show_default=True,
              help="Langues du formulaire, la première par défaut / form languages.")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Fichier .xlsx (XLSForm) ou .xml (XForm) / output file.")
@with_atlas
@click.pass_context
def form_command(ctx: click.Context, atlas: Atlas, layer: str, fields: str | None,
                 territory: str | None, form_langs: str, output: Path) -> None:
    """Écrit le formulaire d'enquête d'une couche (XLSForm pour KoboToolbox ou ODK).

    Une question par champ du catalogue (types, bornes, unités, valeurs en français et
    en anglais), le territoire en listes en cascade et la position GPS. L'export des
    soumissions s'importe ensuite sans --map : atlas import EXPORT --layer COUCHE.
    """
    lang = lang_of(ctx)
    built = form(atlas, layer, fields=fields, territory=territory, langs=form_langs,
                 path=output)
    for note in built.notes:
        click.echo(t(note, lang), err=True)
    click.echo(t("forms.written", lang, path=output, layer=built.layer,
                 questions=len(built.questions), form_id=built.form_id,
                 version=built.version))
    click.echo(t("forms.next_steps", lang, layer=built.layer))
