"""`prov db`: where the database is and its schema revision."""

from __future__ import annotations

import typer

from provenance.cli.context import db_url, info, open_engine

app = typer.Typer(
    help="Where the database is, and its schema migrations.\n\nExample: prov db path",
    no_args_is_help=True,
)


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the database in use: --db, else $PROV_DB, else the default file.

    Example: prov db path
    """
    from sqlalchemy.engine import make_url

    url = make_url(db_url(ctx))
    typer.echo(url.database if url.get_backend_name() == "sqlite" else url.render_as_string())


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Upgrade the schema to the newest revision (done on first use anyway).

    Example: prov db upgrade
    """
    from provenance.db.migrate import HEAD, current_revision, upgrade

    with open_engine(ctx, migrate=False) as engine:
        before = current_revision(engine)
        upgrade(engine)
        info(f"schema at {HEAD}" + (" (already)" if before == HEAD else f" (was {before})"))


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the schema revision of the database ("none" before first use).

    Example: prov db current
    """
    from provenance.db.engine import sqlite_file
    from provenance.db.migrate import HEAD, current_revision

    file = sqlite_file(db_url(ctx))
    if file is not None and not file.exists():  # asking must not create it
        revision = None
    else:
        with open_engine(ctx, migrate=False) as engine:
            revision = current_revision(engine)
    note = " (head)" if revision == HEAD else f" (head is {HEAD})"
    typer.echo(f"{revision or 'none'}{note}")


@app.command("history")
def history() -> None:
    """List the schema migrations this prov ships, newest first.

    Example: prov db history
    """
    from alembic.script import ScriptDirectory

    from provenance.db.migrate import alembic_config

    for script in ScriptDirectory.from_config(alembic_config()).walk_revisions():
        summary = (script.doc or "").splitlines()[0] if script.doc else ""
        typer.echo(f"{script.revision}  {summary}")
