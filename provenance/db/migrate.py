"""Schema upgrades: checked with one query on every open, Alembic only to upgrade.

Importing Alembic costs most of a second, so an up-to-date database is recognised
by reading ``alembic_version`` and comparing it with ``HEAD``, the newest revision
this package ships (a test keeps the two in step).
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from provenance.errors import ProvError

HEAD = "0003"


def migrations_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    bundled = package / "_migrations"  # inside an installed wheel
    return bundled if bundled.is_dir() else package.parent / "alembic"


def alembic_config():
    """Alembic's configuration; prov hands env.py its connection, never a URL (a URL in
    a ConfigParser breaks on '%', as in percent-encoded passwords or options)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def current_revision(engine: Engine) -> str | None:
    """The schema revision, None before first use; a database that cannot be reached
    is an error, not an empty one."""
    with engine.connect() as conn:
        try:
            with conn.begin_nested() if conn.dialect.name == "postgresql" else nullcontext():
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError as exc:
            if _no_such_table(exc):
                return None
            raise


def _no_such_table(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    return "no such table" in message or "does not exist" in message


def ensure_schema(engine: Engine) -> None:
    """Create or upgrade the schema on first use; nothing to do when it is current."""
    if current_revision(engine) != HEAD:
        upgrade(engine)


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic.util import CommandError

    from alembic import command

    config = alembic_config()
    with engine.execution_options(prov_writer=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two first uses at once: the second waits, then finds nothing to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(74716)"))
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, revision)
        except CommandError as exc:
            raise ProvError(f"cannot upgrade the database: {exc}") from exc


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.execution_options(prov_writer=True).begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
