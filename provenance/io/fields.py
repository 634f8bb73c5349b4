"""Clean and check the fields of the records a source gives.

Every field is checked here with ``services.validate``; a bad field is a ``Problem``
(reported by ``_Checker``) and the reader leaves its record out of the batch.

Decisions (the lead's, or ours where PRODUCT.md is silent):

- Empty values (missing, null, blank) mean "not given"; defaults (kind ``other``,
  reliability ``F``, stance ``asserts``, booleans false) apply only when a record is
  created, never when an existing one is compared.
- Figures: explicit ``low``/``high`` win over the ``quantity`` phrase; when either is
  given the interval is taken from ``low``, ``high``, ``low_open`` and ``high_open``
  alone (an open flag needs its end), and the phrase is only stored as written.
  Otherwise the phrase is parsed with the tolerance setting.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from provenance.analysis.names import name_key, outlet_key
from provenance.analysis.quantity import parse_quantity
from provenance.errors import InvalidInput, Problem
from provenance.services import validate
from provenance.vocabulary import (
    ACTOR_KINDS,
    CONFIDENCE_LEVELS,
    OUTLET_KINDS,
    RELATION_KINDS,
    STANCES,
)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _choice(allowed: tuple[str, ...], name: str) -> Callable[[Any], str]:
    return lambda v: validate.choice(v if isinstance(v, str) else str(v), allowed, name, "")


def _aliases(value: object) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInput("aliases must be a list of names")
    return [a for a in (validate.text(v, "alias") for v in value) if a]


def _full_text(value: object) -> str:
    # kept exactly as given: quote offsets point into it
    if not isinstance(value, str):
        raise InvalidInput(f"text must be text, not {type(value).__name__}")
    return value


def _reliability(value: object) -> str:
    return validate.reliability(str(value))


def _text(name: str) -> Callable[[Any], str | None]:
    def clean(value: object) -> str | None:
        return validate.text(value, name)

    clean.plain_text = True  # type: ignore[attr-defined]
    return clean


CLEANERS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "outlet": {
        "name": _text("name"),
        "kind": _choice(OUTLET_KINDS, "kind"),
        "url": _text("url"),
        "country": _text("country"),
        "reliability": _reliability,
    },
    "actor": {
        "name": _text("name"),
        "kind": _choice(ACTOR_KINDS, "kind"),
        "part_of": _text("part_of"),
        "aliases": _aliases,
    },
    "article": {
        "url": _text("url"),
        "outlet": _text("outlet"),
        "via": _text("via"),
        "published": lambda v: validate.date(v, "published"),
        "title": _text("title"),
        "byline": _text("byline"),
        "text": _full_text,
    },
    "claim": {
        "key": validate.key,
        "text": _text("text"),
        "topic": _text("topic"),
        "quantity": _text("quantity"),
        "low": lambda v: validate.number(v, "low"),
        "low_open": lambda v: validate.flag(v, "low_open"),
        "high": lambda v: validate.number(v, "high"),
        "high_open": lambda v: validate.flag(v, "high_open"),
        "unit": _text("unit"),
        "as_of": lambda v: validate.date(v, "as_of"),
        "since": lambda v: validate.date(v, "since"),
        "cumulative": lambda v: validate.flag(v, "cumulative"),
    },
    "assertion": {
        "article": _text("article"),
        "speaker": _text("speaker"),
        "cites": _text("cites"),
        "stance": _choice(STANCES, "stance"),
        "wording": _text("wording"),
        "confidence": _choice(CONFIDENCE_LEVELS, "confidence"),
        "quote": _text("quote"),
        "quote_start": lambda v: validate.offset(v, "quote_start"),
        "quote_end": lambda v: validate.offset(v, "quote_end"),
    },
    "relation": {
        "a": validate.key,
        "kind": _choice(RELATION_KINDS, "kind"),
        "b": validate.key,
        "note": _text("note"),
    },
}
# plain text fields: a string is only stripped (validate.text does no more to one)
TEXTS = {
    kind: {f for f, clean in cleaners.items() if getattr(clean, "plain_text", False)}
    for kind, cleaners in CLEANERS.items()
}
REQUIRED = {"outlet": ("name",), "actor": ("name",), "article": ("outlet",), "claim": ("key",)}
REQUIRED |= {"assertion": ("article",), "relation": ("a", "kind", "b")}
SECTIONS = {
    "outlets": "outlet",
    "actors": "actor",
    "articles": "article",
    "claims": "claim",
    "relations": "relation",
}


class _Checker:
    """Cleans one record's fields at a time, reporting each bad one as a problem."""

    def __init__(self, source: str, problems: list[Problem], tolerance: float) -> None:
        self.source, self.problems, self.tolerance = source, problems, tolerance
        self.bad = False  # set by report(); the caller resets it per record

    def report(self, where: str, name: str, why: str) -> None:
        self.problems.append(Problem(self.source, where, name, why))
        self.bad = True

    def clean(
        self, kind: str, raw: dict, where: str, names: dict[str, str], required: tuple = ()
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        cleaners, texts = CLEANERS[kind], TEXTS[kind]
        for key, value in raw.items():
            if type(value) is str:  # the fast path of every CSV cell
                stripped = value.strip()
                if not stripped:
                    continue
                if key in texts:
                    out[key] = stripped
                    continue
            elif value is None:
                continue
            try:
                out[key] = cleaners[key](value)
            except InvalidInput as exc:
                self.report(where, names.get(key, key), str(exc).removeprefix(f"{key} "))
        for key in required:
            if _empty(raw.get(key)):
                self.report(where, names.get(key, key), "is required")
        if kind == "claim":
            self._figure(out, where, names)
        elif kind == "assertion":
            self._offsets(out, where)
        elif kind == "article" and _empty(raw.get("url")) and _empty(raw.get("title")):
            url, title = names.get("url", "url"), names.get("title", "title")
            self.report(where, url, f"{url} or {title} is required")
        return out

    def _figure(self, out: dict[str, Any], where: str, names: dict[str, str]) -> None:
        low, high = out.pop("low", None), out.pop("high", None)
        lo_open, hi_open = out.pop("low_open", False), out.pop("high_open", False)
        for end, is_open, value in (("low", lo_open, low), ("high", hi_open, high)):
            if is_open and value is None:
                self.report(where, f"{end}_open", f"an open end needs {end}")
        empty = low is not None and high is not None and (low, lo_open) >= (high, not hi_open)
        if empty:  # low > high, or one number with an open end
            self.report(where, "high", f"low {low:g} to high {high:g} holds no value")
        if low is not None or high is not None:
            out["interval"] = (low, high, lo_open, hi_open)
        elif "quantity" in out:
            try:
                out["derived"] = _interval(out["quantity"], self.tolerance)
            except InvalidInput as exc:
                self.report(where, names.get("quantity", "quantity"), str(exc))

    def _offsets(self, out: dict[str, Any], where: str) -> None:
        start, end = out.get("quote_start"), out.get("quote_end")
        if start is not None and end is not None and start > end:
            self.report(where, "quote_end", f"{end} is before quote_start {start}")


@lru_cache(maxsize=4096)
def _interval(phrase: str, tolerance: float) -> tuple[float | None, float | None, bool, bool]:
    i = parse_quantity(phrase, tolerance=tolerance)
    return (i.low, i.high, i.low_open, i.high_open)


def _identity(kind: str, values: dict[str, Any]) -> object:
    """The key a record is known by, as far as its clean fields tell."""
    try:
        if kind == "outlet":
            return outlet_key(values["name"])
        if kind == "actor":
            return name_key(values["name"])
        if kind == "article":
            return values.get("url") or values.get("title")
        return values.get("key")
    except KeyError:
        return None
