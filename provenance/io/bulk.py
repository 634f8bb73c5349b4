"""Assertions in bulk: staged in a temporary table, matched and inserted in SQL.

A chunk of assertion rows is loaded into the temporary table ``prov_stage`` (SQLite:
the driver's executemany of plain tuples; PostgreSQL: ``COPY``), the statements that
are already recorded are read back in one join on the identity index, and the rest
are inserted with one ``INSERT … SELECT … ON CONFLICT DO NOTHING``: an import running
at the same time may have added a statement since.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from sqlalchemy.engine import Connection

STAGE = "prov_stage"
MAX_PARAMETERS = 999  # a statement's, in SQLite before 3.32
# the statement's identity, then what it says; pos: its index in the chunk
IDENTITY = ("claim_id", "article_id", "speaker_id", "cites_id", "stance")
SAYS = ("wording", "quote", "quote_start", "quote_end", "confidence", "confidence_manual")
COLUMNS = (*IDENTITY, "group_id", *SAYS)
TYPES = {
    "pos": "INTEGER",
    "claim_id": "INTEGER",
    "article_id": "INTEGER",
    "speaker_id": "INTEGER",
    "cites_id": "INTEGER",
    "stance": "VARCHAR(8)",
    "group_id": "INTEGER",
    "wording": "VARCHAR",
    "quote": "TEXT",
    "quote_start": "INTEGER",
    "quote_end": "INTEGER",
    "confidence": "VARCHAR(24)",
    "confidence_manual": "BOOLEAN",
}
_MATCH = f"""
SELECT s.pos, {", ".join(f"a.{c}" for c in SAYS)}
FROM {STAGE} s JOIN assertions a
  ON a.claim_id = s.claim_id AND a.article_id = s.article_id
 AND coalesce(a.speaker_id, 0) = coalesce(s.speaker_id, 0)
 AND coalesce(a.cites_id, 0) = coalesce(s.cites_id, 0) AND a.stance = s.stance
"""
# WHERE true: SQLite would read ON CONFLICT as a join constraint of the SELECT
_INSERT = f"""
INSERT INTO assertions ({", ".join(COLUMNS)})
SELECT {", ".join(COLUMNS)} FROM {STAGE} WHERE true ORDER BY pos
ON CONFLICT DO NOTHING
"""


def stage(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Replace the stage's content with ``rows`` (pos is each row's index)."""
    columns = ("pos", *COLUMNS)
    ddl = ", ".join(f"{c} {TYPES[c]}" for c in columns)
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({ddl})")
    conn.exec_driver_sql(f"DELETE FROM {STAGE}")
    tuples = [(i, *(row[c] for c in COLUMNS)) for i, row in enumerate(rows)]
    load(conn, STAGE, columns, tuples)


def load(conn: Connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Append ``rows`` (tuples in the order of ``columns``) to a temporary table: the
    driver's executemany on SQLite, ``COPY`` on PostgreSQL."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # many rows a statement: binding a statement for each row was most of the work
        values = list(chain.from_iterable(rows))
        step = len(columns) * (MAX_PARAMETERS // len(columns))
        whole = len(values) - len(values) % step
        if whole:
            many = _values(table, columns, step)
            cursor.executemany(many, (values[i : i + step] for i in range(0, whole, step)))
        if whole < len(values):
            cursor.execute(_values(table, columns, len(values) - whole), values[whole:])
    finally:
        cursor.close()


def _values(table: str, columns: tuple[str, ...], values: int) -> str:
    """An INSERT of as many rows as ``values`` parameters make."""
    row = f"({', '.join('?' * len(columns))})"
    return f"INSERT INTO {table} VALUES {', '.join([row] * (values // len(columns)))}"


def recorded(conn: Connection) -> list[tuple[int, dict[str, Any]]]:
    """(pos, what the stored statement says) for each staged row already recorded."""
    return [(r[0], dict(zip(SAYS, r[1:], strict=True))) for r in conn.exec_driver_sql(_MATCH)]


def insert_staged(conn: Connection) -> int:
    """Insert the staged statements not yet recorded; how many were added."""
    return max(conn.exec_driver_sql(_INSERT).rowcount, 0)
