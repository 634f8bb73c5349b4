"""The flat CSV in bulk: rows staged in a temporary table, records made in SQL.

A flat CSV has one row per assertion, so a year of a desk is a million rows naming the
same 300,000 claims, 200,000 articles and a few thousand outlets and actors again and
again. Resolving it a record at a time, as a document is, costs about 200 µs a row.
Here a row costs its cells' checks and one staged tuple:

1. **Read** (``flat_rows``), in a process of its own where one can be forked
   (``ahead``; a file, not stdin): each row's cells are checked by the same cleaners as a document's
   fields (``fields.CLEANERS``), remembered per distinct value for the columns that
   repeat, and the rows come back a chunk of ``readers.CHUNK`` at a time with the
   outlets and actors they name for the first time. Meanwhile this process **stages**
   the chunk before: those outlets and actors (few, named on row after row) are
   resolved to ids, new ones created by the ``outlets`` and ``actors`` mixins, and the
   rows go to the temporary table ``prov_rows``, keyed by their line, and the claim
   fields of the rows that give any (most only name their claim) to ``prov_claim_rows``
   (executemany on SQLite, ``COPY`` on PostgreSQL).
2. **Claims and articles** are grouped from the staged rows in SQL into ``prov_claims``
   and ``prov_articles`` (one row per key: its first line, the values given, whether
   its rows give two values for one field), matched to stored records, compared with
   them, and the new ones inserted with one ``INSERT … SELECT`` each.
3. **Assertions** go in with one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` joining
   each staged row to its claim by key and its article by URL (the tables' own unique
   indexes), an article without URL by its staged key.

Problems are found in SQL and explained in Python: a row with a bad cell is read again
by ``readers._row``, which reports it as it always has, and is not staged; a key whose
rows disagree, a record stored with another value, a statement repeated or recorded
with other words: only those rows come back, to the same ``_merge``, ``_check`` and
``_same_statement`` the document path uses, so that every message names its line.

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- An outlet first named in ``via`` is created as a wire, one first named in ``outlet``
  as ``other``; the first chunk of rows naming it decides.
- A statement stated twice (same claim, article, speaker, cited source and stance)
  keeps the first row's words, filled from later rows where it has none; a later row
  giving other words is a problem.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

from sqlalchemy import CheckConstraint, Table, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from provenance.db import tables
from provenance.db.engine import CACHE_KIB, cores
from provenance.errors import Conflict
from provenance.io import bulk, flat_rows, readers
from provenance.io.ahead import ahead
from provenance.io.articles import ARTICLE_FIELDS, REF, _csv_article_key
from provenance.io.claims import CLAIM_FIELDS, KEY
from provenance.io.fields import _Checker
from provenance.io.flat_rows import Chunk, Ids, Rows
from provenance.io.readers import CSV_NAMES, Batch, Mention
from provenance.io.resolve import _chunks, _Resolver

ROWS, CLAIM_ROWS = "prov_rows", "prov_claim_rows"
CLAIMS, ARTICLES = "prov_claims", "prov_articles"
# a staged row: what one CSV row says of its article and statement, cleaned, with the
# ids of its outlets and actors
STAGED = {
    "line": "INTEGER PRIMARY KEY",
    "claim_key": "TEXT",
    "akey": "TEXT",  # an article without URL: its outlet, date and title; else None
    "url": "TEXT",
    "title": "TEXT",
    "published": "DATE",
    "outlet_id": "INTEGER",
    "via_id": "INTEGER",
    "speaker_id": "INTEGER",
    "cites_id": "INTEGER",
    "group_id": "INTEGER",
    "stance": "TEXT",
    "wording": "TEXT",
    "quote": "TEXT",
    "confidence": "TEXT",
    "manual": "INTEGER",
}
# the claim fields of a row that gives any (most rows of a desk only name their claim)
CLAIM_STAGED = {
    "line": "INTEGER PRIMARY KEY",
    "claim_key": "TEXT",
    "text": "TEXT",
    "topic": "TEXT",
    "quantity": "TEXT",
    "unit": "TEXT",
    "as_of": "DATE",
    "since": "DATE",
    "cumulative": "INTEGER",
    "figure": "TEXT",  # an explicit low/high as one comparable token; None: not given
    "low": "FLOAT",  # the interval: the explicit one, else the quantity's
    "high": "FLOAT",
    "low_open": "INTEGER",
    "high_open": "INTEGER",
}
CLAIM_GIVEN = ("text", "topic", "quantity", "unit", "as_of", "since", "cumulative", "figure")
GROUPED = {
    CLAIMS: {  # the claims of the rows that give claim fields
        "key": "TEXT PRIMARY KEY",
        "line": "INTEGER",  # the first row giving a field
        "fline": "INTEGER",  # the row its figure comes from (explicit, else a quantity)
        "mixed": "INTEGER",  # 1: its rows give two values for one field
        "existed": "INTEGER",  # 1: stored before this import
        "id": "INTEGER",
        **{c: CLAIM_STAGED[c] for c in CLAIM_GIVEN},
    },
    ARTICLES: {
        "akey": "TEXT PRIMARY KEY",  # the URL, else the staged akey
        "line": "INTEGER",
        "mixed": "INTEGER",
        "existed": "INTEGER",
        "id": "INTEGER",
        **{c: STAGED[c] for c in ("url", "title", "published", "outlet_id", "via_id")},
    },
}
# a staged row with its claim and article (ARTICLE_ID: the article's id)
JOINED = f"""{ROWS} r JOIN claims c ON c.key = r.claim_key
    LEFT JOIN articles a ON a.url = r.url
    LEFT JOIN {ARTICLES} q ON r.url IS NULL AND q.akey = r.akey"""
ARTICLE_ID = "coalesce(a.id, q.id)"
# new claims and articles whose rows disagree (stored ones are compared row by row)
MIXED_CLAIMS = f"SELECT key FROM {CLAIMS} WHERE mixed = 1 AND existed = 0"
MIXED_ARTICLES = f"SELECT akey FROM {ARTICLES} WHERE mixed = 1 AND existed = 0"
OUTLET_NAMES = text("SELECT id, name FROM outlets WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
REBUILD_AT = 50_000  # a large load: SQLite sets indexes aside, PostgreSQL analyses
REBUILD_CACHE_KIB = 2 * 1024  # the page cache while the set-aside indexes are rebuilt
TEMP_CACHE_KIB = 4 * 1024  # the staged tables' cache (SQLite: 2 MB; 8 MB: a 150 MB peak)
WORK_MEM_MB = 64  # PostgreSQL's memory per sort or hash of the import (its default: 4 MB)


class _Flat(_Resolver):
    """The flat CSV path of ``importer._Run``."""

    def _flat(self, stream: TextIO, check: _Checker, progress: Callable[[int], None] | None) -> int:
        """Import one CSV source; the number of rows it has."""
        reader = csv.reader(stream, strict=True)
        try:
            columns = readers._header(check, next(reader, None))
        except csv.Error as exc:
            check.report("line 1", "", f"not valid CSV: {exc}")
            return 0
        except UnicodeDecodeError:
            check.report("line 1", "", "is not UTF-8 text")
            return 0
        if columns is None:
            return 0
        conn = self.session.connection()
        _create_stage(conn)
        # what was stored before this source: a statement is recorded already only if
        # its claim and article were
        self.stored = {t: _max_id(conn, t) for t in ("claims", "articles", "assertions")}
        ids, seen, staged, failed = Ids(), 0, 0, set()
        read = flat_rows.chunks(reader, Rows(self, check, columns), reader.line_num)
        # stdin is read here: a process reading it ahead would leave this one's copy of
        # it part read, for a "-" given twice
        for chunk in read if self.source == readers.STDIN else ahead(read):
            staged += self._stage_chunk(conn, chunk, ids)
            seen += chunk.read
            failed |= chunk.failed
            if progress and chunk.read:
                progress(chunk.read)
        self._flat_claims(conn)
        self._flat_articles(conn)
        self._flat_assertions(conn, staged, failed)
        _drop_stage(conn)
        if conn.dialect.name == "postgresql" and staged >= REBUILD_AT:
            # planner statistics for what was loaded: a server without autovacuum would
            # plan the next listing for empty tables
            conn.exec_driver_sql(
                "ANALYZE outlets, actors, actor_aliases, articles, claims, assertions"
            )
        return seen

    def _stage_chunk(self, conn: Connection, chunk: Chunk, ids: Ids) -> int:
        """Take what reading a chunk found: its problems and warnings, its outlets and
        actors resolved (new ones created), its rows staged; how many were staged."""
        self.problems += chunk.problems
        self.warnings += chunk.warnings
        self.warned |= chunk.warned
        if chunk.forget:
            ids.outlets.clear()
            ids.actors.clear()
            ids.groups.clear()
        if chunk.outlets:
            self._outlets(Batch(implicit=True, outlets=list(chunk.outlets.values())))
            for key in chunk.outlets:
                ids.outlets[key] = self.outlets[key].id
        if chunk.actors:
            self._actors(Batch(implicit=True, actors=list(chunk.actors.values())))
            found = {key: self.actors[key].id for key in chunk.actors}
            self._load_origins(set(found.values()))
            for key, id_ in found.items():
                ids.actors[key] = id_
                ids.groups[key] = self.origins[id_]
        bulk.load(conn, ROWS, tuple(STAGED), ids.staged(chunk.rows))
        if chunk.claim_rows:  # most rows only name their claim
            bulk.load(conn, CLAIM_ROWS, tuple(CLAIM_STAGED), chunk.claim_rows)
        for cache in (self.outlets, self.actors, self.origins):
            if len(cache) > flat_rows.MEMO_LIMIT:
                cache.clear()
        return len(chunk.rows)

    # ---- claims -----------------------------------------------------------------------

    def _flat_claims(self, conn: Connection) -> None:
        """Claims from the rows that give claim fields: grouped by key, matched to the
        stored ones, the new ones inserted. Keys that no row gives a text for are
        found with the statements (``_claims_without_text``)."""
        mixed = " OR ".join(f"min({c}) <> max({c})" for c in CLAIM_GIVEN)
        given = ", ".join(f"max({c}) AS {c}" for c in CLAIM_GIVEN)
        # Most claims are given by one row (a desk's first mention of them): those are
        # taken as they are, and only the keys of several rows aggregated (two dozen
        # aggregates a row were 0.7 s of a million-row load's 1.3 s here).
        conn.exec_driver_sql(f"""
            WITH repeated AS (SELECT claim_key FROM {CLAIM_ROWS}
                              GROUP BY claim_key HAVING count(*) > 1)
            INSERT INTO {CLAIMS} (key, line, fline, mixed, existed, id, {", ".join(CLAIM_GIVEN)})
            SELECT g.key, g.line, g.fline, g.mixed, CASE WHEN c.id IS NULL THEN 0 ELSE 1 END,
                   c.id, {_of("g", CLAIM_GIVEN)}
            FROM (SELECT claim_key AS key, line,
                         CASE WHEN figure IS NOT NULL OR quantity IS NOT NULL THEN line END
                             AS fline,
                         0 AS mixed, {", ".join(CLAIM_GIVEN)}
                  FROM {CLAIM_ROWS} WHERE claim_key NOT IN (SELECT claim_key FROM repeated)
                  UNION ALL
                  SELECT claim_key, min(line),
                         coalesce(min(CASE WHEN figure IS NOT NULL THEN line END),
                                  min(CASE WHEN quantity IS NOT NULL THEN line END)),
                         CASE WHEN {mixed} THEN 1 ELSE 0 END, {given}
                  FROM {CLAIM_ROWS} WHERE claim_key IN (SELECT claim_key FROM repeated)
                  GROUP BY claim_key) g
            LEFT JOIN claims c ON c.key = g.key
            ORDER BY g.key""")
        self._claims_disagreeing(conn)
        self._claims_unlike_stored(conn)
        new = _count(conn, f"{CLAIMS} WHERE id IS NULL AND text IS NOT NULL")
        with _indexes_set_aside(conn, tables.claims, new):
            added = conn.exec_driver_sql(f"""
                INSERT INTO claims (key, text, topic, quantity, unit, as_of, since,
                                    cumulative, low, high, low_open, high_open)
                SELECT p.key, p.text, p.topic, p.quantity, p.unit, p.as_of, p.since,
                       coalesce(p.cumulative, 0) <> 0, f.low, f.high,
                       coalesce(f.low_open, 0) <> 0, coalesce(f.high_open, 0) <> 0
                FROM {CLAIMS} p LEFT JOIN {CLAIM_ROWS} f ON f.line = p.fline
                WHERE p.id IS NULL AND p.text IS NOT NULL
                ORDER BY p.key
                ON CONFLICT DO NOTHING""").rowcount
        self.added["claims"] += max(added, 0)

    def _claims_without_text(self, conn: Connection, failed: set) -> None:
        """Rows naming a claim that is neither stored nor given a text on any row: a
        problem at the first of them (unless a row of it was refused already)."""
        missing = conn.exec_driver_sql(f"""
            SELECT r.claim_key, min(r.line) FROM {ROWS} r
            WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.key = r.claim_key)
            GROUP BY r.claim_key ORDER BY min(r.line)""")
        for key, line in missing:
            if key not in failed:
                m = Mention(f"line {line}", {}, CSV_NAMES["claim"])
                self.problem(m, "text", "is required for a new claim")

    def _claims_disagreeing(self, conn: Connection) -> None:
        """Claims whose rows give two values for one field: their rows go to ``_merge``."""
        if not conn.exec_driver_sql(f"{MIXED_CLAIMS} LIMIT 1").first():
            return
        mentions = _claim_rows(conn, MIXED_CLAIMS)
        if mentions:
            self._merge("claim", mentions, KEY, CLAIM_FIELDS, KEY)

    def _claims_unlike_stored(self, conn: Connection) -> None:
        """Rows giving a stored claim another value: ``_check`` names both, row by row."""
        unlike = " OR ".join(  # a value where the stored claim has none differs too
            f"(p.{c} IS NOT NULL AND {_differ(conn, f'p.{c}', f'c.{c}')})"
            for c in ("text", "topic", "quantity", "unit", "as_of", "since")
        )
        offending = f"""SELECT p.key FROM {CLAIMS} p JOIN claims c ON c.id = p.id
            WHERE p.existed = 1 AND (p.mixed = 1 OR {unlike} OR p.figure IS NOT NULL
               OR (p.cumulative IS NOT NULL AND p.cumulative <> CAST(c.cumulative AS INTEGER)))"""
        if not conn.exec_driver_sql(f"{offending} LIMIT 1").first():
            return
        mentions = _claim_rows(conn, offending)
        self._load_claims({m.values["key"] for m in mentions})
        for m in mentions:
            self._check("claim", m, self.claims[m.values["key"]].values, CLAIM_FIELDS, KEY)

    # ---- articles ---------------------------------------------------------------------

    def _flat_articles(self, conn: Connection) -> None:
        given = ("url", "title", "published", "outlet_id", "via_id")
        mixed = " OR ".join(f"min({c}) <> max({c})" for c in given[1:])
        conn.exec_driver_sql(f"""
            INSERT INTO {ARTICLES} (akey, line, mixed, existed, id, {", ".join(given)})
            SELECT g.akey, g.line, g.mixed, CASE WHEN a.id IS NULL THEN 0 ELSE 1 END, a.id,
                   {_of("g", given)}
            FROM (SELECT coalesce(url, akey) AS akey, min(line) AS line,
                         CASE WHEN {mixed} THEN 1 ELSE 0 END AS mixed,
                         {", ".join(f"max({c}) AS {c}" for c in given)}
                  FROM {ROWS} GROUP BY url, akey) g
            LEFT JOIN articles a ON a.url = g.url
            ORDER BY g.akey""")
        # an article without URL is known by its outlet, title and date
        untitled = f"""(SELECT min(a.id) FROM articles a WHERE a.url IS NULL
            AND a.outlet_id = {ARTICLES}.outlet_id AND a.title = {ARTICLES}.title
            AND {_same(conn, "a.published", f"{ARTICLES}.published")})"""
        conn.exec_driver_sql(f"""
            UPDATE {ARTICLES} SET id = {untitled},
                existed = CASE WHEN {untitled} IS NULL THEN 0 ELSE 1 END
            WHERE url IS NULL""")
        self._articles_disagreeing(conn)
        self._articles_unlike_stored(conn)
        new = _count(conn, f"{ARTICLES} WHERE id IS NULL")
        with _indexes_set_aside(conn, tables.articles, new):
            added = conn.exec_driver_sql(f"""
                INSERT INTO articles (url, title, published, outlet_id, via_id)
                SELECT url, title, published, outlet_id, via_id FROM {ARTICLES}
                WHERE id IS NULL ORDER BY akey
                ON CONFLICT DO NOTHING""").rowcount
        self.added["articles"] += max(added, 0)
        # statements find an article with a URL by it, one without by its staged key
        conn.exec_driver_sql(
            f"UPDATE {ARTICLES} SET id = {untitled} WHERE id IS NULL AND url IS NULL"
        )

    def _articles_disagreeing(self, conn: Connection) -> None:
        if not conn.exec_driver_sql(f"{MIXED_ARTICLES} LIMIT 1").first():
            return
        mentions = self._article_rows(conn, MIXED_ARTICLES)
        if mentions:
            self._merge("article", mentions, _csv_article_key, ARTICLE_FIELDS, REF)

    def _articles_unlike_stored(self, conn: Connection) -> None:
        """Rows giving a stored article another value: ``_check`` names both, row by row."""
        unlike = " OR ".join(
            f"(p.{c} IS NOT NULL AND {_differ(conn, f'p.{c}', f'a.{c}')})"
            for c in ("via_id", "title", "published")
        )
        offending = f"""SELECT p.akey FROM {ARTICLES} p JOIN articles a ON a.id = p.id
            WHERE p.existed = 1 AND (p.mixed = 1 OR p.outlet_id <> a.outlet_id OR {unlike})"""
        if not conn.exec_driver_sql(f"{offending} LIMIT 1").first():
            return
        mentions = self._article_rows(conn, offending)
        self._load_articles({_csv_article_key(m.values) for m in mentions})
        for m in mentions:
            known = self._article(_csv_article_key(m.values))
            self._check("article", m, known.values, ARTICLE_FIELDS, REF)

    def _article_rows(self, conn: Connection, keys: str) -> list[Mention]:
        """The staged rows of the articles ``keys`` (a query of article keys), as the
        mentions a document gives (outlets by name)."""
        found = conn.exec_driver_sql(f"""
            SELECT r.line, r.url, r.title, r.published, r.outlet_id, r.via_id
            FROM {ROWS} r WHERE coalesce(r.url, r.akey) IN ({keys}) ORDER BY r.line""")
        rows: list[Mapping] = list(found.mappings())
        ids = sorted({r[c] for r in rows for c in ("outlet_id", "via_id")} - {None})
        names: dict[int, str] = {}
        for chunk in _chunks(ids):
            found = conn.execute(OUTLET_NAMES, {"ids": chunk})
            names |= dict(found.all())
        mentions = []
        for r in rows:
            values = {"outlet": names[r["outlet_id"]]}
            values |= {"via": names[r["via_id"]]} if r["via_id"] else {}
            values |= {f: r[f] for f in ("url", "title") if r[f] is not None}
            if r["published"] is not None:
                values["published"] = _date(r["published"])
            mentions.append(Mention(f"line {r['line']}", values, CSV_NAMES["article"]))
        return mentions

    # ---- assertions -------------------------------------------------------------------

    def _flat_assertions(self, conn: Connection, staged: int, failed: set) -> None:
        """Each staged row joined to its claim (by key) and article (by URL, else by its
        staged key), inserted in the order of the statements' identity index."""
        recorded = self._recorded_statements(conn)
        with (
            _sorting_helper(conn, staged),
            _indexes_set_aside(conn, tables.assertions, staged),
            _checked_before(conn),
            _references_checked_at_once(conn, staged, self.stored),
        ):
            added = conn.exec_driver_sql(f"""
                INSERT INTO assertions (claim_id, article_id, speaker_id, cites_id,
                    group_id, stance, wording, quote, confidence, confidence_manual)
                SELECT c.id, {ARTICLE_ID}, r.speaker_id, r.cites_id, r.group_id, r.stance,
                       r.wording, r.quote, r.confidence, r.manual <> 0
                FROM {JOINED}
                WHERE {ARTICLE_ID} IS NOT NULL
                ORDER BY c.id, r.line
                ON CONFLICT DO NOTHING""").rowcount
        added = max(added, 0)
        self.added["assertions"] += added
        if added + recorded < staged:  # a row without claim, or one statement twice
            self._claims_without_text(conn, failed)
            self._repeated_statements(conn)

    def _recorded_statements(self, conn: Connection) -> int:
        """How many rows state a statement recorded before; those saying otherwise are
        problems. Only a claim and an article stored before can have one."""
        claims_before, articles_before = self.stored["claims"], self.stored["articles"]
        if not (claims_before and _any_existed(conn, ARTICLES)):
            return 0
        on = f"""s.claim_id = c.id AND s.article_id = {ARTICLE_ID} AND s.stance = r.stance
            AND coalesce(s.speaker_id, 0) = coalesce(r.speaker_id, 0)
            AND coalesce(s.cites_id, 0) = coalesce(r.cites_id, 0)"""
        unlike = f"""(r.wording IS NOT NULL AND {_differ(conn, "r.wording", "s.wording")})
            OR (r.quote IS NOT NULL AND {_differ(conn, "r.quote", "s.quote")})
            OR (r.manual = 1 AND r.confidence <> s.confidence)"""
        where = f"c.id <= {claims_before:d} AND {ARTICLE_ID} <= {articles_before:d}"
        recorded, unlike_count = conn.exec_driver_sql(f"""
            SELECT count(*), coalesce(sum(CASE WHEN {unlike} THEN 1 ELSE 0 END), 0)
            FROM {JOINED} JOIN assertions s ON {on} WHERE {where}""").one()
        if unlike_count:
            found = conn.exec_driver_sql(f"""
                SELECT r.line, r.wording, r.quote, r.confidence, r.manual,
                       s.wording, s.quote, s.confidence, s.confidence_manual
                FROM {JOINED} JOIN assertions s ON {on}
                WHERE {where} AND ({unlike}) ORDER BY r.line""")
            for r in found:
                stored = _said(*r[5:9])
                self._same_statement(
                    Mention(f"line {r[0]}", {}), _said(*r[1:5]), stored, "recorded"
                )
        return recorded

    def _repeated_statements(self, conn: Connection) -> None:
        """Rows stating one statement twice must agree; the first is filled from the rest."""
        identity = f"""c.id, {ARTICLE_ID}, coalesce(r.speaker_id, 0),
            coalesce(r.cites_id, 0), r.stance"""
        found = conn.exec_driver_sql(f"""
            SELECT r.line, {identity}, r.wording, r.quote, r.confidence, r.manual
            FROM {JOINED}
            WHERE ({identity}) IN (SELECT {identity} FROM {JOINED}
                                   WHERE {ARTICLE_ID} IS NOT NULL
                                   GROUP BY {identity} HAVING count(*) > 1)
            ORDER BY r.line""")
        firsts: dict[tuple, tuple[Mention, dict]] = {}
        for r in found:
            m, said = Mention(f"line {r[0]}", {}), _said(*r[6:10])
            if first := firsts.get(tuple(r[1:6])):
                self._same_statement(m, said, first[1], f"at {first[0].where}", fill=True)
            else:
                firsts[tuple(r[1:6])] = (m, said)
        fill = text("""
            UPDATE assertions SET wording = :wording, quote = :quote,
                confidence = :confidence, confidence_manual = :confidence_manual
            WHERE id > :before AND claim_id = :claim AND article_id = :article
              AND coalesce(speaker_id, 0) = :speaker AND coalesce(cites_id, 0) = :cites
              AND stance = :stance""")
        before = self.stored["assertions"]
        for (claim, article, speaker, cites, stance), (_, said) in firsts.items():
            words = {k: said[k] for k in ("wording", "quote", "confidence", "confidence_manual")}
            where = {"claim": claim, "article": article, "speaker": speaker, "cites": cites}
            conn.execute(fill, words | where | {"stance": stance, "before": before})


# ---- staged rows back to mentions -----------------------------------------------------


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _claim_rows(conn: Connection, keys: str) -> list[Mention]:
    """The staged rows of the claims ``keys`` (a query of claim keys), as mentions:
    every row naming one, with the claim fields it gives."""
    found = conn.exec_driver_sql(f"""
        SELECT r.line, r.claim_key AS key, {_of("f", CLAIM_GIVEN)},
               f.low, f.high, f.low_open, f.high_open
        FROM {ROWS} r LEFT JOIN {CLAIM_ROWS} f ON f.line = r.line
        WHERE r.claim_key IN ({keys}) ORDER BY r.line""")
    return [_claim_mention(r) for r in found.mappings()]


def _claim_mention(r: Mapping) -> Mention:
    values: dict[str, Any] = {"key": r["key"]}
    values |= {f: r[f] for f in ("text", "topic", "quantity", "unit") if r[f] is not None}
    values |= {f: _date(r[f]) for f in ("as_of", "since") if r[f] is not None}
    if r["cumulative"] is not None:
        values["cumulative"] = bool(r["cumulative"])
    if r["figure"] is not None:
        values["interval"] = (r["low"], r["high"], bool(r["low_open"]), bool(r["high_open"]))
    return Mention(f"line {r['line']}", values, CSV_NAMES["claim"])


def _said(wording, quote, confidence, manual) -> dict[str, Any]:
    """What a statement says, as ``_same_statement`` compares it."""
    return {
        "wording": wording,
        "quote": quote,
        "quote_start": None,
        "quote_end": None,
        "confidence": confidence,
        "confidence_manual": bool(manual),
    }


# ---- SQL ------------------------------------------------------------------------------


def _of(alias: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{c}" for c in columns)


def _same(conn: Connection, a: str, b: str) -> str:
    """a equals b, NULL equal to NULL."""
    return f"{a} IS {b}" if conn.dialect.name == "sqlite" else f"{a} IS NOT DISTINCT FROM {b}"


def _differ(conn: Connection, a: str, b: str) -> str:
    """a differs from b, NULL differing from any value."""
    return f"{a} IS NOT {b}" if conn.dialect.name == "sqlite" else f"{a} IS DISTINCT FROM {b}"


def _count(conn: Connection, rows: str) -> int:
    """How many rows ``rows`` (a table and its WHERE clause) are."""
    return conn.exec_driver_sql(f"SELECT count(*) FROM {rows}").scalar()


def _max_id(conn: Connection, table: str) -> int:
    return conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar()


def _any_existed(conn: Connection, table: str) -> bool:
    return (
        conn.exec_driver_sql(f"SELECT 1 FROM {table} WHERE existed = 1 LIMIT 1").first() is not None
    )


@contextmanager
def _indexes_set_aside(conn: Connection, table: Table, adding: int) -> Iterator[None]:
    """SQLite: a table's secondary indexes dropped for a load that at least doubles it
    (``adding`` rows, ``REBUILD_AT`` or more) and created again after it: sorting the
    entries once is many times cheaper than inserting each at a random place. Unique
    indexes stay: ON CONFLICT needs them, and rows go in in their order. Readers keep
    seeing the indexes until the import commits (WAL); an import that fails or is
    refused rolls the drop back with everything else. PostgreSQL keeps its indexes:
    dropping one would lock readers out until the import ends.

    Measured on a million statements, 300,000 claims and 200,000 articles: the
    statements' five indexes 2.2 s to rebuild, where keeping them doubled the INSERT's
    5 s; the claims' two and the articles' three 0.4 s in all, for 0.5 s less inserting
    those tables and 1.3 s less inserting the statements after them (their pages no
    longer interleaved with the new index entries)."""
    indexes = [i for i in table.indexes if not i.unique]
    if conn.dialect.name != "sqlite" or adding < REBUILD_AT or not indexes:
        yield
        return
    if _count(conn, table.name) > adding:
        yield
        return
    for index in indexes:
        index.drop(conn)
    yield
    # with SQLite's default 2 MB page cache: its sorter then sorts in runs of a cache's
    # size, which fit the processor's caches and which a helper thread takes turns
    # with (the statements' five: 2.2 s, against 4.0 s with the connection's 16 MB)
    conn.exec_driver_sql(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
    try:
        for index in indexes:
            index.create(conn)
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")


@contextmanager
def _sorting_helper(conn: Connection, staged: int) -> Iterator[None]:
    """SQLite, a large load on more than one core: the statements' sort and the indexes'
    rebuild may use a helper thread (``PRAGMA threads``), on the core the reading
    process has left (0.7 s less of a million statements' 7 s, alternated ten times; no
    more memory). Not for the claims' and articles' grouping: a helper there peaked the
    import at 168 MB."""
    if conn.dialect.name != "sqlite" or staged < REBUILD_AT or cores() < 2:
        yield
        return
    conn.exec_driver_sql("PRAGMA threads = 1")
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA threads = 0")


@contextmanager
def _checked_before(conn: Connection) -> Iterator[None]:
    """SQLite: the statements' CHECK constraints tested once on all the staged rows, not
    on each row as it goes in (1.5 s of a million statements' 6 s INSERT). When every
    staged row passes, the INSERT runs with ``ignore_check_constraints``; when one fails
    (the cleaners let none through), with the checks on, so that SQLite refuses it as
    it always has. Each constraint's own SQL is tested, on the staged columns of the
    same names."""
    if conn.dialect.name != "sqlite":
        yield
        return
    checks = [c.sqltext for c in tables.assertions.constraints if isinstance(c, CheckConstraint)]
    failing = " OR ".join(f"NOT ({check})" for check in checks)
    if conn.exec_driver_sql(f"SELECT 1 FROM {ROWS} WHERE {failing} LIMIT 1").first():
        yield
        return
    conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")


# What each foreign key's trigger does for a row, for all the rows a load inserted at
# once: every row they refer to locked (FOR KEY SHARE: not to be deleted, nor its key
# changed, until the import ends), and the references that lead nowhere counted.
LOCK_REFERENCES = """
    WITH new AS (SELECT claim_id, article_id, speaker_id, cites_id, group_id
                 FROM assertions WHERE id > %(before)s),
         actor_refs AS (SELECT speaker_id AS id FROM new UNION SELECT cites_id FROM new
                        UNION SELECT group_id FROM new),
         claim_refs AS (SELECT DISTINCT claim_id AS id FROM new),
         article_refs AS (SELECT DISTINCT article_id AS id FROM new),
         actor AS (SELECT a.id FROM actors a JOIN actor_refs r ON r.id = a.id
                   FOR KEY SHARE OF a),
         claim AS (SELECT c.id FROM claims c JOIN claim_refs r ON r.id = c.id
                   FOR KEY SHARE OF c),
         article AS (SELECT a.id FROM articles a JOIN article_refs r ON r.id = a.id
                     FOR KEY SHARE OF a)
    SELECT (SELECT count(*) FROM actor_refs WHERE id IS NOT NULL) - (SELECT count(*) FROM actor)
         + (SELECT count(*) FROM claim_refs) - (SELECT count(*) FROM claim)
         + (SELECT count(*) FROM article_refs) - (SELECT count(*) FROM article)"""
# triggers someone added to the statements (an audit log, say): replica mode would
# silence them too, so a load with them keeps every trigger
OWN_TRIGGERS = """SELECT 1 FROM pg_trigger
    WHERE tgrelid = 'assertions'::regclass AND NOT tgisinternal LIMIT 1"""
INSUFFICIENT_PRIVILEGE = "42501"


@contextmanager
def _references_checked_at_once(conn: Connection, staged: int, stored: dict) -> Iterator[None]:
    """PostgreSQL, a large load: each statement's foreign keys are checked by a trigger
    each, a look-up and a row lock (22 s of a million statements' 31 s INSERT). Where
    the role may turn triggers off (``session_replication_role = replica``: a
    superuser, or a role granted SET on it) and the statements have no trigger of the
    desk's own, the INSERT runs without them and ``LOCK_REFERENCES`` then does their
    work for all its rows in one query: the rows referred to are locked, and a
    reference that leads nowhere (a record deleted meanwhile) refuses the import.
    Elsewhere the triggers check each row, as before."""
    if conn.dialect.name != "postgresql" or staged < REBUILD_AT:
        yield
        return
    if conn.exec_driver_sql(OWN_TRIGGERS).first() or not _triggers_off(conn):
        yield
        return
    yield  # an error in the block rolls the import back, and the setting with it
    conn.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
    if conn.exec_driver_sql(LOCK_REFERENCES, {"before": stored["assertions"]}).scalar():
        raise Conflict(
            "a record this import refers to was deleted while it ran; nothing was "
            "written: import again"
        )


def _triggers_off(conn: Connection) -> bool:
    """Turn triggers off for this transaction if the role may; whether it could."""
    conn.exec_driver_sql("SAVEPOINT prov_replica")
    try:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        could = True
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT prov_replica")
        could = False
    conn.exec_driver_sql("RELEASE SAVEPOINT prov_replica")
    return could


def _create_stage(conn: Connection) -> None:
    postgres = conn.dialect.name == "postgresql"
    if postgres:  # until the import's transaction ends: sorts in memory, no JIT compiling
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM_MB}MB'")
        conn.exec_driver_sql("SET LOCAL jit = off")
    else:
        conn.exec_driver_sql(f"PRAGMA temp.cache_size = -{TEMP_CACHE_KIB}")
    for table, columns in ((ROWS, STAGED), (CLAIM_ROWS, CLAIM_STAGED), *GROUPED.items()):
        ddl = ", ".join(f"{c} {t}" for c, t in columns.items())
        # SQLite: the grouped tables are looked up by their key, so keyed by it alone
        tail = "" if postgres or table in (ROWS, CLAIM_ROWS) else " WITHOUT ROWID"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {table} ({ddl}){tail}")


def _drop_stage(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # Dropping a million staged rows frees their pages one by one (0.4 s); closing
        # the connection deletes the temporary file they live in at once. Detached from
        # the pool, it is closed when the import's session ends.
        conn.connection.detach()
        return
    for table in (ROWS, CLAIM_ROWS, *GROUPED):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
