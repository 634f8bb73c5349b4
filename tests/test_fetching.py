"""Rows fetched by a thread (``db.fetching``), on the backend under test: the same
rows as in order, errors raised where the rows are read, an early stop ends the thread
and leaves the connection usable."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import exc, text

from provenance.db.engine import connection_scope
from provenance.db.fetching import DEPTH, fetched

N = 5_000


def numbers(n: int = N, *, failing_at: int | None = None):
    """1 to n (and, with ``failing_at``, an error raised by the database at that row:
    integer overflow on SQLite, division by zero on PostgreSQL)."""
    value, order = "x", "ORDER BY x"
    if failing_at is not None:  # unsorted, so that the rows before it come first
        value, order = f"abs(-9223372036854775807 - (x >= {failing_at}))", ""
    return text(
        f"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {n}) "
        f"SELECT {value} FROM n {order}"
    )


def failing(conn, at: int):
    if conn.dialect.name == "sqlite":
        return numbers(failing_at=at)
    return text(f"SELECT 1 / ({at} - x) FROM generate_series(1, {N}) AS x")


def fetching_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "prov-fetch"]


@pytest.fixture
def conn(engine):
    with connection_scope(engine) as conn:
        yield conn


@pytest.mark.parametrize("ahead", [True, False])
def test_each_statement_s_rows_in_turn(conn, ahead):
    with fetched(conn, [numbers(), numbers(3)], ahead=ahead, batch=100) as results:
        assert [x for (x,) in results.rows()] == list(range(1, N + 1))
        assert [x for (x,) in results.rows()] == [1, 2, 3]
    assert not fetching_threads()


def test_an_error_while_fetching_is_raised_where_the_rows_are_read(conn):
    got = []

    def read() -> None:
        with fetched(conn, [failing(conn, 1_000)], ahead=True, batch=100) as results:
            got.extend(x for (x,) in results.rows())

    with pytest.raises(exc.DBAPIError) as raised:
        read()
    assert "overflow" in str(raised.value) or "division by zero" in str(raised.value)
    assert 0 < len(got) < 1_000  # the rows before the error came through
    assert not fetching_threads()


@pytest.mark.parametrize("stop", [GeneratorExit, KeyboardInterrupt])
def test_leaving_early_stops_the_thread_and_frees_the_connection(conn, stop):
    def leave() -> None:
        with fetched(conn, [numbers(), numbers()], ahead=True, batch=10) as results:
            next(results.rows())
            time.sleep(0.2)  # the thread fills its queue and waits
            raise stop

    started = time.monotonic()
    with pytest.raises(stop):
        leave()
    assert time.monotonic() - started < 5
    assert not fetching_threads()
    assert conn.execute(text("SELECT 41 + 1")).scalar() == 42  # the same transaction goes on
    assert DEPTH < N / 10  # the thread was made to wait: it could not queue every batch
