"""Export the record in the import formats: csv, yaml, json, deterministic to the byte.

Export, import into an empty database and export again gives the same bytes, for each
format. A document (YAML or JSON) holds everything; flat CSV holds one row per
assertion (what it cannot hold, such as actor kinds, aliases, outlets' details,
relations or claims without statements, it leaves out both times).

Decisions:

- Order: outlets by name; actors depth-first from the tops of their ``part_of`` chains
  (so parents come before children and a government's bodies follow it), siblings by
  name; articles by (published, URL or title), undated last; claims by key, their
  assertions by (published, article, speaker, cites, stance); relations by (a, kind,
  b). Text sorts by code point on both backends (``COLLATE "C"`` on PostgreSQL).
- Documents leave out empty and default values (kind ``other``, reliability ``F``,
  stance ``asserts``, false flags, a confidence derived from the wording), and the
  actor's own name among its aliases. An interval is written as ``low``/``high``
  (with ``low_open``/``high_open`` when open) only when its ``quantity`` phrase does not
  give it back whatever the tolerance setting: "more than one million" stays a phrase,
  "about 10" (read with the tolerance) gets its numbers, so a database with another
  tolerance imports it unchanged.
- CSV writes every column of the flat format, ``stance`` always, ``confidence`` only when
  set by hand, flags as ``true`` or empty, and the extra ``low_open``/``high_open``
  columns only when some exported claim needs an explicit open end. RFC 4180, CRLF line
  ends: open the output with ``newline=""``. SQL writes the cells (quoted exactly as
  ``csv.writer`` quotes) and orders the lines; Python adds only each claim's figure
  cells, so that a million lines cost little more than the database's own CSV output.
- Numbers print without a trailing ".0" (``format_number`` in CSV; integral values as
  integers in documents); dates ISO.
- ``progress(n)`` is called with the records written since the last call.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from functools import lru_cache
from itertools import chain
from typing import Any, TextIO

import yaml
from sqlalchemy import (
    Connection,
    Select,
    String,
    case,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from provenance.analysis.names import name_key
from provenance.analysis.quantity import format_number, parse_quantity
from provenance.db import tables
from provenance.db.models import Actor, ActorAlias, Article, Assertion, Claim, Outlet, Relation
from provenance.errors import InvalidInput

Progress = Callable[[int], None] | None
STEP = 2_000  # rows fetched, and written between two progress calls


def export(session: Session, out: TextIO, fmt: str, *, progress: Progress = None) -> int:
    """Write the whole record to ``out`` in ``fmt``; the number of records written."""
    exporter = EXPORTERS.get(fmt.lower())
    if exporter is None:
        raise InvalidInput(f"format {fmt!r} is not one of: {', '.join(EXPORTERS)}")
    return exporter(session, out, progress=progress)


# ---- figures --------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _readings(quantity: str) -> tuple[tuple, ...]:
    """The phrase read at two tolerances: equal readings mean it does not depend on it."""
    try:
        found = [parse_quantity(quantity, tolerance=t) for t in (0.0, 0.5)]
    except InvalidInput:
        return ()
    return tuple((i.low, i.high, i.low_open, i.high_open) for i in found)


def _implied(quantity: str | None, low, high, low_open: bool, high_open: bool) -> bool:
    """Whether importing the phrase alone gives this interval back exactly."""
    if quantity is None:
        return low is None and high is None
    readings = _readings(quantity)
    return bool(readings) and all(r == (low, high, low_open, high_open) for r in readings)


def _num(x: float | None) -> float | int | None:
    return int(x) if x is not None and x.is_integer() and abs(x) < 2**53 else x


def _text_order(column, dialect: str):
    """Code point order on every backend (SQLite's BINARY is), never a locale's."""
    column = func.coalesce(column, "")
    return column.collate("C") if dialect == "postgresql" else column


# ---- documents ------------------------------------------------------------------------


def _compact(entry: dict[str, Any], defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    defaults = defaults or {}
    return {
        k: v
        for k, v in entry.items()
        if v is not None and v != [] and not (k in defaults and v == defaults[k])
    }


def _outlets(session: Session) -> list[dict]:
    rows = session.execute(
        select(Outlet.name, Outlet.kind, Outlet.url, Outlet.country, Outlet.reliability)
    )
    entries = [_compact(r._asdict(), {"kind": "other", "reliability": "F"}) for r in rows]
    return sorted(entries, key=lambda e: (e["name"].casefold(), e["name"]))


def _actors(session: Session) -> list[dict]:
    actors = {
        r.id: r for r in session.execute(select(Actor.id, Actor.name, Actor.kind, Actor.part_of_id))
    }
    aliases: dict[int, list[str]] = defaultdict(list)
    for r in session.execute(select(ActorAlias.actor_id, ActorAlias.alias, ActorAlias.key)):
        if r.key != name_key(actors[r.actor_id].name):
            aliases[r.actor_id].append(r.alias)
    children: dict[int | None, list[int]] = defaultdict(list)
    for a in sorted(actors.values(), key=lambda a: a.name):
        children[a.part_of_id].append(a.id)
    entries = []
    stack = list(reversed(children[None]))
    while stack:  # depth first: each actor right after its parent
        a = actors[stack.pop()]
        parent = actors[a.part_of_id].name if a.part_of_id else None
        names = sorted(aliases[a.id], key=lambda s: (s.casefold(), s))
        entry = {"name": a.name, "kind": a.kind, "part_of": parent, "aliases": names}
        entries.append(_compact(entry, {"kind": "other"}))
        stack.extend(reversed(children[a.id]))
    return entries


def _articles(session: Session) -> tuple[list[dict], dict[int, tuple]]:
    """The article entries in order, and each article's sort key (ending with its ref)."""
    via = aliased(Outlet)
    columns = (Article.url, Outlet.name.label("outlet"), via.name.label("via"), Article.published)
    columns += (Article.title, Article.byline, Article.text)
    stmt = (
        select(Article.id, *columns)
        .join(Outlet, Article.outlet_id == Outlet.id)
        .outerjoin(via, Article.via_id == via.id)
    )
    found = []
    for r in session.execute(stmt):
        entry = r._asdict()
        order = _dated(r.published, r.url or r.title)
        found.append((order, entry.pop("id"), _compact(entry)))
    found.sort(key=lambda f: f[:2])  # ties (one title, one day) by id: the import keeps it
    return [entry for _, _, entry in found], {i: order for order, i, _ in found}


def _dated(published, ref: str) -> tuple:
    return (published is None, published or "", ref)


def _claims(session: Session, article_order: dict[int, tuple]) -> tuple[list[dict], int]:
    statements = _statements(session, article_order)
    entries, count = [], 0
    for c in session.execute(select(*(getattr(Claim, f) for f in CLAIM_FIELDS), Claim.id)):
        entry = _claim_entry(c)
        entry["assertions"] = [s for _, s in sorted(statements.get(c.id, []), key=lambda s: s[0])]
        count += 1 + len(entry["assertions"])
        entries.append(_compact(entry, {"cumulative": False}))
    entries.sort(key=lambda e: e["key"])
    return entries, count


CLAIM_FIELDS = ("key", "text", "topic", "quantity", "low", "low_open", "high", "high_open")
CLAIM_FIELDS += ("unit", "as_of", "since", "cumulative")


def _claim_entry(c) -> dict[str, Any]:
    entry = {f: getattr(c, f) for f in CLAIM_FIELDS}
    return entry | _figure(*(entry[f] for f in FIGURE))


FIGURE = ("quantity", "low", "low_open", "high", "high_open")


def _figure(quantity, low, low_open, high, high_open) -> dict[str, Any]:
    """A claim's figure as exported: the numbers only when the phrase does not give them
    back, integral ones as integers, and an open flag only beside its number."""
    if _implied(quantity, low, high, low_open, high_open):
        low = high = None
    low, high = _num(low), _num(high)
    low_open = True if low is not None and low_open else None
    high_open = True if high is not None and high_open else None
    return dict(zip(FIGURE, (quantity, low, low_open, high, high_open), strict=True))


def _statements(session: Session, article_order: dict[int, tuple]) -> dict[int, list]:
    speaker, cites = aliased(Actor), aliased(Actor)
    stmt = (
        select(
            Assertion.id, Assertion.claim_id, Assertion.article_id, Assertion.stance,
            Assertion.wording, Assertion.confidence, Assertion.confidence_manual,
            Assertion.quote, Assertion.quote_start, Assertion.quote_end,
            speaker.name.label("speaker"), cites.name.label("cites"),
        )
        .outerjoin(speaker, Assertion.speaker_id == speaker.id)
        .outerjoin(cites, Assertion.cites_id == cites.id)
    )  # fmt: skip
    found: dict[int, list] = defaultdict(list)
    for a in session.execute(stmt):
        dated = article_order[a.article_id]
        entry = {"article": dated[2], "speaker": a.speaker, "cites": a.cites}
        entry |= {"stance": a.stance, "wording": a.wording}
        # a level derived from the wording is derived again on import
        entry["confidence"] = a.confidence if a.confidence_manual else None
        entry |= {"quote": a.quote, "quote_start": a.quote_start, "quote_end": a.quote_end}
        order = (dated, a.speaker or "", a.cites or "", a.stance, a.id)
        found[a.claim_id].append((order, _compact(entry, {"stance": "asserts"})))
    return found


def _relations(session: Session) -> list[dict]:
    a, b = aliased(Claim), aliased(Claim)
    stmt = (
        select(a.key.label("a"), Relation.kind, b.key.label("b"), Relation.note)
        .join(a, Relation.a_id == a.id)
        .join(b, Relation.b_id == b.id)
    )
    entries = [_compact(r._asdict()) for r in session.execute(stmt)]
    return sorted(entries, key=lambda e: (e["a"], e["kind"], e["b"]))


def document(session: Session) -> tuple[dict[str, list], int]:
    """The whole record as one document, and the number of records in it."""
    articles, order = _articles(session)
    claims, claim_records = _claims(session, order)
    sections = {"outlets": _outlets(session), "actors": _actors(session)}
    sections |= {"articles": articles, "claims": claims, "relations": _relations(session)}
    count = sum(len(v) for k, v in sections.items() if k != "claims") + claim_records
    return {k: v for k, v in sections.items() if v}, count


def export_yaml(session: Session, out: TextIO, *, progress: Progress = None) -> int:
    doc, count = document(session)
    yaml.safe_dump(doc, out, sort_keys=False, allow_unicode=True)
    if progress:
        progress(count)
    return count


def export_json(session: Session, out: TextIO, *, progress: Progress = None) -> int:
    doc, count = document(session)
    json.dump(doc, out, indent=2, ensure_ascii=False, default=lambda d: d.isoformat())
    out.write("\n")
    if progress:
        progress(count)
    return count


# ---- CSV ------------------------------------------------------------------------------

CSV_COLUMNS = ("claim_key", "claim_text", "topic", "quantity", "low", "low_open", "high")
CSV_COLUMNS += ("high_open", "unit", "as_of", "since", "cumulative", "stance", "speaker")
CSV_COLUMNS += ("cites", "outlet", "via", "article_url", "article_title", "published")
CSV_COLUMNS += ("wording", "confidence", "quote")
OPEN_ENDS = ("low_open", "high_open")
CRLF = "\r\n"


def _statement_lines(dialect: str) -> Select:
    """(claim id, the statement's CSV cells as text ending in CRLF) for every statement,
    in the export's order: by claim key, then as documents order a claim's statements
    (date, undated last; article; speaker; cited source; stance; id), code point order
    on both backends.

    On SQLite the claims drive the join (the ``+ 0`` keeps the planner from starting at
    the statements): it walks the key index and sorts each claim's few statements,
    never a million rows at once.
    """
    c, a, ar = tables.claims.c, tables.assertions.c, tables.articles.c
    outlet, via = tables.outlets.alias("outlet"), tables.outlets.alias("via")
    speaker, cites = tables.actors.alias("speaker"), tables.actors.alias("cites")
    claim_id = c.id if dialect == "postgresql" else c.id + literal_column("0")
    line = _csv_text(
        dialect,
        a.stance,
        *(_csv_cell(x, dialect) for x in (speaker.c.name, cites.c.name, outlet.c.name)),
        *(_csv_cell(x, dialect) for x in (via.c.name, ar.url, ar.title)),
        _text(ar.published),
        _csv_cell(a.wording, dialect),
        case((a.confidence_manual, a.confidence)),
        _csv_cell(a.quote, dialect),
        end=CRLF,
    )
    ref = func.coalesce(func.nullif(ar.url, ""), func.nullif(ar.title, ""))
    return (
        select(a.claim_id, line)
        .select_from(tables.claims)
        .join(tables.assertions, a.claim_id == claim_id)
        .join(tables.articles, ar.id == a.article_id)
        .join(outlet, outlet.c.id == ar.outlet_id)
        .outerjoin(via, via.c.id == ar.via_id)
        .outerjoin(speaker, speaker.c.id == a.speaker_id)
        .outerjoin(cites, cites.c.id == a.cites_id)
        .order_by(
            _by_key(c.key, dialect),
            ar.published.is_(None),
            ar.published,
            *(_text_order(x, dialect) for x in (ref, speaker.c.name, cites.c.name, a.stance)),
            a.id,
        )
    )


def _claim_cells(dialect: str) -> Select:
    """(id, the CSV cells before the figure and after it, the figure) of every claim,
    by key: the cells before and after end and start with a comma."""
    c = tables.claims.c
    before = _csv_text(dialect, *(_csv_cell(x, dialect) for x in (c.key, c.text, c.topic)), end=",")
    after = _csv_text(
        dialect,
        "",
        _csv_cell(c.unit, dialect),
        _text(c.as_of),
        _text(c.since),
        case((c.cumulative, "true")),
        end=",",
    )
    return select(c.id, before, after, *(c[f] for f in FIGURE)).order_by(_by_key(c.key, dialect))


def _batches(conn: Connection, stmt: Select) -> Iterator[list[tuple]]:
    """The rows of ``stmt``, ``STEP`` at a time, as the driver's plain tuples from a
    cursor that streams (server-side on PostgreSQL): no SQLAlchemy Row a row, which
    for a million rows costs about a second."""
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":  # a named cursor is a server-side one
        cursor = dbapi.cursor(name=f"prov_export_{id(stmt)}")  # type: ignore[union-attr]
    else:
        cursor = dbapi.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, {})  # parameters, even none: psycopg then reads %% as %
        while rows := cursor.fetchmany(STEP):
            yield rows
    finally:
        cursor.close()


def _by_key(key, dialect: str):
    """Claims by key in code point order; bare on SQLite, so that its index serves."""
    return key.collate("C") if dialect == "postgresql" else key


def _csv_text(dialect: str, *cells, end: str):
    """The cells as one text, between commas and followed by ``end``; NULL is empty."""
    template = ",".join(["%s"] * len(cells)) + end
    return getattr(func, "format" if dialect == "postgresql" else "printf")(template, *cells)


def _csv_cell(column, dialect: str):
    """The text as ``csv.writer`` writes it (QUOTE_MINIMAL, CRLF line ends): quoted, its
    quotes doubled, when it holds a comma, a quote, CR or LF; NULL stays NULL."""
    position = func.strpos if dialect == "postgresql" else func.instr
    special = or_(*(position(column, ch) > 0 for ch in ',"\r\n'))
    return case((special, '"' + func.replace(column, '"', '""') + '"'), else_=column)


def _text(column):
    return cast(column, String).label(column.key)


def _needs_open_ends(conn: Connection) -> bool:
    c, a = tables.claims.c, tables.assertions.c
    stmt = (
        select(c.quantity, c.low, c.high, c.low_open, c.high_open)
        .where(c.low_open.is_(True) | c.high_open.is_(True))
        .where(exists().where(a.claim_id == c.id))
    )
    with closing(_batches(conn, stmt)) as batches:
        return any(not _implied(*r) for rows in batches for r in rows)


def _csv_line(cells: Iterable) -> str:
    """The cells as ``csv.writer`` writes them (None as an empty cell), with CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=CRLF).writerow(cells)
    return buffer.getvalue()


@lru_cache(maxsize=4096)
def _csv_figure(figure: tuple, columns: tuple[str, ...]) -> str:
    """A figure's cells in ``columns``, between commas: numbers as ``format_number``
    writes them, open ends as true. Figures repeat (most claims have none)."""
    found = _figure(*figure)
    cells = {"quantity": found["quantity"]}
    for end in ("low", "high"):
        number = found[end]
        cells[end] = None if number is None else format_number(number)
        cells[f"{end}_open"] = "true" if found[f"{end}_open"] else ""
    return _csv_line(cells[c] for c in columns)[: -len(CRLF)]


def export_csv(session: Session, out: TextIO, *, progress: Progress = None) -> int:
    """Each line is its claim's cells and its statement's, all but the claim's figure
    written by SQL; the claims and the statements come by key from two queries, read
    side by side (a claim without statements is passed over)."""
    conn = session.connection()
    needs_open_ends = _needs_open_ends(conn)
    columns = [c for c in CSV_COLUMNS if c not in OPEN_ENDS or needs_open_ends]
    figure_columns = tuple(c for c in columns if c in FIGURE)
    out.write(_csv_line(columns))
    claim_batches = _batches(conn, _claim_cells(conn.dialect.name))
    claims = chain.from_iterable(claim_batches)

    def head(claim_id: int) -> str:
        for claim in claims:
            if claim[0] == claim_id:
                break
        _, before, after, *figure = claim
        return before + _csv_figure(tuple(figure), figure_columns) + after

    count, claim_id, prefix = 0, None, ""
    for rows in _batches(conn, _statement_lines(conn.dialect.name)):
        block = []
        for cid, line in rows:
            if cid != claim_id:
                claim_id, prefix = cid, head(cid)
            block.append(prefix)
            block.append(line)
        out.write("".join(block))
        count += len(rows)
        if progress:
            progress(len(rows))
    claim_batches.close()  # the claims after the last one stated are never read
    return count


EXPORTERS: dict[str, Callable[..., int]] = {
    "csv": export_csv,
    "yaml": export_yaml,
    "json": export_json,
}
