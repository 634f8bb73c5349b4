"""`prov contradictions`: every conflicting pair (numeric, challenge, relation) with
both sides and why (PRODUCT.md section 2).

Each kind is one query that returns whole rows: the pair, both claims, and each
side's groups, origins and outlets aggregated per claim in the database (a CTE of
the sides of the claims in a pair, joined to each pair). Python only turns a row
into words: the figures, the why sentence, the claims the pair contests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Set
from contextlib import ExitStack
from typing import NamedTuple

from sqlalchemy import Connection, String, case, func, literal, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from provenance.analysis import conflicts as numeric
from provenance.analysis.conflicts import DEFAULT_WINDOW_DAYS
from provenance.db import streaming
from provenance.db.tables import actors, articles, assertions, claims, outlets, relations
from provenance.services.record import BATCH
from provenance.vocabulary import CHALLENGE_STANCES

# The ASCII unit separator, between the names of one aggregated cell. Names are
# stripped of it at both ends (validate.text); one inside a name would split it.
SEP = "\x1f"


def list_contradictions(
    conn: Connection,
    *,
    topic: str | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    beside: Connection | None = None,
) -> Iterator[dict]:
    """Every conflicting pair, streamed: numeric conflicts, then ``contradicts``
    relations, then challenges (one row per claim and challenging group). Each row has
    ``kind, claim_a, claim_b, contests, why`` and both sides' ``text, figure, date,
    groups, origins, outlets`` (prefixed ``a_``/``b_``); ``contests`` lists the claims
    the pair makes contested (empty when one group revises itself). ``conn``: a Core
    connection (a ``Session`` works too: the rows stream on its connection).

    ``beside``: a second connection on the same snapshot (``engine.same_snapshot``).
    The challenges are then queried on it in a thread while the numeric pairs are here:
    the same rows, the database's work done on two cores. Close the iterator if it is
    left unfinished (as a ``with closing(...)`` block does): that stops the thread."""
    numeric_q, relation_q, challenge_q = contradiction_queries(topic, window_days)

    def run(query):
        return streaming.rows(conn, query, batch=BATCH)

    with ExitStack() as stack:
        challenges = None
        if beside is not None:
            from provenance.db.background import started

            challenges = stack.enter_context(started(beside, challenge_q, batch=BATCH))
        yield from _numeric_rows(run(numeric_q), window_days)
        yield from _relation_rows(run(relation_q))
        if challenges is None:
            challenges = run(challenge_q)
        yield from _challenge_rows(challenges)


def contradiction_queries(topic: str | None = None, window_days: int = DEFAULT_WINDOW_DAYS) -> list:
    """The three queries that `prov contradictions` streams, whole rows with both
    sides (numeric pairs, relations, challenges); the benchmark runs them in the
    database's own tool as a yardstick."""
    return [_numeric_query(topic, window_days), _relation_query(topic), _challenge_query(topic)]


# --- SQL ---------------------------------------------------------------------------------


class joined(FunctionElement):
    """Aggregate: the non-NULL values of a text expression joined by SEP, in no set
    order (the caller sorts): ``group_concat`` on SQLite, ``string_agg`` elsewhere."""

    type = String()
    inherit_cache = True


@compiles(joined)
def _joined(element, compiler, **kw) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, chr(31))"


@compiles(joined, "sqlite")
def _joined_sqlite(element, compiler, **kw) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, char(31))"


def _statements():
    """Statements with their group, origin (cited, else speaker; only when the
    statement has a group, as only those count) and outlet names."""
    s = assertions.c
    group, speaker, cited = actors.alias("grp"), actors.alias("speaker"), actors.alias("cited")
    origin = func.coalesce(cited.c.name, speaker.c.name)
    return (
        select(
            s.claim_id,
            s.stance,
            group.c.name.label("group"),
            case((s.group_id.is_not(None), origin)).label("origin"),
            outlets.c.name.label("outlet"),
            articles.c.published,
        )
        .join(articles, articles.c.id == s.article_id)
        .join(outlets, outlets.c.id == articles.c.outlet_id)
        .outerjoin(group, group.c.id == s.group_id)
        .outerjoin(speaker, speaker.c.id == s.speaker_id)
        .outerjoin(cited, cited.c.id == s.cites_id)
    )


def _names(statements, keys: list[str], fields: dict[str, str]):
    """Per key of ``statements`` (a CTE), each field's distinct names joined by SEP
    (NULL when none): one UNION of (key, field, name) rows, then one grouping."""
    keyed = [statements.c[k] for k in keys]
    parts = [
        select(*keyed, literal(i).label("field"), statements.c[column].label("name")).where(
            statements.c[column].is_not(None)
        )
        for i, column in enumerate(fields.values())
    ]
    names = union(*parts).subquery()
    return select(
        *(names.c[k] for k in keys),
        *(
            joined(case((names.c.field == i, names.c.name))).label(label)
            for i, label in enumerate(fields)
        ),
    ).group_by(*(names.c[k] for k in keys))


def _support(claim_ids):
    """Each of these claims' supporting side: the groups and origins of its supporting
    statements and the outlets of every asserting one."""
    ids = claim_ids.subquery()
    asserting = (
        _statements()
        .join(ids, ids.c.id == assertions.c.claim_id)
        .where(assertions.c.stance == "asserts")
        .cte("asserting")
    )
    fields = {"groups": "group", "origins": "origin", "outlets": "outlet"}
    return _names(asserting, ["claim_id"], fields).cte("support")


def _claim_columns(claim, support, day) -> list:
    """One side's columns (``claim``: the columns of the claims table or of an alias),
    in the order ``_sides`` reads them."""
    return [
        claim.key,
        claim.text,
        claim.quantity,
        claim.low,
        claim.high,
        claim.low_open,
        claim.high_open,
        claim.unit,
        claim.cumulative,
        day,
        support.c.groups,
        support.c.origins,
        support.c.outlets,
    ]


def _both_sides(pairs, dates: tuple | None, *more):
    """Each row of ``pairs`` (a CTE with the claims' ids ``a_id`` and ``b_id``) with
    both claims' columns and ``more``. A side's date: ``dates`` (columns of ``pairs``),
    else its claim's effective as_of."""
    p = pairs.c
    support = _support(union(select(p.a_id.label("id")), select(p.b_id)))
    ca, cb = claims.alias("ca"), claims.alias("cb")
    sa, sb = support.alias("sa"), support.alias("sb")
    a_day, b_day = dates or (numeric.effective_as_of(ca.c), numeric.effective_as_of(cb.c))
    return (
        select(*_claim_columns(ca.c, sa, a_day), *_claim_columns(cb.c, sb, b_day), *more)
        .select_from(pairs)
        .join(ca, ca.c.id == p.a_id)
        .join(cb, cb.c.id == p.b_id)
        .outerjoin(sa, sa.c.claim_id == ca.c.id)
        .outerjoin(sb, sb.c.claim_id == cb.c.id)
    )


def _numeric_query(topic: str | None, window_days: int):
    pairs = numeric.conflicting_pairs(window_days, topic).order_by(None).cte("pairs")
    p = pairs.c
    return _both_sides(pairs, (p.a_as_of, p.b_as_of)).order_by(p.topic, p.a_key, p.b_key)


def _relation_query(topic: str | None):
    r = relations.c
    chosen = select(r.a_id, r.b_id, r.note).where(r.kind == "contradicts")
    if topic is not None:
        ta, tb = claims.alias("ta"), claims.alias("tb")
        chosen = (
            chosen.join(ta, ta.c.id == r.a_id)
            .join(tb, tb.c.id == r.b_id)
            .where(or_(ta.c.topic == topic, tb.c.topic == topic))
        )
    pairs = chosen.cte("contradicting")
    query = _both_sides(pairs, None, pairs.c.note)
    columns = query.selected_columns  # ordered by both keys
    return query.order_by(columns[0], columns[SIDE_COLUMNS])


def _challenge_query(topic: str | None):
    """One row per claim and challenging group (a challenge has an origin, so it has
    a group): the claim's supporters against the group's denials and doubts."""
    s, claim = assertions.c, claims.c
    chosen = [s.stance.in_(CHALLENGE_STANCES), s.group_id.is_not(None)]
    if topic is not None:
        chosen.append(claim.topic == topic)
    challenging = (
        _statements().join(claims, claim.id == s.claim_id).where(*chosen).cte("challenging")
    )
    c = challenging.c
    first = select(c.claim_id, c.group, func.min(c.published).label("day")).group_by(
        c.claim_id, c.group
    )
    first = first.subquery("first")
    fields = {"origins": "origin", "outlets": "outlet", "stances": "stance"}
    said = _names(challenging, ["claim_id", "group"], fields).subquery("said")
    support = _support(select(c.claim_id.label("id")).distinct())
    return (
        select(
            *_claim_columns(claim, support, numeric.effective_as_of(claim)),
            first.c.group,
            first.c.day,
            said.c.origins,
            said.c.outlets,
            said.c.stances,
        )
        .select_from(first)
        .join(said, (said.c.claim_id == first.c.claim_id) & (said.c.group == first.c.group))
        .join(claims, claim.id == first.c.claim_id)
        .outerjoin(support, support.c.claim_id == claim.id)
        .order_by(claim.key, first.c.group)
    )


# --- rows --------------------------------------------------------------------------------


class _Side(NamedTuple):
    """One claim's side of a pair, as the rows print it and the why reads it."""

    key: str
    text: str
    figure_text: str | None
    date: dt.date | None
    groups: list[str]
    origins: list[str]
    outlets: list[str]
    figure: numeric.Figure
    asserted: bool  # something asserts the claim (it has outlets of asserting statements)
    group_set: frozenset[str]  # the groups again, for the pairs' comparisons


SIDE_COLUMNS = 13  # the columns of one side in a row (``_claim_columns``)
# Sides kept: a claim is in many pairs, close together in the order (at 1M, 41,870
# sides built for 90,738 looked up; 41,650 with 4,096 kept, 41,623 keeping all)
CACHED = 1024


def _sides() -> Callable[[tuple, int], _Side]:
    """Reads a side from a row's columns at ``start``, building each claim's once (a
    small cache: the rows come by topic, so a claim's pairs are near each other)."""
    from provenance.analysis.quantity import Interval

    cache: dict[str, _Side] = {}

    def side(row: tuple, start: int) -> _Side:
        key = row[start]
        found = cache.get(key)
        if found is None:
            text, quantity, low, high, low_open, high_open, unit, cumulative, day = row[
                start + 1 : start + 10
            ]
            groups, origins, outlets = row[start + 10 : start + SIDE_COLUMNS]
            interval = Interval(low, high, low_open, high_open)
            has_figure = low is not None or high is not None
            names = _split(groups)
            found = _Side(
                key=key,
                text=text,
                figure_text=numeric.figure_text(quantity, interval, unit)
                if has_figure
                else quantity,
                date=day,
                groups=names,
                origins=_split(origins),
                outlets=_split(outlets),
                figure=numeric.Figure(
                    key, interval, unit=unit, as_of=day, cumulative=cumulative, quantity=quantity
                ),
                asserted=outlets is not None,
                group_set=frozenset(names),
            )
            if len(cache) >= CACHED:
                cache.clear()
            cache[key] = found
        return found

    return side


def _split(names: str | None) -> list[str]:
    """An aggregated cell's names in Python's order, whatever the database's."""
    if not names:
        return []
    found = names.split(SEP)
    found.sort()
    return found


def _numeric_rows(rows, window_days: int) -> Iterator[dict]:
    side = _sides()
    for row in rows:
        a, b = side(row, 0), side(row, SIDE_COLUMNS)
        if (b.date or dt.date.max, b.key) < (a.date or dt.date.max, a.key):
            a, b = b, a  # the earlier side first (undated last), then by key
        rule = numeric.SHRINK if a.figure.cumulative and b.figure.cumulative else numeric.WINDOW
        ga, gb = a.group_set, b.group_set
        why = numeric.numeric_why(a.figure, b.figure, rule, window_days, ga, gb)
        yield _pair("numeric", a, b, _contests(a, ga, b, gb), why)


def _relation_rows(rows) -> Iterator[dict]:
    side = _sides()
    for row in rows:
        a, b = side(row, 0), side(row, SIDE_COLUMNS)
        note = row[2 * SIDE_COLUMNS]
        why = numeric.relation_why(a.key, b.key, note, a.groups, b.groups)
        yield _pair("relation", a, b, _contests(a, a.group_set, b, b.group_set), why)


def _contests(a: _Side, ga: Set[str], b: _Side, gb: Set[str]) -> list[str]:
    # A claim nothing asserts is unsupported, never contested (status rule 4).
    keys = numeric.contested_keys(a.key, ga, b.key, gb)
    return [k for k in keys if (a if k == a.key else b).asserted]


def _challenge_rows(rows) -> Iterator[dict]:
    """The claim's supporters against one group's denials and doubts: the challenge
    side has that group, the origins and outlets of its statements, its first date."""
    side = _sides()
    for row in rows:
        a = side(row, 0)
        group, day, origins, outlets, stances = row[SIDE_COLUMNS:]
        supporters = a.group_set
        why = numeric.challenge_why(a.key, group, stances.split(SEP), supporters, a.asserted)
        contests = [a.key] if a.asserted and group not in supporters else []
        b = _Side(
            a.key,
            a.text,
            a.figure_text,
            day,
            [group],
            _split(origins),
            _split(outlets),
            a.figure,
            True,
            frozenset((group,)),
        )
        yield _pair("challenge", a, b, contests, why)


def _pair(kind: str, a: _Side, b: _Side, contests: list[str], why: str) -> dict:
    return {
        "kind": kind,
        "claim_a": a.key,
        "claim_b": b.key,
        "contests": contests,
        "a_text": a.text,
        "a_figure": a.figure_text,
        "a_date": a.date,
        "a_groups": a.groups,
        "a_origins": a.origins,
        "a_outlets": a.outlets,
        "b_text": b.text,
        "b_figure": b.figure_text,
        "b_date": b.date,
        "b_groups": b.groups,
        "b_origins": b.origins,
        "b_outlets": b.outlets,
        "why": why,
    }
