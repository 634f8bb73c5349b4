"""Import documents and flat CSV: all or nothing, idempotent, in bulk.

A document from ``readers`` is one batch, resolved with one query per entity kind for
the names it does not already know and written with Core ``insert()`` executemany; a
flat CSV is staged and resolved in SQL by ``flat``. Sources are written in turn, so
that later ones resolve against earlier ones; every problem is collected, and if there
is any, the import's savepoint is rolled back and ``ImportRefused`` lists them all (the
caller's transaction is rolled back too).

The work per entity kind lives in mixins of ``resolve._Resolver``: ``outlets``,
``actors`` (with aliases and part_of), ``articles``, ``claims`` (with relations) and
``assertions``; their decisions are in their own docstrings.

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- Concurrent imports: SQLite writers take turns (BEGIN IMMEDIATE); PostgreSQL imports
  take turns on a transaction-level advisory lock (two long transactions creating
  overlapping records in different orders would otherwise deadlock). Records are still
  inserted with ON CONFLICT DO NOTHING for writers that take no such turn (``resolve``).
- Problems are listed by source (in the order given), then by place (line 9 before
  line 10); a record refused for a bad field is not reported again where it is named.
- ``progress(n)`` is called after each batch with the records it read (an increment).
- Memory is bounded: the maps of known names are dropped when they pass
  ``CACHE_LIMIT`` entries (the next batch asks the database again).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.analysis.confidence import Lexicon, Reading, default_lexicon
from provenance.errors import ImportRefused, Problem
from provenance.io.actors import _Actors
from provenance.io.articles import _Articles
from provenance.io.assertions import _Assertions
from provenance.io.claims import _Claims
from provenance.io.fields import _Checker
from provenance.io.flat import _Flat
from provenance.io.outlets import _Outlets
from provenance.io.readers import STDIN, Batch, opened, read_document
from provenance.io.resolve import _Known

ENTITIES = ("outlets", "actors", "aliases", "articles", "claims", "assertions", "relations")
CACHE_LIMIT = 10_000  # entries per map before it is dropped (the database still knows)
IMPORT_LOCK = 0x70726F76  # "prov": the advisory lock PostgreSQL imports take turns on


@dataclass
class ImportReport:
    added: dict[str, int]
    seen: int
    warnings: list[str]


def import_sources(
    session: Session,
    sources: Sequence[str],
    *,
    fmt: str | None = None,
    stdin: TextIO | None = None,
    lexicon: Lexicon | None = None,
    tolerance: float = 0.10,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every source in one savepoint; ImportRefused lists every problem."""
    run = _Run(session, lexicon or default_lexicon(), tolerance)
    seen = 0
    _serialise(session)
    with session.begin_nested():  # rolled back when ImportRefused leaves the block
        for source in sources:
            run.source = STDIN if source == "-" else source
            check = _Checker(run.source, run.problems, tolerance)
            with opened(source, fmt=fmt, stdin=stdin, check=check) as found:
                if found is None:
                    continue
                kind, stream = found
                if kind == "csv":
                    seen += run._flat(stream, check, progress)
                    continue
                batch = read_document(stream, kind, check)
                run.apply(batch)
                seen += batch.size
                if progress:
                    progress(batch.size)
        if run.problems:
            raise ImportRefused(_in_order(run.problems, sources))
    return ImportReport(run.added, seen, run.warnings)


def _serialise(session: Session) -> None:
    """Imports into PostgreSQL take turns, as SQLite's BEGIN IMMEDIATE writers do.

    Two long import transactions that create overlapping records would otherwise wait
    on each other's uncommitted unique keys in whatever order their files name them,
    and deadlock; the lock is held until the caller's transaction ends.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite: the write lock taken at BEGIN (db.engine)
    key = (IMPORT_LOCK, func.hashtext(func.current_schema()))
    if session.execute(select(func.pg_try_advisory_xact_lock(*key))).scalar():
        return
    if on_wait := bind.get_execution_options().get("prov_on_wait"):
        on_wait()
    session.execute(select(func.pg_advisory_xact_lock(*key)))


class _Run(_Flat, _Outlets, _Actors, _Articles, _Claims, _Assertions):
    def __init__(self, session: Session, lexicon: Lexicon, tolerance: float) -> None:
        self.session, self.lexicon, self.tolerance = session, lexicon, tolerance
        self.dialect = session.get_bind().dialect.name
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.added = dict.fromkeys(ENTITIES, 0)
        self.source = ""
        self.failed: dict[str, set] = {}
        self.outlets: dict[str, _Known] = {}  # outlet_key -> outlet
        self.actors: dict[str, _Known] = {}  # name_key of a name or alias -> actor
        self.articles: dict[object, _Known] = {}  # url | (outlet_key, title, published)
        self.titles: dict[str, Any] = {}  # title of a URL-less article -> _Known | AMBIGUOUS
        self.claims: dict[str, _Known] = {}  # key -> claim
        self.origins: dict[int, int | None] = {}  # actor id -> its group as an origin
        self.readings: dict[str, Reading] = {}
        self.warned: set[str] = set()
        self.stored: dict[str, int] = {}  # flat: the largest ids before the current source

    def apply(self, batch: Batch) -> None:
        self.failed, self.titles = batch.failed, {}
        self._outlets(batch)
        self._actors(batch)
        self._articles(batch)
        self._claims(batch)
        self._assertions(batch)
        self._relations(batch)
        for cache in (self.outlets, self.actors, self.articles, self.claims, self.readings):
            if len(cache) > CACHE_LIMIT:
                cache.clear()


def _in_order(problems: list[Problem], sources: Sequence[str]) -> list[Problem]:
    """By source as given, then by place: line 9 before line 10, claims[2] before claims[10]."""
    rank = {STDIN if s == "-" else s: i for i, s in reversed(list(enumerate(sources)))}

    def place(p: Problem) -> tuple:
        parts = re.split(r"(\d+)", p.where)
        return (rank.get(p.source, 0), [int(x) if x.isdigit() else x for x in parts])

    return sorted(problems, key=place)
