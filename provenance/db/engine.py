"""Engines, connections and sessions: SQLite pragmas on every connection, write
transactions. Reading takes a Core connection (``connection_scope``, or several on one
snapshot: ``same_snapshot``): ``sqlalchemy.orm`` is imported only by
``session_scope``, for the commands that write."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 30_000
BULK_WAIT_MS = 3_600_000  # an import queued behind another: an hour
NOTICE_AFTER_MS = 1_000  # a writer kept waiting longer than this is told so (on_wait)
# page cache in KiB (negative cache_size): the assertion indexes thrash the 2 MB default,
# and a bulk import must stay under 150 MB in all (SQLite's own use peaks near 30 MB above
# this). No temp_store = MEMORY: an import's savepoint journal would grow in memory.
CACHE_KIB = 16 * 1024
STATEMENTS = 16  # prepared statements each connection keeps (the driver's default: 128)


def cores() -> int:
    """The cores this process may run on: two queries or sorts side by side only take
    turns on one."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return usable or 1


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        if (path := sqlite_file(url)) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(url)
    from provenance.db import streaming

    engine = create_engine(url)
    streaming.watch(engine)  # a stream left open never blocks the end of its transaction
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite database URL; None for another database, one in memory or
    a ``file:`` URI."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return None
    return None if name.startswith("file:") else Path(name)


def _null(value: None) -> None:
    return value


def _sqlite_engine(url: str) -> Engine:
    import sqlite3

    # The driver binds str, int and float directly, but looks for an adapter for every
    # None by three failing lookups: about 1 µs each, 15 s of staging a million CSV rows
    # (15 empty cells a row). Found in its registry, None binds as NULL at a third of that.
    sqlite3.register_adapter(type(None), _null)
    # few cached statements: a bulk insert's many-row statements are large when prepared
    connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000, "cached_statements": STATEMENTS}
    engine = create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN (see _on_begin).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        options = conn.get_execution_options()
        # foreign_keys can change only outside a transaction: set for each one
        bulk = options.get("prov_bulk")
        conn.exec_driver_sql(f"PRAGMA foreign_keys = {'OFF' if bulk else 'ON'}")
        # an import waits its turn behind another import, however long that one takes
        wait_ms = BULK_WAIT_MS if bulk else BUSY_TIMEOUT_MS
        if options.get("prov_writer"):
            _begin_writing(conn.connection.dbapi_connection, wait_ms, options.get("prov_on_wait"))
        else:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {wait_ms}")
            conn.exec_driver_sql("BEGIN DEFERRED")

    return engine


def _begin_writing(dbapi_conn, wait_ms: int, on_wait: Callable[[], None] | None) -> None:
    """Take SQLite's write lock at BEGIN, so that a second writer waits its turn here
    instead of failing with "database is locked" on its first write. One kept waiting
    longer than NOTICE_AFTER_MS is told so by ``on_wait`` and waits on."""
    import sqlite3

    if on_wait is not None and wait_ms > NOTICE_AFTER_MS:
        dbapi_conn.execute(f"PRAGMA busy_timeout = {NOTICE_AFTER_MS}")
        try:
            dbapi_conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_BUSY":
                raise
            on_wait()
        else:
            dbapi_conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
            return
    dbapi_conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
    dbapi_conn.execute("BEGIN IMMEDIATE")


@contextmanager
def connection_scope(engine: Engine) -> Iterator[Connection]:
    """A Core connection in one read transaction: every query of a command sees the
    same database (on PostgreSQL, REPEATABLE READ). Without the statement cache: a
    command runs each of its few large statements once, so caching would only add the
    cost of computing the cache keys."""
    with same_snapshot(engine, 1) as [conn]:
        yield conn


@contextmanager
def same_snapshot(engine: Engine, n: int) -> Iterator[list[Connection]]:
    """Up to ``n`` connections as ``connection_scope`` gives, that all see the same
    database: a command can run its queries side by side, one connection each, and
    still report on one state of the data.

    PostgreSQL: the first connection's snapshot is exported and the others take it. An
    SQLite file: each connection takes its snapshot while a gate connection holds the
    write lock, so that no commit lands between them; while a writer is at work the
    gate is not waited for and only one connection is given (the caller runs its
    queries one after another). A database in memory, or any other, gives one."""
    backend = engine.dialect.name
    with ExitStack() as stack:
        if backend == "postgresql":
            conns = [_read(stack, engine, "REPEATABLE READ") for _ in range(n)]
            if n > 1:
                exported = conns[0].exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                for conn in conns[1:]:
                    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{exported}'")
        elif n == 1 or backend != "sqlite" or sqlite_file(str(engine.url)) is None:
            conns = [_read(stack, engine)]
        else:
            with _write_lock_if_free(engine) as free:
                conns = [_read(stack, engine) for _ in range(n if free else 1)]
                for conn in conns:  # a read transaction's snapshot is taken at its first read
                    conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
        yield conns


def _read(stack: ExitStack, engine: Engine, isolation: str | None = None) -> Connection:
    conn = stack.enter_context(engine.connect())
    conn.execution_options(compiled_cache=None)
    if isolation is not None:
        conn.execution_options(isolation_level=isolation)
    stack.enter_context(conn.begin())
    return conn


@contextmanager
def _write_lock_if_free(engine: Engine) -> Iterator[bool]:
    """SQLite's write lock, held for the block if it can be had at once (True); else
    False, without waiting: a writer has it, or the file may only be read."""
    import sqlite3

    with engine.connect() as gate:
        dbapi_conn = gate.connection.dbapi_connection
        dbapi_conn.execute("PRAGMA busy_timeout = 0")
        try:
            dbapi_conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # busy, or a file this process may only read
            free = False
        else:
            free = True
        try:
            yield free
        finally:
            if free:
                dbapi_conn.execute("ROLLBACK")
            dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextmanager
def session_scope(
    engine: Engine,
    *,
    write: bool = False,
    bulk: bool = False,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error.

    ``on_wait``: called once if a writer must wait for another writer to finish
    (SQLite's write lock, PostgreSQL's import lock) longer than about a second.

    ``bulk``: a load whose every reference was read from the referenced table in the
    same transaction (``prov import``). SQLite then skips its foreign-key checks, which
    cost more than half of loading a million statements (a parent look-up for each of
    five references of each row); PostgreSQL keeps them, except that a large CSV load
    checks its statements' references at once (``io.flat._references_checked_at_once``).
    """
    from sqlalchemy.orm import Session

    options = {"prov_writer": True, "prov_bulk": bulk, "prov_on_wait": on_wait}
    bind = engine.execution_options(**options) if write else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session
