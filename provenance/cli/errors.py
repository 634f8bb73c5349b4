"""The one place where domain errors become messages and exit codes."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from provenance.errors import ProvError


class ProvGroup(TyperGroup):
    """The root command group: a user's mistake anywhere below ends as ``Error: …`` on
    stderr with its exit code, never a traceback. Bugs keep their traceback. The
    root's ``--db`` is also read after the command (``global_first``)."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, global_first(args))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ProvError as exc:
            fail(str(exc), exc.exit_code)
        except OSError as exc:  # a file that cannot be read or written
            where = f": {exc.filename}" if exc.filename else ""
            fail(f"{exc.strerror or exc}{where}", 1)
        except Exception as exc:
            message = database_problem(exc)
            if message is None:
                raise
            fail(message, 1)


def global_first(args: list[str]) -> list[str]:
    """``--db`` given after the command (``prov claims --db desk.db``) moved before it,
    where the root command reads it; nothing after ``--`` is looked at."""
    options: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg == "--db" and i + 1 < len(args):
            options += args[i : i + 2]
            i += 2
            continue
        (options if arg.startswith("--db=") else rest).append(arg)
        i += 1
    return options + rest


def fail(message: str, code: int):
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def database_problem(exc: Exception) -> str | None:
    """A database that cannot be reached or opened, or a URL that names none."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy import exc as sa

    if isinstance(exc, sa.OperationalError):
        return f"cannot use the database: {exc.orig}"
    if isinstance(exc, sa.ArgumentError | sa.NoSuchModuleError):
        return f"not a database path or URL: {exc}"
    return None
