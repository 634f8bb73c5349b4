"""What an editor asks of the claims: every claim with its status, and one claim with
its reasons, conflicts and provenance tree.

Read-only, on the Core tables of ``db.tables``: these functions take a Core
``Connection`` (a ``Session`` works too: the listings stream on its connection) and
never import ``sqlalchemy.orm``, so `prov claims` and `prov claims show` start without
it. Every function that computes a status takes ``window_days`` (the same-time window
of the numeric-conflict rule; the CLI passes ``load_settings().window_days``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, String, and_, cast, exists, or_, select

from provenance.analysis import conflicts as numeric
from provenance.analysis import status as sql_status
from provenance.analysis.conflicts import DEFAULT_WINDOW_DAYS
from provenance.db import streaming
from provenance.db.tables import (
    actors,
    articles,
    assertions,
    claims,
    outlets,
    relations,
)
from provenance.errors import NotFound
from provenance.services.record import BATCH, actor_id, outlet_id
from provenance.vocabulary import CLAIM_COLUMNS

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Row
    from sqlalchemy.orm import Session

    Db = Connection | Session

# Imported where used: the name look-ups and quantities are not needed by a plain
# listing, and every module a command imports is start-up time.

CHUNK = 500  # ids per IN list


@dataclass(frozen=True)
class ClaimFilter:
    statuses: tuple[str, ...] = ()
    topic: str | None = None
    speaker: str | None = None
    outlet: str | None = None
    search: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    key: str | None = None


def list_claims(
    db: Db,
    filters: ClaimFilter = ClaimFilter(),
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Iterator[dict]:
    """One row per claim, streamed; the status is always over all of its statements,
    the filters only choose which claims are listed. Names in the filters are looked
    up before the first row, so an unknown one fails before anything is written."""
    rows = streaming.rows(db, _claims_query(db, filters, window_days), batch=BATCH)
    return (dict(zip(CLAIM_COLUMNS, row, strict=True)) for row in rows)


def _claims_query(db: Db, filters: ClaimFilter, window_days: int) -> Select:
    claim = claims.c
    where = _conditions(db, filters, claim.id)
    if filters.topic:
        where.append(claim.topic == filters.topic)
    if filters.key is not None:  # an empty key matches no claim, not every claim
        where.append(claim.key == filters.key)
    if filters.search:
        needle = filters.search
        where.append(
            or_(
                claim.text.icontains(needle, autoescape=True),
                claim.key.icontains(needle, autoescape=True),
            )
        )
    query = sql_status.claims_with_status(window_days=window_days, where=where)
    c = query.selected_columns
    if filters.statuses:
        query = query.where(c.status.in_(filters.statuses))
    # Only the listed columns, in order, dates as ISO text (what every writer prints:
    # no parsing into date objects to format them again, a million times).
    return query.with_only_columns(
        *(_as_text(c[k]) if k in ("first_seen", "last_seen") else c[k] for k in CLAIM_COLUMNS)
    )


def _as_text(column):
    return cast(column, String).label(column.key)


def _conditions(db: Db, f: ClaimFilter, claim_id) -> list:
    statement, article = assertions.c, articles.c
    conditions = []
    if f.speaker:
        actor = actor_id(db, f.speaker)
        conditions.append(
            exists().where(
                statement.claim_id == claim_id,
                or_(statement.speaker_id == actor, statement.cites_id == actor),
            )
        )
    dated = [c for c in (_on_or_after(f.since), _on_or_before(f.until)) if c is not None]
    if f.outlet:
        outlet = outlet_id(db, f.outlet)
        dated.append(or_(article.outlet_id == outlet, article.via_id == outlet))
    if dated:
        conditions.append(
            exists()
            .where(statement.claim_id == claim_id, article.id == statement.article_id)
            .where(*dated)
        )
    return conditions


def _on_or_after(day: dt.date | None):
    return None if day is None else articles.c.published >= day


def _on_or_before(day: dt.date | None):
    return None if day is None else articles.c.published <= day


def claim_status(db: Db, key: str, *, window_days: int = DEFAULT_WINDOW_DAYS) -> dict:
    """One claim's row of the listing. One row: run as it is, not streamed (on
    PostgreSQL a stream costs a savepoint and its own compilation)."""
    key = key.strip()  # as _find_claim reads it
    row = db.execute(_claims_query(db, ClaimFilter(key=key), window_days)).first()
    if row is None:
        _find_claim(db, key)  # raises NotFound
    return dict(zip(CLAIM_COLUMNS, row, strict=True))


def _find_claim(db: Db, key: str) -> Row:
    """The claim's row (every column), by key."""
    claim = db.execute(select(claims).where(claims.c.key == key.strip())).first()
    if claim is None:
        raise NotFound(f"no claim with key {key!r} (see `prov claims`)")
    return claim


def statements(db: Db, key: str) -> list[dict]:
    """Every statement of one claim with the names an explanation needs."""
    s, article = assertions.c, articles.c
    speaker, cited, group = actors.alias(), actors.alias(), actors.alias()
    outlet, wire = outlets.alias(), outlets.alias()
    query = (
        select(
            s.stance,
            s.wording,
            s.confidence,
            s.quote,
            s.group_id,
            speaker.c.name.label("speaker"),
            speaker.c.kind.label("speaker_kind"),
            cited.c.name.label("cites"),
            cited.c.kind.label("cites_kind"),
            group.c.name.label("group"),
            article.title,
            article.url,
            article.published,
            outlet.c.name.label("outlet"),
            wire.c.name.label("via"),
        )
        .select_from(assertions)
        .join(articles, article.id == s.article_id)
        .join(outlet, outlet.c.id == article.outlet_id)
        .outerjoin(wire, wire.c.id == article.via_id)
        .outerjoin(speaker, speaker.c.id == s.speaker_id)
        .outerjoin(cited, cited.c.id == s.cites_id)
        .outerjoin(group, group.c.id == s.group_id)
        # The claim by a subquery on its key, not its id as a value: PostgreSQL then
        # plans for a claim's usual few statements, an index lookup per article and
        # actor, which stays the fastest plan for thousands. Told the id of a claim it
        # knows has a thousand, it hashes every article and actor instead (23 ms, 9 ms
        # this way, on the 1M-row benchmark desk).
        .where(
            s.claim_id == select(claims.c.id).where(claims.c.key == key.strip()).scalar_subquery()
        )
        .order_by(article.published, s.id)
    )
    return [dict(row) for row in db.execute(query).mappings()]


def contradicting(db: Db, claim_id: int) -> list[dict]:
    """Claims this one is said to contradict, with the groups supporting them."""
    other_table, r = claims.alias(), relations.c
    other = other_table.c
    query = (
        select(other.key, other.id, r.note)
        .select_from(other_table)
        .join(
            relations,
            or_(
                and_(r.a_id == claim_id, r.b_id == other.id),
                and_(r.b_id == claim_id, r.a_id == other.id),
            ),
        )
        .where(r.kind == "contradicts")
        .order_by(other.key)
    )
    found = db.execute(query).all()
    groups = _supporting_groups(db, [other_id for _, other_id, _ in found])
    return [{"key": key, "note": note, "groups": groups[other_id]} for key, other_id, note in found]


def numeric_conflicts(
    db: Db, claim_id: int, *, window_days: int = DEFAULT_WINDOW_DAYS
) -> list[dict]:
    """The claims whose figures conflict with this one's, each with its rule, figure,
    effective date and supporting groups."""
    found = db.execute(numeric.conflicts_of(claim_id, window_days)).all()
    if not found:
        return []
    dates = {row.id: row.as_of for row in found}
    figures = _figures(db, {claim_id: found[0].my_as_of, **dates})
    groups = _supporting_groups(db, list(dates))
    mine = figures[claim_id]
    return [
        {
            "key": figures[other].key,
            "text": figures[other].text,
            "figure": figures[other].figure_text,
            "as_of": day,
            "rule": numeric.numeric_rule(mine.rule, figures[other].rule, window_days),
            "days": abs((mine.rule.as_of - day).days) if mine.rule.as_of and day else None,
            "groups": [name for _, name in groups[other]],
        }
        for other, day in dates.items()
    ]


@dataclass(frozen=True)
class _Figure:
    key: str
    text: str
    rule: numeric.Figure  # as the numeric rule sees it, at its effective date
    figure_text: str | None


def _figures(db: Db, dates: dict[int, dt.date | None]) -> dict[int, _Figure]:
    """These claims' figures, by id, at the effective dates given."""
    from provenance.analysis.quantity import Interval

    ids, c, out = list(dates), claims.c, {}
    for i in range(0, len(ids), CHUNK):
        for row in db.execute(select(claims).where(c.id.in_(ids[i : i + CHUNK]))):
            interval = Interval(row.low, row.high, row.low_open, row.high_open)
            rule = numeric.Figure(
                key=row.key,
                interval=interval,
                unit=row.unit,
                topic=row.topic,
                as_of=dates[row.id],
                since=row.since,
                cumulative=row.cumulative,
                quantity=row.quantity,
            )
            has_figure = row.low is not None or row.high is not None
            shown = numeric.figure_text(row.quantity, interval, row.unit)
            out[row.id] = _Figure(row.key, row.text, rule, shown if has_figure else row.quantity)
    return out


def _supporting_groups(db: Db, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each claim's supporting groups (of the statements that assert it) as (id, name),
    by name."""
    out: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    s, group = assertions.c, actors.c
    for i in range(0, len(ids), CHUNK):
        query = (
            select(s.claim_id, group.id, group.name)
            .join(actors, group.id == s.group_id)
            .where(s.claim_id.in_(ids[i : i + CHUNK]), s.stance == "asserts")
            .distinct()
            .order_by(s.claim_id, group.name)
        )
        for claim_id, group_id, name in db.execute(query):
            out[claim_id].append((group_id, name))
    return out


def explain_claim(db: Db, key: str, *, window_days: int = DEFAULT_WINDOW_DAYS) -> dict:
    """The claim, its status with every reason, its conflicts, and its provenance tree."""
    from provenance.analysis import explain

    claim = _find_claim(db, key)
    row = claim_status(db, claim.key, window_days=window_days)
    found = statements(db, claim.key)
    figures = numeric_conflicts(db, claim.id, window_days=window_days)
    relations = contradicting(db, claim.id)
    return {
        **row,
        "figure": _figure(db, claim),
        "reasons": explain.reasons(row, found, relations, numeric=figures, window_days=window_days),
        "conflicts": explain.conflicts(found, figures, relations),
        "tree": explain.tree(found),
    }


def _figure(db: Db, claim: Row) -> dict | None:
    if claim.quantity is None and claim.low is None and claim.high is None:
        return None
    c = claims.c
    effective = db.scalar(select(numeric.effective_as_of(c)).where(c.id == claim.id))
    return {
        "quantity": claim.quantity,
        "low": claim.low,
        "low_open": claim.low_open,
        "high": claim.high,
        "high_open": claim.high_open,
        "unit": claim.unit,
        "as_of": claim.as_of,
        "effective_as_of": effective,
        "since": claim.since,
        "cumulative": claim.cumulative,
    }
