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

    work_starts()
    engine = make_engine(db_url(ctx))
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
    import os

    from provenance.db.engine import same_snapshot

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = n if (cores or 1) > 1 else 1
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


# Start-up (typer's pydantic, SQLAlchemy, prov's modules and tables) creates a few
# hundred thousand objects that live as long as the process, and the cyclic garbage
# collector would scan them again and again: about a tenth of a short command. Until
# the command starts its work it runs a hundred times less often, then leaves them be.
START_UP_GC_THRESHOLD = 70_000  # objects allocated between collections (default 700)
_gc_thresholds: tuple[int, ...] | None = None


def quiet_start_up() -> None:
    """Collect garbage rarely until ``work_starts`` (called by ``cli.app.main``)."""
    global _gc_thresholds
    _gc_thresholds = gc.get_threshold()
    gc.set_threshold(START_UP_GC_THRESHOLD, *_gc_thresholds[1:])


def work_starts() -> None:
    """Start-up is over: what it made stays for good, so the collector leaves it alone
    (freeze) and goes back to its usual pace for the command's own work."""
    global _gc_thresholds
    if _gc_thresholds is not None:
        gc.freeze()
        gc.set_threshold(*_gc_thresholds)
        _gc_thresholds = None


def warn(message: str) -> None:
    typer.echo(f"Warning: {message}", err=True)


def info(message: str) -> None:
    typer.echo(message, err=True)
