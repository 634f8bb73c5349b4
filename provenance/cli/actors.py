"""`prov actor`: people and bodies who make, or are cited for, statements."""

from __future__ import annotations

from typing import Annotated

import typer

from provenance.cli.choices import ActorKind, value
from provenance.cli.context import connection, info, session
from provenance.cli.output import FormatOption, OutputOption, emit

app = typer.Typer(
    help="Actors: speakers and sources. Names match ignoring case, spaces and punctuation."
    '\n\nExample: prov actor add NIS --kind agency --part-of "South Korea"',
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The actor's name (unique).")],
    kind: Annotated[ActorKind | None, typer.Option(help="person, agency, unnamed, …")] = None,
    part_of: Annotated[
        str | None,
        typer.Option(help="The body it belongs to: statements from one body are one source."),
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", "-a", help="Another name; repeat for more.")
    ] = None,
) -> None:
    """Add an actor.

    Example: prov actor add "National Intelligence Service" --kind agency
    --part-of "South Korea" --alias NIS
    """
    from provenance.services.actors import add_actor

    with session(ctx, write=True) as s:
        actor = add_actor(s, name=name, kind=value(kind), part_of=part_of, aliases=alias or [])
        info(f"added actor {actor.name} ({actor.kind})")


@app.command("alias")
def alias(
    ctx: typer.Context,
    actor: Annotated[str, typer.Argument(help="The actor, by name or alias.")],
    aliases: Annotated[list[str], typer.Argument(help="Names to add.")],
) -> None:
    """Give an actor more names.

    Example: prov actor alias "Shin Wonsik" "Shin Won-sik" "South Korea's national security adviser"
    """
    from provenance.services.actors import add_aliases

    with session(ctx, write=True) as s:
        target = add_aliases(s, actor=actor, aliases=aliases)
        info(f"{target.name} now also answers to: {', '.join(aliases)}")


@app.command("merge")
def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The actor that stays.")],
    gone: Annotated[str, typer.Argument(help="The duplicate: its statements and names move.")],
) -> None:
    """Merge a duplicate actor into another: statements and aliases move, the duplicate goes.

    Example: prov actor merge "National Intelligence Service" "S. Korean spy agency"
    """
    from provenance.services.actors import merge_actors

    with session(ctx, write=True) as s:
        actor = merge_actors(s, keep=keep, gone=gone)
        info(f"merged {gone} into {actor.name}")


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = None, output: OutputOption = None) -> None:
    """List actors with their independence group and statement count.

    Example: prov actor list --format json
    """
    from provenance.services.record import list_actors

    with connection(ctx) as conn:
        columns = ["name", "kind", "part_of", "group", "aliases", "statements"]
        emit(list_actors(conn), columns, fmt, output, title="Actors")
