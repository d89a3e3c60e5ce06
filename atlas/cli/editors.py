"""``atlas editor add|list|remove``: the accounts allowed to write from the app.

Passwords are typed at a hidden prompt (twice), never given as an option, so they
do not end up in the shell history or in the process list. Failed sign-ins are kept
across restarts (:mod:`atlas.signin_limits`); ``atlas editor unlock NAME`` lets an
administrator lift a lock at once instead of waiting for it to expire.
"""

from __future__ import annotations

import click

from ..auth import (
    MAX_CLIENT_FAILURES,
    MAX_FAILURES,
    MIN_PASSWORD_LENGTH,
    WINDOW_SECONDS,
    EditorStore,
    RateLimiter,
    editors_file,
)
from ..i18n import t
from .options import lang_of, main


def _file_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("--file", "path", type=click.Path(dir_okay=False), default=None,
                        help="Fichier des comptes (ATLAS_EDITORS_FILE, data/editors.toml).",
                        )(func)


@main.group("editor")
def editor_group() -> None:
    """Comptes éditeurs de l'application (import, restauration)."""


@editor_group.command("add")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Changer le mot de passe d'un compte existant.")
@_file_option
@click.pass_context
def add_command(ctx: click.Context, name: str, replace: bool, path: str | None) -> None:
    """Crée un compte éditeur (le mot de passe est demandé deux fois)."""
    lang = lang_of(ctx)
    store = EditorStore(path or editors_file())
    password = click.prompt(t("app.editors.password_prompt", lang,
                              minimum=MIN_PASSWORD_LENGTH),
                            hide_input=True,
                            confirmation_prompt=t("app.editors.password_again", lang))
    store.add(name, password, replace=replace)
    click.echo(t("app.editors.added", lang, name=name.strip(), path=str(store.path)))


@editor_group.command("list")
@_file_option
@click.pass_context
def list_command(ctx: click.Context, path: str | None) -> None:
    """Liste les comptes éditeurs."""
    store = EditorStore(path or editors_file())
    names = store.names()
    if not names:
        click.echo(t("app.editors.none", lang_of(ctx), path=str(store.path)))
    for name in names:
        click.echo(name)


@editor_group.command("remove")
@click.argument("name")
@_file_option
@click.pass_context
def remove_command(ctx: click.Context, name: str, path: str | None) -> None:
    """Supprime un compte éditeur."""
    lang = lang_of(ctx)
    store = EditorStore(path or editors_file())
    key = "app.editors.removed" if store.remove(name) else "app.editors.unknown"
    click.echo(t(key, lang, name=name))


@editor_group.command("unlock")
@click.argument("name")
@click.option("--clients", is_flag=True,
              help="Oublier aussi les échecs comptés par adresse de client.")
@_file_option
@click.pass_context
def unlock_command(ctx: click.Context, name: str, clients: bool, path: str | None) -> None:
    """Lève le blocage d'un nom après trop d'essais de connexion."""
    store = EditorStore(path or editors_file())
    RateLimiter(MAX_FAILURES, WINDOW_SECONDS, log=store.failure_log(),
                scope="names").success(name)
    if clients:
        RateLimiter(MAX_CLIENT_FAILURES, WINDOW_SECONDS, log=store.failure_log(),
                    scope="clients").reset()
    click.echo(t("app.editors.unlocked", lang_of(ctx), name=name.strip()))
