"""The rows of a large SELECT, streamed a batch at a time.

SQLite, and PostgreSQL through an older libpq: SQLAlchemy's ``yield_per`` (on
PostgreSQL a server-side cursor). PostgreSQL through libpq 17 or newer: psycopg's
``Cursor.stream`` (libpq's chunked rows), the rows as the driver's tuples. PostgreSQL
never gives a cursor's query a parallel plan (it may be suspended between fetches),
while a streamed one runs to its end at once, with the parallel workers ``psql`` has:
a listing of every claim then groups its million statements on every core.

A stream holds its connection until it is read to the end or closed: no other
statement can run on that connection meanwhile. A stream left open is closed before
its transaction ends or its connection returns to the pool (``watch``, on every
PostgreSQL engine ``make_engine`` makes).
"""

from __future__ import annotations

import weakref
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, Executable, event
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SAVEPOINT = "prov_stream"
OPEN = "prov_open_streams"  # the connection's streams not yet closed (in ``Connection.info``)


def rows(db: Connection | Session, statement: Executable, *, batch: int) -> Generator[Sequence]:
    """``statement``'s rows, fetched ``batch`` at a time: SQLAlchemy rows, or psycopg's
    tuples, whose values SQLAlchemy gives unchanged for the types prov reads (text,
    integers, floats, booleans, dates; not ``Numeric`` or JSON, which it converts).
    ``db``: a Core connection, or a session (its connection). Read the rows to the end,
    or close the generator."""
    conn = db if isinstance(db, Connection) else db.connection()
    if conn.dialect.name != "postgresql" or not _chunked_rows():
        return _fetched(conn, statement, batch)
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    stream = _streamed(conn, compiled.string, compiled.construct_params(), batch)
    conn.info.setdefault(OPEN, weakref.WeakSet()).add(stream)
    return stream


def watch(engine: Engine) -> None:
    """Close a connection's open streams before its transaction ends or the connection
    goes back to the pool: psycopg holds the connection's lock while a stream is open,
    and the commit or rollback would wait for it forever."""
    event.listen(engine, "commit", lambda conn: _close_open(conn.info))
    event.listen(engine, "rollback", lambda conn: _close_open(conn.info))
    event.listen(engine.pool, "reset", lambda _dbapi, record, _state: _close_open(record.info))


def _close_open(info: dict) -> None:
    for stream in list(info.pop(OPEN, ())):
        stream.close()


def _fetched(conn: Connection, statement: Executable, batch: int) -> Iterator[Sequence]:
    result = conn.execute(statement, execution_options={"yield_per": batch})
    try:
        for part in result.partitions():
            yield from part
    finally:
        result.close()


def _streamed(conn: Connection, sql: str, params: dict, batch: int) -> Iterator[tuple]:
    from psycopg import Error
    from psycopg.pq import TransactionStatus

    driver = conn.connection.driver_connection
    fenced = not driver.autocommit  # type: ignore[union-attr]
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        if fenced:  # a stream left early is cancelled, which fails the transaction: from
            cursor.execute(f"SAVEPOINT {SAVEPOINT}")  # here on only, so it can go on
        yield from cursor.stream(sql, params, size=batch)
    except Error as exc:
        # as SQLAlchemy raises a driver's error: a DBAPIError, the driver's as ``orig``
        raise DBAPIError.instance(sql, params, exc, Error, dialect=conn.dialect) from exc
    finally:
        status = driver.info.transaction_status  # type: ignore[union-attr]
        if fenced and status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
            cursor.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
        cursor.close()


def _chunked_rows() -> bool:
    from psycopg import pq

    return pq.version() >= 170000
