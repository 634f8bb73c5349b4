"""Fixtures shared by the whole suite: a real database per test, and no user state.

``PROV_TEST_DATABASE_URL`` unset: each test gets a fresh SQLite file. Set (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``): each test gets its own fresh
PostgreSQL schema, reached through ``options=-csearch_path=<schema>`` in the URL so
that every connection prov opens (the CLI's included) lands in it. A set variable and
an unreachable server is an error, never a skip: in CI a missing PostgreSQL fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from provenance.db.engine import make_engine
from provenance.db.migrate import ensure_schema

TEST_DB_ENV = "PROV_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's config, database and data directories."""
    monkeypatch.setenv("PROV_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("PROV_DB", "PROV_LEXICON", "PROV_TOLERANCE", "PROV_WINDOW_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of the backend under test."""
    server = os.environ.get(TEST_DB_ENV)
    if not server:
        yield f"sqlite:///{tmp_path}/prov.db"
        return
    schema = f"prov_test_{uuid.uuid4().hex}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # an unreachable server makes the test error, not skip
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(server, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _with_search_path(server: str, schema: str) -> str:
    """The server URL with libpq ``options`` setting the search_path to ``schema``."""
    url = make_url(server)
    options = " ".join(filter(None, [url.query.get("options"), f"-csearch_path={schema}"]))
    return url.update_query_dict({"options": options}).render_as_string(hide_password=False)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database, its schema created by the migrations."""
    eng = make_engine(db_url)
    ensure_schema(eng)
    yield eng
    eng.dispose()
