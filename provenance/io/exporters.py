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
  ends: open the output with ``newline=""``.
- Numbers print without a trailing ".0" (``format_number`` in CSV; integral values as
  integers in documents); dates ISO.
- ``progress(n)`` is called with the records written since the last call.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TextIO

import yaml
from sqlalchemy import String, case, cast, exists, func, select
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
    if _implied(c.quantity, c.low, c.high, c.low_open, c.high_open):
        entry |= {"low": None, "high": None}
    entry["low"], entry["high"] = _num(entry["low"]), _num(entry["high"])
    for end in ("low", "high"):  # an open flag only beside the number it qualifies
        entry[f"{end}_open"] = True if entry[end] is not None and entry[f"{end}_open"] else None
    return entry


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
STATEMENT = slice(-11, None)  # a row's statement cells (see _csv_rows)


def _csv_rows(session: Session) -> Iterator[Any]:
    """Every statement with its claim, article, outlets and actors, by claim key.

    Only the claims are ordered in SQL (SQLite walks their key index, so a million
    statements are never sorted at once); ``export_csv`` orders each claim's few
    statements itself. Dates come as text, and no ORM entity is made: memory is flat.
    """
    c, a, ar = tables.claims.c, tables.assertions.c, tables.articles.c
    outlet, via = tables.outlets.alias("outlet"), tables.outlets.alias("via")
    speaker, cites = tables.actors.alias("speaker"), tables.actors.alias("cites")
    key = c.key.collate("C") if session.get_bind().dialect.name == "postgresql" else c.key
    stmt = (
        select(
            *(c[f] for f in CLAIM_FIELDS if f not in ("as_of", "since")),
            _text(c.as_of),
            _text(c.since),
            c.id.label("claim_id"),
            a.id,
            # the statement's cells, last and in the order of CSV_COLUMNS (STATEMENT)
            a.stance,
            speaker.c.name.label("speaker"),
            cites.c.name.label("cites"),
            outlet.c.name.label("outlet"),
            via.c.name.label("via"),
            ar.url,
            ar.title,
            _text(ar.published),
            a.wording,
            case((a.confidence_manual, a.confidence)).label("confidence"),
            a.quote,
        )
        .select_from(tables.claims)
        .join(tables.assertions, a.claim_id == c.id)
        .join(tables.articles, ar.id == a.article_id)
        .join(outlet, outlet.c.id == ar.outlet_id)
        .outerjoin(via, via.c.id == ar.via_id)
        .outerjoin(speaker, speaker.c.id == a.speaker_id)
        .outerjoin(cites, cites.c.id == a.cites_id)
        .order_by(key)
    )
    conn = session.connection()
    return conn.execute(stmt.execution_options(yield_per=STEP))


def _text(column):
    return cast(column, String).label(column.key)


def _statement_order(r) -> tuple:
    """As documents order a claim's statements: by date (undated last), article, speaker,
    cited source, stance; code point order, as ``_text_order`` in SQL; then by id."""
    stance, speaker, cites, _, _, url, title, day = r[STATEMENT][:8]
    ref = url or title or ""
    return (day is None, day or "", ref, speaker or "", cites or "", stance, r.id)


def _needs_open_ends(session: Session) -> bool:
    stmt = (
        select(Claim.quantity, Claim.low, Claim.high, Claim.low_open, Claim.high_open)
        .where(Claim.low_open.is_(True) | Claim.high_open.is_(True))
        .where(exists().where(Assertion.claim_id == Claim.id))
    )
    rows = session.execute(stmt.execution_options(yield_per=STEP))
    return any(not _implied(*r) for r in rows)


def _csv_claim(c, columns: list[str]) -> list:
    """The claim's cells, in the order of ``columns``."""
    if c.quantity is None and c.low is None and c.high is None:  # most claims: no figure
        cells: dict[str, Any] = {"quantity": None, "low": None, "high": None}
        cells |= dict.fromkeys(OPEN_ENDS, "")
    else:
        e = _claim_entry(c)
        cells = {"quantity": c.quantity, "low": e["low"], "high": e["high"]}
        cells |= {end: "true" if e[end] else "" for end in OPEN_ENDS}
        for end in ("low", "high"):
            cells[end] = None if cells[end] is None else format_number(cells[end])
    cells |= {"claim_key": c.key, "claim_text": c.text, "topic": c.topic, "unit": c.unit}
    cells |= {"as_of": c.as_of, "since": c.since, "cumulative": "true" if c.cumulative else ""}
    return [cells[name] for name in columns]


def export_csv(session: Session, out: TextIO, *, progress: Progress = None) -> int:
    columns = [c for c in CSV_COLUMNS if c not in OPEN_ENDS or _needs_open_ends(session)]
    claim_columns = columns[: columns.index("stance")]
    writer = csv.writer(out, lineterminator="\r\n")  # writes None as an empty cell
    writer.writerow(columns)
    count, step = 0, 0
    claim_id, claim, group = None, [], []

    def flush() -> None:
        if len(group) > 1:
            group.sort(key=_statement_order)
        writer.writerows([*claim, *r[STATEMENT]] for r in group)

    for r in _csv_rows(session):
        if r.claim_id != claim_id:  # rows come grouped by claim: its cells once per claim
            flush()
            claim_id, claim, group = r.claim_id, _csv_claim(r, claim_columns), []
        group.append(r)
        count += 1
        if progress and count - step >= STEP:
            progress(count - step)
            step = count
    flush()
    if progress and count > step:
        progress(count - step)
    return count


EXPORTERS: dict[str, Callable[..., int]] = {
    "csv": export_csv,
    "yaml": export_yaml,
    "json": export_json,
}
