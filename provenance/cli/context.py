"""What every command shares: the database choice and a transaction on it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer


@dataclass
class State:
    db: str | None = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = State()
    return root.obj


def db_url(ctx: typer.Context) -> str:
    from provenance.config import resolve_db_url

    return resolve_db_url(state(ctx).db)


@contextmanager
def open_engine(ctx: typer.Context, *, migrate: bool = True):
    from provenance.db.engine import make_engine
    from provenance.db.migrate import ensure_schema

    engine = make_engine(db_url(ctx))  # imports the database's driver and dialect
    work_starts()
    try:
        if migrate:
            ensure_schema(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def connection(ctx: typer.Context) -> Iterator:
    """A Core connection in one read transaction, on a schema upgraded to head on first
    use: what the commands that only read take (no ``sqlalchemy.orm`` to import)."""
    from provenance.db.engine import connection_scope

    with open_engine(ctx) as engine, connection_scope(engine) as conn:
        yield conn


@contextmanager
def connections(ctx: typer.Context, n: int) -> Iterator[list]:
    """Up to ``n`` Core connections on one snapshot of the database, for queries run
    side by side (``engine.same_snapshot``; one when that cannot be had, or when this
    process may run on one core only: side by side would only take turns there)."""
    from provenance.db.engine import cores, same_snapshot

    n = n if cores() > 1 else 1
    with open_engine(ctx) as engine, same_snapshot(engine, n) as conns:
        yield conns


@contextmanager
def session(ctx: typer.Context, *, write: bool = False, bulk: bool = False) -> Iterator:
    """A session in one transaction, on a schema upgraded to head on first use."""
    from provenance.db.engine import session_scope

    def waiting() -> None:
        info("waiting for another prov command to finish writing to this database")

    with (
        open_engine(ctx) as engine,
        session_scope(engine, write=write, bulk=bulk, on_wait=waiting) as s,
    ):
        yield s


# Start-up (typer's pydantic, SQLAlchemy, the database driver, prov's modules and
# tables) creates a few hundred thousand objects that live as long as the process. The
# cyclic garbage collector would scan them again and again (about a tenth of a short
# command); with a higher threshold it still stops once for 17 ms to scan 70,000 of them
# at once. It is off until the command starts its work, then leaves them be.
_collecting: bool | None = None  # whether it was on before start-up turned it off
# The command's own work: a collection every 20,000 objects allocated, not 700. Objects
# that live a while (`prov contradictions` keeps its last thousand claims' sides) were
# scanned again at every collection: 1,360 of them, 0.26 s of a 5 s command; 33, 13 ms.
WORK_GC_THRESHOLD = 20_000


def quiet_start_up() -> None:
    """No garbage collection until ``work_starts`` (called by ``cli.app.main``);
    a command that opens no database (``--help``, ``db path``) ends without one."""
    global _collecting
    _collecting = gc.isenabled()
    gc.disable()


def work_starts() -> None:
    """Start-up is over: what it made stays for good, so the collector leaves it alone
    (freeze), and runs less often than by default for the command's own work."""
    global _collecting
    if _collecting is not None:
        gc.freeze()
        gc.set_threshold(WORK_GC_THRESHOLD, *gc.get_threshold()[1:])
        if _collecting:
            gc.enable()
        _collecting = None


def warn(message: str) -> None:
    typer.echo(f"Warning: {message}", err=True)


def info(message: str) -> None:
    typer.echo(message, err=True)
