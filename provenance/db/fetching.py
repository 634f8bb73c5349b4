"""Rows fetched by a thread while the caller works on the ones before.

On PostgreSQL the server computes a query in its own process: while this one builds
and writes the rows of one batch, a thread waits for the next (psycopg releases the
GIL while it waits), and the server's work overlaps Python's. The connection stays one
connection in one transaction, used by one thread at a time: the fetching thread from
the first statement until it is joined.

On SQLite the database works inside the fetch itself, in this process: a sorted
query's first row costs the whole query (seconds at a million statements, one step
that holds the connection), and each later row is a step that gives up the GIL and
then waits for it while the caller's Python runs. Measured at 1M (`prov
contradictions`), the thread made it slower (7.5 s to 7.8-8.3 s, CPU time equal to
wall time): nothing overlapped. So SQLite reads in order, in the caller's thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Executable

BATCH = 2000  # rows fetched at a time (a server-side cursor on PostgreSQL)
DEPTH = 4  # batches fetched ahead at most: memory stays a few batches
AHEAD = frozenset({"postgresql"})  # where reading ahead pays (see above)
_END = object()  # after a statement's last batch


class _Failed:
    """What the fetching thread raised, handed to the caller to raise."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Results:
    """Each statement's rows in turn: ``rows()`` gives the next statement's, to be read
    to the end (or abandoned by leaving the ``fetched`` block) before the next call."""

    def __init__(self, conn: Connection, statements: Sequence[Executable], batch: int) -> None:
        self._conn, self._statements, self._batch = conn, list(statements), batch

    def rows(self) -> Iterator:
        statement = self._statements.pop(0)
        result = self._conn.execute(statement, execution_options={"yield_per": self._batch})
        with result:
            yield from result

    def stop(self) -> None:
        pass


class _Ahead(Results):
    """The statements run by one thread, which queues their batches."""

    def __init__(self, conn: Connection, statements: Sequence[Executable], batch: int) -> None:
        super().__init__(conn, statements, batch)
        self._queue: queue.Queue = queue.Queue(DEPTH)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._fetch, name="prov-fetch", daemon=True)
        self._thread.start()

    def _fetch(self) -> None:
        try:
            for statement in self._statements:
                options = {"yield_per": self._batch}
                with self._conn.execute(statement, execution_options=options) as result:
                    while batch := result.fetchmany(self._batch):
                        if not self._put(batch):
                            return
                if not self._put(_END):
                    return
        except BaseException as error:  # every error reaches the caller, raised there
            self._put(_Failed(error))

    def _put(self, item) -> bool:
        """Queue ``item`` unless the caller stopped reading (then: False)."""
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def rows(self) -> Iterator:
        while (batch := self._queue.get()) is not _END:
            if type(batch) is _Failed:
                raise batch.error
            yield from batch

    def stop(self) -> None:
        """Stop the thread and wait for it: it finishes the fetch in progress (on
        PostgreSQL, a query's first batch can take seconds), closes its result and
        leaves the connection to the caller."""
        self._stopping.set()
        self._thread.join()


@contextmanager
def fetched(
    conn: Connection,
    statements: Sequence[Executable],
    *,
    ahead: bool | None = None,
    batch: int = BATCH,
) -> Iterator[Results]:
    """The rows of ``statements``, fetched ``batch`` at a time by a thread when
    ``ahead`` (by default: on the backends where it pays, ``AHEAD``), else in order
    here. Leaving the block, even early, stops the thread."""
    if ahead is None:
        ahead = conn.dialect.name in AHEAD
    results = (_Ahead if ahead else Results)(conn, statements, batch)
    try:
        yield results
    finally:
        results.stop()
