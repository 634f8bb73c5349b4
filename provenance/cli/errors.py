"""The one place where domain errors become messages and exit codes."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from provenance.errors import ProvError


class ProvGroup(TyperGroup):
    """The root command group: a ProvError anywhere below ends as ``Error: …`` on
    stderr with its exit code, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ProvError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
