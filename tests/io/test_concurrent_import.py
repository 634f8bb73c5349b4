"""Two `prov import` processes loading overlapping files into one database at once."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, func, select

from provenance.db.models import Actor, ActorAlias, Article, Assertion, Claim, Outlet

HEADER = ["claim_key", "claim_text", "outlet", "via", "article_url", "speaker", "cites", "wording"]
ROWS = 1_500  # rows per file; the files share the middle third


def _row(i: int) -> list[str]:
    """Row i: claims, outlets, actors and articles that rows of both files name."""
    return [
        f"claim-{i // 3:05d}",
        f"Claim number {i // 3}",
        f"Outlet {i // 2 % 17}",  # an article's outlet and wire: those of its URL
        "Wire A" if i // 2 % 5 == 0 else "",
        f"https://example.org/{i // 2}",
        f"Speaker {i % 41}",
        f"Source {i % 13}" if i % 4 else "",
        "said",
    ]


def _write(path: Path, rows: range) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(_row(i) for i in rows)


def _prov(db_url: str, *args: str) -> subprocess.Popen:
    env = os.environ | {"PROV_DB": db_url}
    command = [sys.executable, "-m", "provenance", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_imports_at_once_add_everything_once(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    _write(first, range(0, ROWS))
    _write(second, range(ROWS * 2 // 3, ROWS * 2 // 3 + ROWS))
    runs = [_prov(db_url, "import", str(path)) for path in (first, second)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
        assert b"locked" not in err
        assert b"UNIQUE" not in err.upper()

    everything = range(0, ROWS * 2 // 3 + ROWS)
    with engine.connect() as conn:

        def count(column) -> tuple[int, int]:
            total = conn.execute(select(func.count(column))).scalar()
            distinct = conn.execute(select(func.count(func.distinct(column)))).scalar()
            return total, distinct

        assert count(Outlet.name_key) == (18, 18)  # 17 outlets and the wire
        assert count(Actor.name) == (54, 54)  # 41 speakers and 13 sources
        assert count(ActorAlias.key) == (54, 54)
        articles = len({_row(i)[4] for i in everything})
        assert count(Article.url) == (articles, articles)
        claims = len({_row(i)[0] for i in everything})
        assert count(Claim.key) == (claims, claims)
        # every row of both files is a distinct statement
        assert conn.execute(select(func.count()).select_from(Assertion)).scalar() == len(everything)


def test_a_record_added_meanwhile_is_taken_not_duplicated(engine: Engine) -> None:
    """A writer that takes no turn added the outlet after the import looked it up."""
    from sqlalchemy import insert

    from provenance.analysis.confidence import default_lexicon
    from provenance.db.engine import session_scope
    from provenance.io.importer import _Run

    row = {"name": "AFP", "name_key": "afp", "kind": "wire", "url": None, "country": None}
    with session_scope(engine, write=True) as s:
        s.execute(insert(Outlet), [row | {"reliability": "B"}])
        run = _Run(s, default_lexicon(), 0.1)
        ids = run._insert(Outlet, [row | {"reliability": "F"}], ("name_key",))
        assert ids == [s.scalar(select(Outlet.id))]
        assert s.scalar(select(func.count()).select_from(Outlet)) == 1


@contextmanager
def another_writers_turn(engine: Engine) -> Iterator[None]:
    """Another writer's transaction, open until the block ends: SQLite's write lock
    (taken at BEGIN), PostgreSQL's import lock."""
    from provenance.db.engine import session_scope
    from provenance.io.importer import _serialise

    with session_scope(engine, write=True) as s:
        _serialise(s)
        s.execute(select(1))
        yield


def _first_line(stream: IO[bytes], timeout: float) -> str:
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0].decode() if lines else ""


def test_an_import_kept_waiting_says_so_and_goes_on(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    source = tmp_path / "rows.csv"
    _write(source, range(0, 30))
    with another_writers_turn(engine):
        run = _prov(db_url, "import", str(source))
        first = _first_line(run.stderr, timeout=60)  # type: ignore[arg-type]
    _, err = run.communicate(timeout=300)
    assert first == "waiting for another prov command to finish writing to this database\n"
    assert run.returncode == 0, err.decode()
    assert b"imported 30 records" in err
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Assertion)).scalar() == 30
