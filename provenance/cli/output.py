"""One renderer for every listing: table (a terminal's default), csv, json, jsonl.

Data goes to stdout (or ``--output``), messages to stderr. CSV and JSON stream row
by row; a table is drawn with rich and only for a page of rows, since drawing costs
far more per row than writing.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

TABLE_ROWS = 500


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format", "-f", help="table, csv, json or jsonl [default: table on a terminal, else csv]"
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file instead of stdout.", dir_okay=False),
]


def choose(fmt: Format | None, output: Path | None) -> Format:
    if fmt is not None:
        return fmt
    return Format.table if output is None and sys.stdout.isatty() else Format.csv


@contextmanager
def destination(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(plain(value))


def emit(
    rows: Iterable[dict],
    columns: list[str],
    fmt: Format | None,
    output: Path | None,
    *,
    title: str | None = None,
) -> int:
    """Write rows in the chosen format; returns how many were written."""
    chosen = choose(fmt, output)
    with destination(output) as out:
        writer = {Format.csv: _csv, Format.json: _json, Format.jsonl: _jsonl}.get(chosen, _table)
        return writer(rows, columns, out, title)


# Values the csv module would not print as prov does (it prints None as "", numbers
# and dates as str() does, which for a date is its ISO form).
_CONVERTED = frozenset({bool, list, dt.datetime})
BLOCK = 1000  # CSV rows written at once (an unbuffered stdout makes each write a system call)


def _csv(rows, columns, out, _title) -> int:
    """Row by row, with the per-value conversion only on the columns that need it
    (found as they turn up); the lines go out a block at a time."""
    get = operator.itemgetter(*columns)
    if len(columns) == 1:
        get = lambda row: (row[columns[0]],)  # noqa: E731
    special: list[int] = []
    lines = [_csv_line(columns)]
    n = 0
    try:
        for n, row in enumerate(rows, 1):  # noqa: B007
            try:
                values = list(get(row))
            except KeyError:  # a row may leave out a column: empty
                values = [row.get(c) for c in columns]
            for i in special:
                value = values[i]
                values[i] = _joined(value) if type(value) is list else _csv_value(value)
            if not _CONVERTED.isdisjoint(map(type, values)):
                for i, value in enumerate(values):
                    if type(value) in _CONVERTED:
                        special.append(i)
                        values[i] = _csv_value(value)
            lines.append(_csv_line(values))
            if len(lines) >= BLOCK:
                out.write("".join(lines))
                lines.clear()
    finally:  # what was read, even if reading fails
        out.write("".join(lines))
    return n


def _csv_line(values: list) -> str:
    """One record as the csv module writes it (QUOTE_MINIMAL, CRLF; a lone empty cell
    as ""). Not the module itself: it handles one character at a time, three times
    slower than ``in`` on long cells (2 s of `prov contradictions`' 65 MB at 1M). Most
    lines need no quoting at all, which four searches of the joined line tell: a cell
    holding a comma shows as one comma too many. Without a quote to double, the cells
    to quote are found inline, with no call for each cell."""
    texts = ["" if v is None else v if type(v) is str else str(v) for v in values]
    line = ",".join(texts)
    if '"' in line:
        line = ",".join(map(_csv_cell, texts))
    elif line.count(",") >= len(texts) or "\n" in line or "\r" in line:
        line = ",".join([f'"{t}"' if "," in t or "\n" in t or "\r" in t else t for t in texts])
    return (line or '""') + "\r\n"


def _csv_cell(value: object) -> str:
    """A cell holding a quote, a comma or a line break is quoted, its quotes doubled."""
    text = value if type(value) is str else "" if value is None else str(value)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return f'"{text}"'
    return text


def _joined(values: list) -> str:
    """A list's items in one cell, "; " between them."""
    try:
        return "; ".join(values)  # names: strings already, joined without a call each
    except TypeError:
        return "; ".join(map(str, values))


def _csv_value(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _joined(value)
    return "" if value is None else plain(value)


def _json(rows, columns, out, _title) -> int:
    n = 0
    out.write("[")
    for n, row in enumerate(rows, 1):
        out.write("\n  " if n == 1 else ",\n  ")
        out.write(json.dumps({c: row.get(c) for c in columns}, default=plain, ensure_ascii=False))
    out.write("\n]\n" if n else "]\n")
    return n


def _jsonl(rows, columns, out, _title) -> int:
    n = 0
    for n, row in enumerate(rows, 1):  # noqa: B007
        out.write(json.dumps({c: row.get(c) for c in columns}, default=plain, ensure_ascii=False))
        out.write("\n")
    return n


def _table(rows, columns, out, title) -> int:
    from rich.console import Console
    from rich.table import Table

    rows = iter(rows)
    table = Table(title=title, header_style="bold", show_lines=False)
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    n = 0
    for n, row in enumerate(rows, 1):
        if n > TABLE_ROWS:
            break
        table.add_row(*(cell(row.get(c)) for c in columns))
    more = sum(1 for _ in rows) if n > TABLE_ROWS else 0
    Console(file=out, width=None if out.isatty() else 160).print(table)
    if more:
        typer.echo(
            f"… and {more + 1} more rows: use --format csv or json for all of them",
            err=True,
        )
    return n + more


def echo_json(data: object, output: Path | None) -> None:
    with destination(output) as out:
        out.write(json.dumps(data, default=plain, ensure_ascii=False, indent=2) + "\n")
