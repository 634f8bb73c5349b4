"""`prov import` and `prov export`: the interchange formats of PRODUCT.md section 4."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from provenance.cli.context import info, session, warn
from provenance.cli.progress import progress_bar


class DataFormat(StrEnum):
    csv = "csv"
    yaml = "yaml"
    json = "json"


def import_(
    ctx: typer.Context,
    files: Annotated[
        list[str], typer.Argument(help="YAML, JSON or CSV files (by extension), or - for stdin.")
    ],
    fmt: Annotated[
        DataFormat | None, typer.Option("--format", "-f", help="The format of stdin (-).")
    ] = None,
) -> None:
    """Import records, all or nothing: a bad record aborts the whole import, lists every
    problem, and writes nothing. Importing the same file twice adds nothing.

    Example: prov import data/north-korea-russia.yaml
    """
    from provenance.analysis.confidence import default_lexicon
    from provenance.config import load_settings
    from provenance.io.importer import import_sources

    if "-" in files and fmt is None:
        raise typer.BadParameter("reading stdin (-) needs --format csv|yaml|json")
    settings = load_settings()
    with session(ctx, write=True, bulk=True) as s, progress_bar("importing") as tick:
        report = import_sources(
            s,
            files,
            fmt=fmt.value if fmt else None,
            stdin=sys.stdin,
            lexicon=default_lexicon(settings.lexicon),
            tolerance=settings.tolerance,
            progress=tick,
        )
    for message in report.warnings:
        warn(message)
    added = ", ".join(f"{n} {what}" for what, n in report.added.items() if n) or "nothing new"
    info(f"imported {report.seen} records: added {added}")


def export(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Where to write; - for stdout.")],
    fmt: Annotated[
        DataFormat | None,
        typer.Option("--format", "-f", help="csv, yaml or json [default: from the extension]"),
    ] = None,
) -> None:
    """Export everything in an import format; importing it elsewhere rebuilds the record.

    Example: prov export desk.yaml    (or: prov export - --format csv > desk.csv)
    """
    from provenance.io.exporters import export as write

    chosen = fmt.value if fmt else _by_extension(file)
    with session(ctx) as s, progress_bar("exporting") as tick:
        if file == "-":
            n = write(s, sys.stdout, chosen, progress=tick)
        else:
            with replacing(Path(file)) as out:
                n = write(s, out, chosen, progress=tick)
    info(f"exported {n} records to {file}")


@contextmanager
def replacing(target: Path) -> Iterator[TextIO]:
    """Write beside the target and rename at the end: a failed export leaves the
    previous file as it was."""
    if not target.parent.is_dir():  # say so of the target, not of the partial file
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(target))
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _by_extension(file: str) -> str:
    suffix = Path(file).suffix.lower().lstrip(".")
    found = {"yml": "yaml", "yaml": "yaml", "json": "json", "csv": "csv"}.get(suffix)
    if found is None:
        raise typer.BadParameter(f"cannot tell the format of {file!r}: give --format")
    return found
