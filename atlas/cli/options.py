"""The command group, the ``--atlas`` option and the error handling every command shares."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from .. import config
from ..choices import LANGUAGES
from ..errors import AtlasError
from ..i18n import normalise_language, t

DEFAULT_ATLAS = config.DEFAULT_ATLAS_URL


def default_atlas_url() -> str:
    """``ATLAS_URL`` or the demo GeoPackage."""
    return config.current().atlas_url


class AtlasGroup(click.Group):
    """Click group that turns :class:`AtlasError` into a translated message and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report platform errors as sentences, not tracebacks."""
        try:
            return super().invoke(ctx)
        except AtlasError as exc:
            lang = (ctx.obj or {}).get("lang")
            click.echo(t("cli.error", lang, message=exc.message(lang)), err=True)
            sys.exit(2)
        except Exception as exc:
            if not _from_a_database_driver(exc):
                raise
            # Last resort: the stores translate the failures people can act on; one
            # they did not foresee is still a sentence, not a driver's traceback.
            lang = (ctx.obj or {}).get("lang")
            error = AtlasError("store.database_error", detail=" ".join(str(exc).split()))
            click.echo(t("cli.error", lang, message=error.message(lang)), err=True)
            sys.exit(2)


def _from_a_database_driver(exc: BaseException) -> bool:
    """True for SQLAlchemy, sqlite3 and psycopg2 errors (told apart by their module)."""
    module = type(exc).__module__ or ""
    return module.split(".")[0] in ("sqlalchemy", "sqlite3", "psycopg2")


@click.group(cls=AtlasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Langue des messages / message language (fr, en ; défaut : ATLAS_LANG).")
@click.version_option(package_name="atlas-territorial")
@click.pass_context
def main(ctx: click.Context, lang: str | None) -> None:
    """atlas-territorial : atlas et diagnostics territoriaux.

    L'atlas est choisi par --atlas (chemin .gpkg ou URL postgresql://) ou par la
    variable ATLAS_URL ; par défaut data/demo.gpkg.
    """
    ctx.ensure_object(dict)
    ctx.obj["lang"] = normalise_language(lang)


def atlas_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--atlas URL_OR_PATH`` (env ``ATLAS_URL``, default ``data/demo.gpkg``)."""
    return click.option("--atlas", "atlas_url", default=default_atlas_url,
                        show_default="ATLAS_URL ou data/demo.gpkg",
                        help="Atlas : fichier .gpkg ou URL postgresql://")(func)


def lang_of(ctx: click.Context) -> str:
    """Language chosen on the command line or in the environment."""
    return (ctx.obj or {}).get("lang") or normalise_language(None)


def with_atlas(func: Callable[..., Any]) -> Callable[..., Any]:
    """Open the atlas named by ``--atlas`` and pass it to the command as ``atlas``."""
    from ..atlas import open as open_atlas

    @atlas_option
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, atlas_url: str, **kwargs: Any) -> Any:
        with open_atlas(atlas_url) as opened:
            return ctx.invoke(func, atlas=opened, **kwargs)

    return wrapper
