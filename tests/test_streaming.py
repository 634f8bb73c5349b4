"""Large results streamed (``db.streaming``): on PostgreSQL through psycopg's ``stream``
(no server-side cursor, so that the query may have a parallel plan), elsewhere through
SQLAlchemy's ``yield_per``. Either way the same typed rows; a stream left early, or
left open, never spoils or blocks the read it belongs to."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select, text

from provenance.db import streaming
from provenance.db.engine import connection_scope, make_engine
from provenance.db.tables import articles, assertions, claims, outlets
from tests.cli import ok

SAMPLE = Path(__file__).parent.parent / "data" / "north-korea-russia.yaml"
# Two million numbers: long enough that a stream left after a few rows is still running
MANY = text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) "
    "SELECT i FROM n"
)


def test_streamed_rows_are_the_rows_a_query_gives(db_url):
    ok(db_url, "import", str(SAMPLE))
    c, a = claims.c, articles.c
    query = (  # text, floats, booleans, dates and a count
        select(c.key, c.low, c.high, c.low_open, c.cumulative, func.min(a.published), func.count())
        .join(assertions, assertions.c.claim_id == c.id)
        .join(articles, a.id == assertions.c.article_id)
        .where(c.key.in_(["nk-shells-1m", "nk-containers-1000"]))
        .group_by(c.id, c.key, c.low, c.high, c.low_open, c.cumulative)
        .order_by(c.key)
    )
    engine = make_engine(db_url)
    try:
        with connection_scope(engine) as conn:
            expected = [tuple(row) for row in conn.execute(query)]
            streamed = [tuple(row) for row in streaming.rows(conn, query, batch=1)]
    finally:
        engine.dispose()
    assert len(expected) == 2
    assert streamed == expected
    assert [type(v) for v in streamed[0]] == [type(v) for v in expected[0]]


def test_a_stream_left_early_leaves_the_read_usable(db_url):
    ok(db_url, "import", str(SAMPLE))
    engine = make_engine(db_url)
    try:
        with connection_scope(engine) as conn:
            numbers = streaming.rows(conn, MANY, batch=100)
            assert [next(numbers)[0] for _ in range(3)] == [1, 2, 3]
            numbers.close()  # the query is stopped, the transaction goes on
            assert conn.scalar(select(func.count()).select_from(outlets)) > 0
            assert [row[0] for row in streaming.rows(conn, select(func.count()), batch=10)] == [1]
    finally:
        engine.dispose()


def test_a_stream_left_open_does_not_hold_up_the_end_of_the_read(db_url):
    engine = make_engine(db_url)
    ended = threading.Event()
    kept = []

    def read() -> None:
        with connection_scope(engine) as conn:
            numbers = streaming.rows(conn, MANY, batch=100)
            next(numbers)
            kept.append(numbers)  # still referenced, never closed, when the read ends
        with engine.connect() as conn:  # no transaction: the connection goes back to the pool
            numbers = streaming.rows(conn, MANY, batch=100)
            next(numbers)
            kept.append(numbers)
        with connection_scope(engine) as conn:
            conn.scalar(select(1))
        ended.set()

    worker = threading.Thread(target=read, daemon=True)
    try:
        worker.start()
        assert ended.wait(60), "the read's end waited for a stream left open"
    finally:
        engine.dispose()
