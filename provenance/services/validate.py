"""Checks shared by the CLI, the services and the importer: each returns the clean
value or raises InvalidInput saying why."""

from __future__ import annotations

import datetime as dt
import re

from provenance.errors import InvalidInput

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def choice(value: str | None, allowed: tuple[str, ...], field: str, default: str) -> str:
    if value is None or value == "":
        return default
    clean = value.strip().lower()
    if clean not in allowed:
        raise InvalidInput(f"{field} {value!r} is not one of: {', '.join(allowed)}")
    return clean


def reliability(value: str | None) -> str:
    return choice(value, tuple("abcdef"), "reliability", "f").upper()


def date(value: object, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{field} {value!r} is not a date (YYYY-MM-DD)") from None


def text(value: object, field: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(f"{field} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidInput(f"{field} must be text, not {type(value).__name__}")
    return str(value).strip()


def key(value: object) -> str:
    clean = text(value, "key", required=True)
    assert clean is not None
    if not _SLUG.match(clean):
        raise InvalidInput(
            f"key {clean!r} must be a slug: lower-case letters, digits, '.', '_' and '-'"
        )
    return clean


def number(value: object, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number, not {value!r}")
    try:
        result = float(str(value).replace(",", "").replace("_", ""))
    except ValueError:
        raise InvalidInput(f"{field} {value!r} is not a number") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise InvalidInput(f"{field} {value!r} is not a finite number")
    return result


def flag(value: object, field: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    clean = str(value).strip().lower()
    if clean in ("true", "yes", "1", "y"):
        return True
    if clean in ("false", "no", "0", "n"):
        return False
    raise InvalidInput(f"{field} {value!r} is not true or false")


def offset(value: object, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        result = int(str(value))
    except ValueError:
        raise InvalidInput(f"{field} {value!r} is not a whole number") from None
    if result < 0:
        raise InvalidInput(f"{field} must not be negative")
    return result
