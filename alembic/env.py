"""Alembic environment: prov passes its own connection; the alembic CLI gets a URL."""

from __future__ import annotations

import os

from sqlalchemy import create_engine

from alembic import context
from provenance.db.models import Base

target_metadata = Base.metadata
config = context.config


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from provenance.config import resolve_db_url

    url = resolve_db_url(os.environ.get("PROV_DB") or config.get_main_option("sqlalchemy.url"))
    with create_engine(url).connect() as conn:
        run(conn)
