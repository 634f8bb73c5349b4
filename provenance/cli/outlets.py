"""`prov outlet`: who published."""

from __future__ import annotations

from typing import Annotated

import typer

from provenance.cli.choices import OutletKind, Reliability, value
from provenance.cli.context import connection, info, session
from provenance.cli.output import FormatOption, OutputOption, emit

app = typer.Typer(
    help="Outlets: newspapers, wires, broadcasters, ministries."
    "\n\nExample: prov outlet add AFP --kind wire",
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The outlet's name (unique, ignoring case).")],
    kind: Annotated[OutletKind | None, typer.Option(help="What sort of outlet.")] = None,
    url: Annotated[str | None, typer.Option(help="Its home page.")] = None,
    country: Annotated[str | None, typer.Option(help="Where it is based.")] = None,
    reliability: Annotated[
        Reliability | None,
        typer.Option(help="Admiralty source reliability, A (reliable) to F (cannot be judged)."),
    ] = None,
) -> None:
    """Add an outlet.

    Example: prov outlet add AFP --kind wire --country France
    """
    from provenance.services.outlets import add_outlet

    with session(ctx, write=True) as s:
        outlet = add_outlet(
            s,
            name=name,
            kind=value(kind),
            url=url,
            country=country,
            reliability=value(reliability),
        )
        info(f"added outlet {outlet.name} ({outlet.kind})")


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = None, output: OutputOption = None) -> None:
    """List outlets with how many articles each carried.

    Example: prov outlet list --format csv
    """
    from provenance.services.record import list_outlets

    with connection(ctx) as conn:
        columns = ["name", "kind", "reliability", "country", "url", "articles"]
        emit(list_outlets(conn), columns, fmt, output, title="Outlets")
