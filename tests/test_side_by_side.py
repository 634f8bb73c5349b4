"""Queries side by side: connections on one snapshot (``engine.same_snapshot``), a
statement started in a thread (``db.background.started``), and `prov contradictions`,
whose challenges are queried beside its numeric pairs, giving the same rows either way."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import exc, func, select, text

from provenance.db.background import started
from provenance.db.engine import make_engine, same_snapshot
from provenance.db.tables import outlets
from provenance.services.contradictions import list_contradictions
from tests.cli import ok

GENERATE = Path(__file__).parent.parent / "benchmarks" / "generate.py"


@pytest.fixture
def desk(db_url: str, tmp_path: Path) -> str:
    """A small synthetic desk (the benchmark's generator) with numeric conflicts,
    challenges and two contradicts relations."""
    out = tmp_path / "desk"
    generate = [sys.executable, str(GENERATE), "--assertions", "3000", "--out", str(out)]
    subprocess.run(generate, check=True, capture_output=True)
    ok(db_url, "import", str(out / "structure.json"), str(out / "assertions.csv"))
    ok(db_url, "relate", "claim-0000001", "contradicts", "claim-0000002", "--note", "a note")
    ok(db_url, "relate", "claim-0000004", "contradicts", "claim-0000003")
    return db_url


def query_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "prov-query"]


def test_contradictions_beside_a_second_connection_are_the_same_rows(desk):
    engine = make_engine(desk)
    try:
        with same_snapshot(engine, 1) as [conn]:
            alone = list(list_contradictions(conn))
        with same_snapshot(engine, 2) as conns:
            assert len(conns) == 2
            conn, beside = conns
            with closing(list_contradictions(conn, beside=beside)) as rows:
                together = list(rows)
    finally:
        engine.dispose()
    kinds = [r["kind"] for r in alone]
    assert kinds.count("relation") == 2
    assert kinds.count("numeric") > 10
    assert kinds.count("challenge") > 10
    assert together == alone
    assert query_threads() == []


def test_an_unfinished_listing_closed_stops_its_thread(desk):
    engine = make_engine(desk)
    try:
        with same_snapshot(engine, 2) as [conn, beside]:
            rows = list_contradictions(conn, beside=beside)
            assert next(rows)["kind"] == "numeric"
            rows.close()
            assert query_threads() == []
            # both connections are free again, in the same transaction as before
            assert conn.execute(select(func.count()).select_from(outlets)).scalar_one() > 0
    finally:
        engine.dispose()


def test_connections_on_one_snapshot_do_not_see_a_later_commit(db_url, engine):
    ok(db_url, "outlet", "add", "Before")
    with same_snapshot(engine, 2) as conns:
        assert len(conns) == 2
        count = select(func.count()).select_from(outlets)
        before = [conn.execute(count).scalar_one() for conn in conns]
        ok(db_url, "outlet", "add", "Later")
        after = [conn.execute(count).scalar_one() for conn in conns]
    assert before == after == [1, 1]
    with same_snapshot(engine, 2) as conns:
        assert [conn.execute(count).scalar_one() for conn in conns] == [2, 2]


def test_a_writer_at_work_leaves_sqlite_one_connection_at_once(engine):
    """SQLite's snapshots are taken under the write lock; a writer holding it is not
    waited for: the caller gets one connection and runs its queries in turn.
    PostgreSQL's snapshot is exported whatever the writers do."""
    writer = engine.execution_options(prov_writer=True)
    with writer.begin() as conn:  # prov's writers take the lock at BEGIN
        conn.execute(select(func.count()).select_from(outlets))
        with same_snapshot(engine, 2) as conns:
            given = len(conns)
    assert given == (1 if engine.dialect.name == "sqlite" else 2)


def test_a_database_in_memory_gives_one_connection():
    engine = make_engine("sqlite://")
    try:
        with same_snapshot(engine, 3) as conns:
            assert len(conns) == 1
    finally:
        engine.dispose()


def test_a_started_statement_raises_its_error_where_its_rows_are_read(engine):
    missing = text("SELECT * FROM no_such_table")
    with (
        same_snapshot(engine, 1) as [conn],
        started(conn, missing, batch=10) as rows,
        pytest.raises(exc.DBAPIError, match="no_such_table"),
    ):
        list(rows)
    assert query_threads() == []


def test_a_started_statement_left_unread_is_interrupted(engine):
    # minutes of work on either backend, unless interrupted
    slow = {
        "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 1000000000) SELECT count(*) FROM n",
        "postgresql": "SELECT pg_sleep(300)",
    }[engine.dialect.name]
    with same_snapshot(engine, 1) as [conn]:
        begun = time.monotonic()
        with started(conn, text(slow), batch=10):
            time.sleep(0.2)  # the statement is running
        assert query_threads() == []
        assert time.monotonic() - begun < 60
