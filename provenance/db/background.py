"""A statement started in a thread of its own while this one works on something else.

A command with several large queries runs one here while another is started on a
second connection (``engine.same_snapshot``: both see the same data). The database
computes both at once, on two cores: SQLite and psycopg let go of Python's lock while
the database works, and most of a large query's time is spent before its first row
(sorting, grouping). Once the first rows are in, the thread ends and the rest are
fetched here, when they are read: a thread fetching row by row while this one is busy
would wait for Python's lock at every row.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice

from sqlalchemy import Connection, Executable

from provenance.db import streaming

POLL_S = 0.05  # how often a statement being stopped is interrupted again


@contextmanager
def started(conn: Connection, statement: Executable, *, batch: int) -> Iterator[Iterator[Sequence]]:
    """Start ``statement`` on ``conn`` in a thread, fetching ``batch`` rows at a time;
    gives an iterator of its rows, which waits for the first ones if they are not in
    yet. The statement's error is raised by the iterator. Leaving the block stops the
    thread, interrupting the statement if it is still running; ``conn`` is not used
    once the block is left."""
    start = _Start(conn, statement, batch)
    start.start()
    try:
        yield start.rows()
    finally:
        start.stop()


class _Start(threading.Thread):
    def __init__(self, conn: Connection, statement: Executable, batch: int):
        super().__init__(name="prov-query", daemon=True)
        self.conn, self.statement, self.batch = conn, statement, batch
        self.result: Generator[Sequence] | None = None
        self.first: list[Sequence] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = streaming.rows(self.conn, self.statement, batch=self.batch)
            self.first = list(islice(self.result, self.batch))
        except BaseException as exc:  # raised where the rows are read
            self.error = exc

    def rows(self) -> Iterator[Sequence]:
        self.join()
        if self.error is not None:
            raise self.error
        yield from self.first
        if self.result is not None:
            yield from self.result

    def stop(self) -> None:
        """Wait for the thread, interrupting the database's work for it (the statement
        then ends at once, with an error nobody reads); close the rows left unread."""
        while self.is_alive():
            _interrupt(self.conn)
            self.join(POLL_S)
        if self.result is not None:
            self.result.close()


def _interrupt(conn: Connection) -> None:
    dbapi_conn = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        dbapi_conn.interrupt()
    elif conn.dialect.name == "postgresql":
        dbapi_conn.cancel_safe()
