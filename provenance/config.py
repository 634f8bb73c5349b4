"""Where the database is, and the analysis settings.

Settings live in one place: built-in defaults, overridden by a TOML file
(``$PROV_CONFIG``, else ``prov.toml`` in the user's config directory), overridden
by environment variables. The README lists every key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from provenance.errors import InvalidInput

APP = "prov"
DB_ENV = "PROV_DB"
CONFIG_ENV = "PROV_CONFIG"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP) / "prov.db"


def resolve_db_url(db: str | None = None) -> str:
    """``--db``, else ``$PROV_DB``, else the default file; a path or a SQLAlchemy URL."""
    target = db or os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


@dataclass(frozen=True)
class Settings:
    # "about X" is X ± this fraction
    tolerance: float = 0.10
    # two figures this many days apart or fewer describe the same moment
    window_days: int = 3
    # a user lexicon file that adds to or overrides the shipped one
    lexicon: str | None = None


_ENV = {"tolerance": "PROV_TOLERANCE", "window_days": "PROV_WINDOW_DAYS", "lexicon": "PROV_LEXICON"}


def config_path() -> Path:
    from platformdirs import user_config_path

    return Path(os.environ.get(CONFIG_ENV) or user_config_path(APP) / "prov.toml")


def load_settings() -> Settings:
    values: dict[str, object] = {}
    path = config_path()
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(f"config file {path}: {exc}") from exc
    values.update({k: os.environ[v] for k, v in _ENV.items() if v in os.environ})
    return _coerce(values, str(path))


def _coerce(values: dict[str, object], origin: str) -> Settings:
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise InvalidInput(f"{origin}: unknown setting(s): {', '.join(unknown)}")
    out: dict[str, object] = {}
    for name, value in values.items():
        kind = {"tolerance": float, "window_days": int, "lexicon": str}[name]
        try:
            out[name] = kind(value)
        except (TypeError, ValueError):
            noun = {"float": "a number", "int": "a whole number", "str": "text"}[kind.__name__]
            raise InvalidInput(f"setting {name}: {value!r} is not {noun}") from None
    settings = Settings(**out)  # type: ignore[arg-type]
    if not 0 <= settings.tolerance < 1:
        raise InvalidInput(f"setting tolerance: {settings.tolerance} must be in [0, 1)")
    if settings.window_days < 0:
        raise InvalidInput(f"setting window_days: {settings.window_days} must be >= 0")
    return settings
