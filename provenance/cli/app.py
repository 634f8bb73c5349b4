"""The root `prov` command: global options and the nouns mounted under it."""

from __future__ import annotations

from typing import Annotated

import typer

from provenance import __version__
from provenance.cli import actors, articles, claims, db, io, outlets
from provenance.cli.context import quiet_start_up, state
from provenance.cli.errors import ProvGroup

app = typer.Typer(
    cls=ProvGroup,
    name="prov",
    help=(
        "Track where claims come from and whether independent sources back them.\n\n"
        "Example: prov import data/north-korea-russia.yaml && prov claims --unverified"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(claims.listing, name="claims")
app.add_typer(claims.single, name="claim")
app.add_typer(outlets.app, name="outlet")
app.add_typer(actors.app, name="actor")
app.add_typer(articles.app, name="article")
app.add_typer(db.app, name="db")
app.command("assert")(claims.assert_)
app.command("relate")(claims.relate)
app.command("contradictions")(claims.contradictions)
app.command("lexicon")(claims.lexicon)
app.command("import")(io.import_)
app.command("export")(io.export)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"prov {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH_OR_URL",
            envvar="PROV_DB",
            help="Database: a file path or a SQLAlchemy URL (postgresql+psycopg://…), "
            "before or after the command. "
            "Default: prov.db in your user data directory (see `prov db path`).",
            show_envvar=True,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    state(ctx).db = db


def main() -> None:
    quiet_start_up()
    app()
