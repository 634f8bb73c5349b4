"""What every command shares: the database choice and a transaction on it."""

from __future__ import annotations

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
def session(ctx: typer.Context, *, write: bool = False) -> Iterator:
    """A session in one transaction, on a schema upgraded to head on first use."""
    from provenance.db.engine import session_scope

    with open_engine(ctx) as engine, session_scope(engine, write=write) as s:
        yield s


def warn(message: str) -> None:
    typer.echo(f"Warning: {message}", err=True)


def info(message: str) -> None:
    typer.echo(message, err=True)
