"""How names and aliases are compared."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """The form under which two actor names or aliases count as the same.

    Case, spaces, hyphens, punctuation and accents are ignored, so
    "Shin Won-sik", "Shin Wonsik" and "shin won sik" share one key.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def outlet_key(name: str) -> str:
    """Outlet names are unique ignoring case and runs of white space."""
    return " ".join(name.casefold().split())
