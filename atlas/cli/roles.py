"""``atlas roles grant``: least-privilege PostgreSQL roles for a PostGIS atlas.

Run by the administrator, with the owner's (or a superuser's) address, once per atlas
and again after upgrading the atlas (it installs the audit-log guard)::

    atlas roles grant --atlas postgresql://admin@db/atlas --reader atlas_lecture
        --writer atlas_ecriture --create --password-env ATLAS_ROLE_PASSWORD

then give the app and the import command the reader's or the writer's address.
Passwords are read from environment variables, never from the command line, so
they stay out of the shell history and the process list.
"""

from __future__ import annotations

import os

import click

from ..admin import grant_roles
from ..errors import StoreError
from ..i18n import t
from .options import atlas_option, lang_of, main


def _password(variable: str | None) -> str | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise StoreError("roles.password_env_missing", var=variable)
    return value


@main.group("roles")
def roles_group() -> None:
    """Rôles PostgreSQL d'un atlas PostGIS (lecture seule, écriture des données)."""


@roles_group.command("grant")
@atlas_option
@click.option("--reader", required=True, help="Rôle de lecture (application publique, QGIS).")
@click.option("--writer", required=True,
              help="Rôle d'écriture des données (éditeurs, import) : ajoute des révisions, "
                   "sans pouvoir réécrire l'historique ni modifier les tables.")
@click.option("--create", is_flag=True, help="Crée les rôles absents (LOGIN, sans autre droit).")
@click.option("--password-env", default=None, metavar="VARIABLE",
              help="Variable d'environnement du mot de passe des rôles créés.")
@click.option("--reader-password-env", default=None, metavar="VARIABLE",
              help="Mot de passe du rôle de lecture, s'il diffère (--create).")
@click.option("--writer-password-env", default=None, metavar="VARIABLE",
              help="Mot de passe du rôle d'écriture, s'il diffère (--create).")
@click.pass_context
def grant_command(ctx: click.Context, atlas_url: str, reader: str, writer: str, create: bool,
                  password_env: str | None, reader_password_env: str | None,
                  writer_password_env: str | None) -> None:
    """Accorde à deux rôles les seuls droits dont ils ont besoin sur l'atlas.

    Le rôle de lecture lit les couches, l'historique et les styles, sans pouvoir
    prendre le verrou des écritures. Le rôle d'écriture importe des données et ajoute
    des révisions ; il ne peut ni créer, modifier ou supprimer de table, ni réécrire
    l'historique, le journal d'audit, les paramètres ou les couches déclarées. Installe
    (ou met à jour) cette protection : à relancer sur un atlas créé par une version
    antérieure. --atlas doit désigner le propriétaire du schéma (ou un
    superutilisateur). Les mots de passe viennent de variables d'environnement.
    """
    lang = lang_of(ctx)
    passwords = {}
    if create:
        passwords = {"reader_password": _password(reader_password_env or password_env),
                     "writer_password": _password(writer_password_env or password_env)}
    report = grant_roles(atlas_url, reader, writer, create=create, **passwords)
    for role, with_password in report.created.items():
        login = t("roles.with_password" if with_password else "roles.without_password", lang)
        click.echo(t("roles.created", lang, role=role, login=login))
    click.echo(t("roles.granted", lang, schema=report.schema, reader=reader, writer=writer,
                 owner=report.owner))
