"""`prov article`: published items."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from provenance.cli.choices import DateOption, day
from provenance.cli.context import connection, info, session
from provenance.cli.output import FormatOption, OutputOption, emit

app = typer.Typer(
    help="Articles: what an outlet published.\n\nExample: prov article list --outlet AFP",
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    outlet: Annotated[str, typer.Option(help="The outlet that published it.")],
    url: Annotated[str | None, typer.Option(help="Its address (unique).")] = None,
    title: Annotated[str | None, typer.Option(help="Its headline; needed without a url.")] = None,
    via: Annotated[str | None, typer.Option(help="The wire it carries, e.g. AFP.")] = None,
    published: DateOption = None,
    byline: Annotated[str | None, typer.Option(help="Who wrote it.")] = None,
    text_file: Annotated[
        Path | None,
        typer.Option("--text", exists=True, dir_okay=False, help="A file with its full text."),
    ] = None,
) -> None:
    """Add an article.

    Example: prov article add --outlet "The Moscow Times" --via AFP --published 2023-11-01
    --url https://www.themoscowtimes.com/2023/11/01/...
    """
    from provenance.services.articles import add_article

    text = text_file.read_text(encoding="utf-8") if text_file else None
    with session(ctx, write=True) as s:
        article = add_article(
            s,
            outlet=outlet,
            url=url,
            via=via,
            title=title,
            published=day(published),
            byline=byline,
            text=text,
        )
        info(f"added article #{article.id}")


@app.command("list")
def list_(
    ctx: typer.Context,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet's (or wire's).")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """List articles, oldest first.

    Example: prov article list --outlet AFP
    """
    from provenance.services.record import list_articles

    with connection(ctx) as conn:
        columns = ["id", "published", "outlet", "via", "title", "url", "statements"]
        emit(list_articles(conn, outlet=outlet), columns, fmt, output, title="Articles")
