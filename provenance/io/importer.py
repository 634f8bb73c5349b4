"""Import documents and flat CSV: all or nothing, idempotent, in bulk.

Each batch from ``readers`` (a whole document, or 5,000 CSV rows) is resolved with one
query per entity kind for the names it does not already know (small maps of names
to ids are kept between batches) and written with Core ``insert()`` executemany.
Valid records are written as they come, so that later batches resolve against them;
every problem is collected, and if there is any, the import's savepoint is rolled back
and ``ImportRefused`` lists them all (the caller's transaction is rolled back too).

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- Existing records are matched, never changed. A value given for an existing record
  that differs from the stored one is a problem naming both, and so is a value where
  the stored record has none (a value must not vanish silently). Repeated mentions in
  one import must agree the same way; the first fills what a later one leaves empty.
- Actors are matched by ``name_key`` of their name or any alias. New aliases listed
  for an existing actor are added (aliases only add names; nothing is overwritten).
  ``part_of`` is checked for cycles among the new actors (existing actors never
  change, so only they can close one); ``groups.refresh`` then sets the groups.
- Articles are known by URL; an article without one, in a document by its exact title
  (unique among URL-less articles), in CSV by (outlet, title, published).
- A figure is compared by its phrase; explicit low/high are compared only when given
  explicitly (a phrase read with another tolerance setting is not a conflict).
- Assertions of a batch are staged in a temporary table (``bulk``: executemany on
  SQLite, ``COPY`` on PostgreSQL); the statements already recorded are read back in one
  join and compared (wording, quote, offsets, a manual confidence) like any other
  record, and the rest go in with one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` on
  ``uq_assertions_identity``. A wording with no known cue warns once per distinct
  wording. ``group_id``: the group of the origin (cites, else speaker), NULL for none
  or an ``unnamed`` origin, the rule ``groups.origin_group_sql`` applies. New actors
  part of nothing are their own group (set directly); ``groups.refresh`` runs only
  when an import sets ``part_of``.
- Concurrent imports: SQLite writers take turns (BEGIN IMMEDIATE); PostgreSQL imports
  take turns on a transaction-level advisory lock (two long transactions creating
  overlapping records in different orders would otherwise deadlock). Outlets, actors,
  aliases, articles and claims are still inserted with ON CONFLICT DO NOTHING, in the
  order of their unique column, and re-selected, for writers that take no such turn.
- Problems are listed by source (in the order given), then by place (line 9 before
  line 10); a record refused for a bad field is not reported again where it is named.
- ``progress(n)`` is called after each batch with the records it read (an increment).
- Memory is bounded: the maps of known names are dropped when they pass
  ``CACHE_LIMIT`` entries (the next batch asks the database again).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple, TextIO

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from provenance.analysis import names
from provenance.analysis.confidence import Lexicon, Reading, default_lexicon
from provenance.analysis.quantity import Interval, format_number
from provenance.db.models import Actor, ActorAlias, Article, Assertion, Claim, Outlet, Relation
from provenance.errors import ImportRefused, Problem
from provenance.io import bulk
from provenance.io.readers import STDIN, Batch, Mention, read_source
from provenance.services import groups

# memoised: a CSV names the same outlets and actors on row after row
name_key = lru_cache(maxsize=1 << 16)(names.name_key)
outlet_key = lru_cache(maxsize=1 << 16)(names.outlet_key)
ENTITIES = ("outlets", "actors", "aliases", "articles", "claims", "assertions", "relations")
PAGE = 250  # rows per many-row INSERT … RETURNING: small prepared statements
IN_CHUNK = 1_000  # names per IN (...): well under SQLite's bound-parameter limit
CACHE_LIMIT = 10_000  # entries per map before it is dropped (the database still knows)
IMPORT_LOCK = 0x70726F76  # "prov": the advisory lock PostgreSQL imports take turns on
AMBIGUOUS = object()  # a title that several URL-less articles share
UNRESOLVED = object()  # a reference to nothing (already reported)


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
            batches = read_source(
                source, fmt=fmt, stdin=stdin, tolerance=tolerance, problems=run.problems
            )
            for batch in batches:
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
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(func.pg_advisory_xact_lock(IMPORT_LOCK, func.hashtext(func.current_schema())))
        )


class _Known(NamedTuple):
    id: int
    values: dict[str, Any]


def _same(value: object) -> object:
    return value


def _show(value: object) -> str:
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, tuple):
        return str(Interval(*value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _chunks(items: Iterable) -> Iterable[list]:
    items = list(items)
    for i in range(0, len(items), IN_CHUNK):
        yield items[i : i + IN_CHUNK]


OUTLET_FIELDS = dict.fromkeys(("kind", "url", "country", "reliability"), _same)
ACTOR_FIELDS = {"kind": _same, "part_of": name_key, "aliases": _same}
ARTICLE_FIELDS = {"outlet": outlet_key, "via": outlet_key}
ARTICLE_FIELDS |= dict.fromkeys(("title", "published", "byline", "text_sha256"), _same)
CLAIM_FIELDS = dict.fromkeys(
    ("text", "topic", "quantity", "unit", "as_of", "since", "cumulative", "interval"), _same
)
NAME, KEY = itemgetter("name"), itemgetter("key")


def NAME_KEY(v: dict[str, Any]) -> str:  # an actor mention's key
    return name_key(v["name"])


def OUTLET_KEY(v: dict[str, Any]) -> str:  # an outlet mention's key
    return outlet_key(v["name"])


def REF(v: dict[str, Any]) -> str:  # a label, like NAME and KEY
    return v.get("url") or v["title"]


CLAIM_COLUMNS = ("key", "text", "topic", "quantity", "unit", "as_of", "since", "cumulative")
CLAIM_COLUMNS += ("low", "high", "low_open", "high_open")
STATEMENT_FIELDS = ("wording", "quote", "quote_start", "quote_end")
# the unique column each created record is matched back on after ON CONFLICT DO NOTHING
UNIQUE = {"outlets": "name_key", "actors": "name", "articles": "url", "claims": "key"}
IDENTITY = tuple(
    Assertion.__table__.c[c] for c in ("claim_id", "article_id", "speaker_id", "cites_id", "stance")
)


class _Run:
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

    # ---- shared ---------------------------------------------------------------------

    def problem(self, m: Mention, field: str, why: str) -> None:
        self.problems.append(Problem(self.source, m.where, m.name(field), why))

    def _merge(self, what: str, mentions: list[Mention], keyf, fields: dict, label) -> dict:
        """One mention per key; later mentions fill gaps and must agree with the first."""
        merged: dict[object, Mention] = {}
        for m in mentions:
            key = keyf(m.values)
            first = merged.get(key)
            if first is None:
                merged[key] = Mention(m.where, dict(m.values), m.names)
                continue
            for field, new in m.values.items():
                old = first.values.get(field)
                if old is None:
                    first.values[field] = new
                elif isinstance(old, list):
                    old.extend(x for x in new if x not in old)
                elif field in fields and fields[field](old) != fields[field](new):
                    name = label(first.values)
                    why = f"{what} {name!r}: {_show(new)} here, {_show(old)} at {first.where}"
                    self.problem(m, field, why)
        return merged

    def _check(self, what: str, m: Mention, stored: dict, fields: dict, label) -> None:
        """A mention of an existing record: every value it gives must be the stored one."""
        for field, norm in fields.items():
            new, old = m.values.get(field), stored.get(field)
            if new is None or isinstance(new, list):
                continue
            if old is None or norm(new) != norm(old):
                why = f"{what} {label(m.values)!r} is recorded with {_show(old)}, not {_show(new)}"
                self.problem(m, field, why)

    def _insert(self, model, rows: list[dict], key: tuple[str, ...]) -> list[int]:
        """The ids of new rows, by Core executemany (the ORM bulk path runs one per row).

        ON CONFLICT DO NOTHING, in the order of the unique column, then a re-select: a
        writer outside this import may have added the same record since it was looked up.
        """
        if not rows:
            return []
        table = model.__table__
        unique = table.c[UNIQUE[table.name]]
        # matched back on `key`: SQLite batches RETURNING only when order need not be kept
        stmt = self._upsert(table).returning(table.c.id, *(table.c[k] for k in key))
        ordered = sorted(rows, key=lambda r: (r[unique.key] is None, r[unique.key] or ""))
        stmt = stmt.execution_options(insertmanyvalues_page_size=PAGE)
        ids = {tuple(r[1:]): r[0] for r in self._execute(stmt, ordered)}
        lost = {r[unique.key]: r for r in rows if tuple(r[k] for k in key) not in ids}
        for chunk in _chunks(lost):
            for r in self._select(select(table.c.id, unique).where(unique.in_(chunk))):
                ids[tuple(lost[r[1]][k] for k in key)] = r[0]
        return [ids[tuple(row[k] for k in key)] for row in rows]

    def _upsert(self, table):
        """INSERT … ON CONFLICT DO NOTHING in this database's dialect."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        return dialect_insert(table).on_conflict_do_nothing()

    def _select(self, stmt):
        """Core rows, without the ORM's loading layer."""
        return self.session.connection().execute(stmt)

    def _execute(self, stmt, rows: list[dict]):
        return self.session.connection().execute(stmt, rows)

    def _missing(self, m: Mention, field: str, kind: str, ref: str, why: str) -> None:
        """A dangling reference is a problem, unless it names a record already refused."""
        failed = self.failed.get(kind, ())
        if ref not in failed and _key(kind, ref) not in failed:
            self.problem(m, field, why)

    # ---- outlets ---------------------------------------------------------------------

    def _outlets(self, batch: Batch) -> None:
        merged = self._merge("outlet", batch.outlets, OUTLET_KEY, OUTLET_FIELDS, NAME)
        self._load_outlets(merged)
        new = []
        for key, m in merged.items():
            if known := self.outlets.get(key):
                self._check("outlet", m, known.values, OUTLET_FIELDS, NAME)
                continue
            v = m.values
            kind = v.get("kind") or v.get("new_kind") or "other"
            new.append({"name": v["name"], "name_key": key, "kind": kind, "url": v.get("url")})
            new[-1] |= {"country": v.get("country"), "reliability": v.get("reliability", "F")}
        for row, id_ in zip(new, self._insert(Outlet, new, ("name_key",)), strict=True):
            self.outlets[row["name_key"]] = _Known(id_, row)
        self.added["outlets"] += len(new)

    def _load_outlets(self, keys: Iterable[str]) -> None:
        columns = (Outlet.id, Outlet.name, Outlet.name_key, Outlet.kind, Outlet.url)
        columns += (Outlet.country, Outlet.reliability)
        for chunk in _chunks(k for k in keys if k not in self.outlets):
            for r in self._select(select(*columns).where(Outlet.name_key.in_(chunk))):
                self.outlets[r.name_key] = _Known(r.id, r._asdict())

    # ---- actors ----------------------------------------------------------------------

    def _actors(self, batch: Batch) -> None:
        merged = self._merge("actor", batch.actors, NAME_KEY, ACTOR_FIELDS, NAME)
        self._load_actors(_actor_keys(merged.values()))
        fresh = {key: m for key, m in merged.items() if key not in self.actors}
        rows = [
            {"name": m.values["name"], "kind": m.values.get("kind", "other")}
            for m in fresh.values()
        ]
        for key, row, id_ in zip(fresh, rows, self._insert(Actor, rows, ("name",)), strict=True):
            self.actors[key] = _Known(id_, row | {"part_of_id": None})
        for key, m in merged.items():
            if key not in fresh:
                self._check("actor", m, self.actors[key].values, {"kind": _same}, NAME)
        self._aliases(merged, fresh)
        linked = self._part_of(merged, fresh)
        self.added["actors"] += len(fresh)
        if linked:
            groups.refresh(self.session)
        elif fresh:  # part of nothing: each is its own group, and no assertion names it yet
            ids = [self.actors[key].id for key in fresh]
            for chunk in _chunks(ids):
                stmt = update(Actor.__table__).where(Actor.id.in_(chunk))
                self.session.connection().execute(stmt.values(group_id=Actor.id))

    def _aliases(self, merged: dict[str, Mention], fresh: dict[str, Mention]) -> None:
        """Every name an actor answers to, its own included, is one alias row."""
        rows = [
            {"actor_id": self.actors[key].id, "alias": m.values["name"], "key": key}
            for key, m in fresh.items()
        ]
        for key, m in merged.items():
            me = self.actors[key]
            for alias in m.values.get("aliases", []):
                owner = self.actors.get(name_key(alias))
                if owner is None:
                    rows.append({"actor_id": me.id, "alias": alias, "key": name_key(alias)})
                    self.actors[name_key(alias)] = me
                elif owner.id != me.id:
                    why = f"{alias!r} already names actor {owner.values['name']!r}"
                    self.problem(m, "aliases", why)
        if rows:
            rows.sort(key=itemgetter("key"))
            self._execute(self._upsert(ActorAlias.__table__), rows)
        self.added["aliases"] += len(rows)

    def _part_of(self, merged: dict[str, Mention], fresh: dict[str, Mention]) -> bool:
        """Set the part_of of new actors; whether any was set."""
        edges: dict[str, str] = {}  # new actor's key -> its parent's key
        for key, m in merged.items():
            parent = m.values.get("part_of")
            target = self.actors.get(name_key(parent)) if parent else None
            if parent and target is None:
                self._missing(m, "part_of", "actor", parent, f"no actor is named {parent!r}")
            elif target is not None and key in fresh:
                edges[key] = name_key(target.values["name"])
            elif target is not None and target.id != self.actors[key].values["part_of_id"]:
                was = self._actor_name(self.actors[key].values["part_of_id"])
                why = f"actor {m.values['name']!r} is recorded as part of {was}, not {parent!r}"
                self.problem(m, "part_of", why)
        for cycle in _cycles(edges):
            chain = " → ".join(merged[k].values["name"] for k in [*cycle, cycle[0]])
            self.problem(merged[cycle[0]], "part_of", f"part_of makes a cycle: {chain}")
            for key in cycle:
                del edges[key]
        updates = [
            {"id": self.actors[k].id, "part_of_id": self.actors[p].id} for k, p in edges.items()
        ]
        if updates:
            self.session.execute(update(Actor), updates)
        for key, parent in edges.items():
            self.actors[key].values["part_of_id"] = self.actors[parent].id
        return bool(updates)

    def _actor_name(self, actor_id: int | None) -> str:
        if actor_id is None:
            return "nothing"
        return repr(self._select(select(Actor.name).where(Actor.id == actor_id)).scalar())

    def _load_actors(self, keys: Iterable[str]) -> None:
        columns = (ActorAlias.key, Actor.id, Actor.name, Actor.kind, Actor.part_of_id)
        by_id: dict[int, _Known] = {}
        for chunk in _chunks(k for k in keys if k not in self.actors):
            stmt = select(*columns).join(Actor, ActorAlias.actor_id == Actor.id)
            for r in self._select(stmt.where(ActorAlias.key.in_(chunk))):
                values = {"name": r.name, "kind": r.kind, "part_of_id": r.part_of_id}
                self.actors[r.key] = by_id.setdefault(r.id, _Known(r.id, values))

    def _actor_id(self, m: Mention, role: str) -> int | object | None:
        name = m.values.get(role)
        if name is None:
            return None
        known = self.actors.get(name_key(name))
        if known is None:
            self._missing(m, role, "actor", name, f"no actor is named or aliased {name!r}")
            return UNRESOLVED
        return known.id

    # ---- articles --------------------------------------------------------------------

    def _articles(self, batch: Batch) -> None:
        self._load_outlets(
            outlet_key(m.values[f])
            for m in batch.articles
            for f in ("outlet", "via")
            if f in m.values
        )
        ready = [m for m in batch.articles if self._outlets_known(m)]
        for m in ready:
            if "text" in m.values:
                m.values["text_sha256"] = hashlib.sha256(m.values["text"].encode()).hexdigest()
        keyf = _csv_article_key if batch.implicit else _doc_article_key
        merged = self._merge("article", ready, keyf, ARTICLE_FIELDS, REF)
        self._load_articles(merged)
        new = []
        for key, m in merged.items():
            known = self._article(key)
            if known is AMBIGUOUS:
                self.problem(
                    m, "title", f"several articles without URL have this title: {key[1]!r}"
                )
            elif known is not None:
                self._check("article", m, known.values, ARTICLE_FIELDS, REF)
            else:
                new.append((key, m))
        rows = [self._article_row(m.values) for _, m in new]
        for (key, m), id_ in zip(
            new,
            self._insert(Article, rows, ("url", "outlet_id", "title", "published")),
            strict=True,
        ):
            self._remember(key, _Known(id_, m.values))
        self.added["articles"] += len(new)

    def _outlets_known(self, m: Mention) -> bool:
        found = True
        for field in ("outlet", "via"):
            name = m.values.get(field)
            if name and outlet_key(name) not in self.outlets:
                self._missing(m, field, "outlet", name, f"no outlet is named {name!r}")
                found = False
        return found

    def _article_row(self, v: dict[str, Any]) -> dict[str, Any]:
        via = v.get("via")
        row = {f: v.get(f) for f in ("url", "title", "published", "byline", "text", "text_sha256")}
        row["outlet_id"] = self.outlets[outlet_key(v["outlet"])].id
        row["via_id"] = self.outlets[outlet_key(via)].id if via else None
        return row

    def _article(self, key: object) -> Any:
        if isinstance(key, tuple) and key[0] is None:
            return self.titles.get(key[1])
        return self.articles.get(key)

    def _remember(self, key: object, known: _Known) -> None:
        if isinstance(key, tuple) and key[0] is None:
            self.titles[key[1]] = known
        else:
            self.articles[key] = known

    def _load_articles(self, keys: Iterable[object]) -> None:
        via = aliased(Outlet)
        base = (
            select(
                Article.id,
                Article.url,
                Article.title,
                Article.published,
                Article.byline,
                Article.text_sha256,
                Outlet.name.label("outlet"),
                via.name.label("via"),
            )
            .join(Outlet, Article.outlet_id == Outlet.id)
            .outerjoin(via, Article.via_id == via.id)
        )
        urls = [k for k in keys if isinstance(k, str) and k not in self.articles]
        titled = [k for k in keys if isinstance(k, tuple) and self._article(k) is None]
        for chunk in _chunks(urls):
            for r in self._select(base.where(Article.url.in_(chunk))):
                self.articles[r.url] = _Known(r.id, r._asdict())
        for chunk in _chunks({k[1] for k in titled}):
            stmt = base.where(Article.url.is_(None), Article.title.in_(chunk))
            for r in self._select(stmt):
                found = _Known(r.id, r._asdict())
                self.articles[_csv_article_key(found.values)] = found
                before = self.titles.get(r.title)
                same = before is None or (before is not AMBIGUOUS and before.id == r.id)
                self.titles[r.title] = found if same else AMBIGUOUS

    def _article_id(self, m: Mention, implicit: bool) -> int | None:
        ref = m.values["article"]
        if implicit:  # the row's own article, created when new
            known = self.articles.get(_csv_article_key(ref))
            return known.id if known else None
        known = self.articles.get(ref) or self.titles.get(ref)
        if known is AMBIGUOUS:
            self.problem(m, "article", f"several articles without URL have the title {ref!r}")
        elif known is None:
            self._missing(m, "article", "article", ref, f"no article has the URL or title {ref!r}")
        return known.id if isinstance(known, _Known) else None

    # ---- claims ----------------------------------------------------------------------

    def _claims(self, batch: Batch) -> None:
        merged = self._merge("claim", batch.claims, lambda v: v["key"], CLAIM_FIELDS, KEY)
        self._load_claims(merged)
        new = []
        for key, m in merged.items():
            if known := self.claims.get(key):
                self._check("claim", m, known.values, CLAIM_FIELDS, KEY)
            elif "text" in m.values:
                new.append(m)
            elif key not in self.failed["claim"]:
                self.problem(m, "text", "is required for a new claim")
        rows = [_claim_row(m.values) for m in new]
        for row, id_ in zip(rows, self._insert(Claim, rows, ("key",)), strict=True):
            self.claims[row["key"]] = _Known(id_, _claim_values(row))
        self.added["claims"] += len(new)

    def _load_claims(self, keys: Iterable[str]) -> None:
        columns = [Claim.id, *(getattr(Claim, f) for f in CLAIM_COLUMNS)]
        for chunk in _chunks(k for k in keys if k not in self.claims):
            for r in self._select(select(*columns).where(Claim.key.in_(chunk))):
                self.claims[r.key] = _Known(r.id, _claim_values(r._asdict()))

    # ---- assertions ------------------------------------------------------------------

    def _assertions(self, batch: Batch) -> None:
        if not batch.assertions:
            return
        roles = ("speaker", "cites")
        self._load_actors(
            name_key(m.values[r]) for m in batch.assertions for r in roles if r in m.values
        )
        if not batch.implicit:
            refs = {m.values["article"] for m in batch.assertions}
            self._load_articles([*refs, *((None, r) for r in refs)])
        rows: dict[tuple, tuple[Mention, dict]] = {}
        for m in batch.assertions:
            row = self._assertion_row(m, batch.implicit)
            if row is None:
                continue
            identity = tuple(row[c.key] for c in IDENTITY)
            if first := rows.get(identity):
                self._same_statement(m, row, first[1], f"at {first[0].where}", fill=True)
            else:
                rows[identity] = (m, row)
        self._set_groups([row for _, row in rows.values()])
        self._insert_assertions(rows)

    def _assertion_row(self, m: Mention, implicit: bool) -> dict[str, Any] | None:
        v = m.values
        claim = self.claims.get(v["claim"])
        article_id = self._article_id(m, implicit)
        speaker_id, cites_id = self._actor_id(m, "speaker"), self._actor_id(m, "cites")
        if claim is None or article_id is None or UNRESOLVED in (speaker_id, cites_id):
            return None
        row = {"claim_id": claim.id, "article_id": article_id, "speaker_id": speaker_id}
        row |= {"cites_id": cites_id, "stance": v.get("stance", "asserts")}
        row |= {f: v.get(f) for f in STATEMENT_FIELDS}
        if "confidence" in v:
            return row | {"confidence": v["confidence"], "confidence_manual": True}
        return row | {"confidence": self._level(m, v.get("wording")), "confidence_manual": False}

    def _level(self, m: Mention, wording: str | None) -> str:
        reading = self.readings.get(wording or "")
        if reading is None:
            reading = self.readings[wording or ""] = self.lexicon.classify(wording)
        if wording and not reading.known and wording.casefold() not in self.warned:
            self.warned.add(wording.casefold())
            self.warnings.append(
                f"{self.source}, {m.where}: wording {wording!r} holds no known cue; "
                "taken as asserted (extend the lexicon)"
            )
        return reading.level

    def _same_statement(self, m: Mention, new: dict, old: dict, where: str, fill=False) -> None:
        """A statement met again: what it says must agree (a repeat in this import fills)."""
        if fill and new["confidence_manual"] and not old["confidence_manual"]:
            old["confidence"], old["confidence_manual"] = new["confidence"], True
        fields = [*STATEMENT_FIELDS, *(("confidence",) if new["confidence_manual"] else ())]
        for field in fields:
            if fill and old[field] is None:
                old[field] = new[field]
            elif new[field] is not None and new[field] != old[field]:
                why = f"the same statement has {_show(old[field])} {where}, not {_show(new[field])}"
                self.problem(m, field, why)

    def _set_groups(self, rows: list[dict]) -> None:
        """group_id: the group of the origin (cites, else speaker); None if unnamed."""
        origins = {r["cites_id"] or r["speaker_id"] for r in rows} - {None}
        for chunk in _chunks(origins - self.origins.keys()):
            stmt = select(Actor.id, Actor.kind, Actor.group_id).where(Actor.id.in_(chunk))
            for r in self._select(stmt):
                self.origins[r.id] = None if r.kind == "unnamed" else r.group_id
        for r in rows:
            origin = r["cites_id"] or r["speaker_id"]
            r["group_id"] = self.origins[origin] if origin else None

    def _insert_assertions(self, rows: dict[tuple, tuple[Mention, dict]]) -> None:
        """New statements are inserted; those already recorded must agree with this import."""
        if not rows:
            return
        staged = list(rows.values())
        conn = self.session.connection()
        bulk.stage(conn, [row for _, row in staged])
        for pos, stored in bulk.recorded(conn):
            m, row = staged[pos]
            self._same_statement(m, row, stored, "recorded")
        self.added["assertions"] += bulk.insert_staged(conn)

    # ---- relations -------------------------------------------------------------------

    def _relations(self, batch: Batch) -> None:
        self._load_claims(m.values[end] for m in batch.relations for end in ("a", "b"))
        merged: dict[tuple, Mention] = {}
        for m in batch.relations:
            ends = [self._claim_id(m, end) for end in ("a", "b")]
            if None in ends:
                continue
            if ends[0] == ends[1]:
                self.problem(m, "b", "a relation joins two different claims")
                continue
            identity = (ends[0], m.values["kind"], ends[1])
            if first := merged.get(identity):
                self._same_note(m, first.values.get("note"), f"at {first.where}")
            else:
                merged[identity] = m
        self._insert_relations(merged)

    def _claim_id(self, m: Mention, end: str) -> int | None:
        known = self.claims.get(m.values[end])
        if known is None:
            self._missing(m, end, "claim", m.values[end], f"no claim has the key {m.values[end]!r}")
        return known.id if known else None

    def _same_note(self, m: Mention, old: str | None, where: str) -> None:
        new = m.values.get("note")
        if new is not None and new != old:
            self.problem(m, "note", f"the same relation has {_show(old)} {where}, not {_show(new)}")

    def _insert_relations(self, merged: dict[tuple, Mention]) -> None:
        stored: dict[tuple, str | None] = {}
        for chunk in _chunks({a for a, _, _ in merged}):
            stmt = select(Relation.a_id, Relation.kind, Relation.b_id, Relation.note)
            for r in self._select(stmt.where(Relation.a_id.in_(chunk))):
                stored[(r.a_id, r.kind, r.b_id)] = r.note
        rows = []
        for identity, m in merged.items():
            if identity in stored:
                self._same_note(m, stored[identity], "recorded")
            else:
                rows.append(dict(zip(("a_id", "kind", "b_id"), identity, strict=True)))
                rows[-1]["note"] = m.values.get("note")
        if rows:
            self._execute(insert(Relation.__table__), rows)
        self.added["relations"] += len(rows)


def _in_order(problems: list[Problem], sources: Sequence[str]) -> list[Problem]:
    """By source as given, then by place: line 9 before line 10, claims[2] before claims[10]."""
    rank = {STDIN if s == "-" else s: i for i, s in reversed(list(enumerate(sources)))}

    def place(p: Problem) -> tuple:
        parts = re.split(r"(\d+)", p.where)
        return (rank.get(p.source, 0), [int(x) if x.isdigit() else x for x in parts])

    return sorted(problems, key=place)


def _key(kind: str, ref: str) -> object:
    """A reference as Batch.failed holds it."""
    return {"outlet": outlet_key, "actor": name_key}.get(kind, _same)(ref)


def _csv_article_key(v: dict[str, Any]) -> object:
    return v.get("url") or (outlet_key(v["outlet"]), v.get("title"), v.get("published"))


def _doc_article_key(v: dict[str, Any]) -> object:
    """URL, else (None, title): None, which no outlet key is, marks a title-only key."""
    return v.get("url") or (None, v.get("title"))


def _claim_row(v: dict[str, Any]) -> dict[str, Any]:
    low, high, low_open, high_open = (
        v.get("interval") or v.get("derived") or (None, None, False, False)
    )
    row = {f: v.get(f) for f in ("key", "text", "topic", "quantity", "unit", "as_of", "since")}
    row |= {"low": low, "high": high, "low_open": low_open, "high_open": high_open}
    return row | {"cumulative": bool(v.get("cumulative"))}


def _claim_values(r: dict[str, Any]) -> dict[str, Any]:
    values = {f: r[f] for f in ("key", "text", "topic", "quantity", "unit", "as_of", "since")}
    values["cumulative"] = r["cumulative"]
    values["interval"] = (r["low"], r["high"], r["low_open"], r["high_open"])
    return values


def _actor_keys(mentions: Iterable[Mention]) -> set[str]:
    """Every actor name a batch of actor mentions uses: names, aliases, parents."""
    keys = set()
    for m in mentions:
        v = m.values
        keys |= {name_key(n) for n in [v["name"], v.get("part_of"), *v.get("aliases", ())] if n}
    return keys


def _cycles(edges: dict[str, str]) -> list[list[str]]:
    """The cycles among new part_of edges (each listed once, from where it was entered)."""
    done: set[str] = set()
    found = []
    for start in edges:
        path: list[str] = []
        node = start
        while node in edges and node not in done and node not in path:
            path.append(node)
            node = edges[node]
        if node in path:
            found.append(path[path.index(node) :])
        done.update(path)
    return found
