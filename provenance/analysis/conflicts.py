"""Numeric conflicts between claims (PRODUCT.md section 2): the rule as SQL, the same
rule as a pure function, and the sentences that say why.

Two claims are *comparable* when they share a topic and a unit (both set: a claim
with no topic or no unit is compared with nothing) and their ``since`` agree (equal,
or either unknown). Two comparable claims *conflict* when

- ``window``: their intervals do not overlap (open ends respected; a NULL bound is
  unbounded) and their effective ``as_of`` dates are at most ``window_days`` apart,
  unless both are running totals; or
- ``shrink``: both are running totals (``cumulative``) and the later one lies wholly
  below the earlier one, however far apart they are. A later, larger running total
  is growth, even within the window; two running totals of the same day that do not
  overlap conflict (one of them is below the other).

A claim's *effective as_of* is its ``as_of``, else the earliest ``published`` date of
the articles that carry a statement of it (any stance: a denial dates the figure as
well as an assertion does). When neither is known the claim has no date and no time
rule can apply to it, so it conflicts with nothing: an undated figure is listed,
never counted against another.

The SQL is a join of ``claims`` with itself on ``(topic, unit)``, which the index
``ix_claims_topic_unit`` serves; the effective date is a correlated ``MIN`` over the
claim's statements (index ``ix_assertions_claim_status``, then the
article's primary key), computed in the database, never row by row in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Date, Float, and_, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from provenance.config import Settings
from provenance.db.tables import articles, assertions, claims

if TYPE_CHECKING:  # only annotations here: analysis.quantity is imported when needed
    from provenance.analysis.quantity import Interval

DEFAULT_WINDOW_DAYS: int = Settings.window_days
WINDOW, SHRINK = "window", "shrink"


# --- the rule as SQL -------------------------------------------------------------------


class days_between(FunctionElement):
    """``later - earlier`` in days, for two DATE expressions, on every backend."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw) -> str:
    earlier, later = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw) -> str:
    earlier, later = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def effective_as_of(claim) -> ColumnElement[dt.date]:
    """The claim's ``as_of``, else the earliest article that states it; NULL if neither.
    ``claim``: the columns of the claims table (``claims.c``, of an alias, or the ORM
    entity) in the enclosing query."""
    s, art = assertions.alias(), articles.alias()
    first = (
        select(func.min(art.c.published))
        .select_from(s)
        .join(art, art.c.id == s.c.article_id)
        .where(s.c.claim_id == claim.id)
        .correlate_except(s, art)
        .scalar_subquery()
    )
    return func.coalesce(claim.as_of, first, type_=Date)


def below(x, y) -> ColumnElement[bool]:
    """Every value of x's interval is below every value of y's."""
    return and_(
        x.high.is_not(None),
        y.low.is_not(None),
        or_(x.high < y.low, and_(x.high == y.low, or_(x.high_open, y.low_open))),
    )


def comparable(a, b) -> ColumnElement[bool]:
    """One topic, one unit, agreeing ``since``; a and b are the columns of two aliases
    of the claims table."""
    return and_(
        a.topic == b.topic,
        a.unit == b.unit,
        a.id != b.id,
        or_(a.since == b.since, a.since.is_(None), b.since.is_(None)),
    )


def numeric_conflict(
    a, b, window_days: int = DEFAULT_WINDOW_DAYS, a_day=None, b_day=None
) -> ColumnElement[bool]:
    """SQL: comparable claims a and b conflict (either rule, either order). ``a_day``
    and ``b_day``, when the query already has them, are the effective dates (else
    each is the correlated ``effective_as_of``)."""
    a_day = effective_as_of(a) if a_day is None else a_day
    b_day = effective_as_of(b) if b_day is None else b_day
    both_running = and_(a.cumulative, b.cumulative)
    window = and_(
        not_(both_running),
        or_(below(a, b), below(b, a)),
        func.abs(days_between(a_day, b_day)) <= window_days,
    )
    # a later total wholly below an earlier one (same day: either one below the other)
    shrink = and_(
        both_running,
        or_(and_(below(b, a), b_day >= a_day), and_(below(a, b), a_day >= b_day)),
    )
    return and_(comparable(a, b), or_(window, shrink))


def dated_figures(topic: str | None = None):
    """Every claim that can take part in a numeric conflict (a topic, a unit and a
    figure), with its effective date computed once: a CTE, so that pairing the
    claims does not recompute each date for every pair it is in."""
    c, a = claims.c, assertions.c
    first = func.min(articles.c.published)
    chosen = [c.topic.is_not(None)] if topic is None else [c.topic == topic]
    return (
        select(
            c.id,
            c.key,
            c.topic,
            c.unit,
            c.low,
            c.high,
            c.low_open,
            c.high_open,
            c.since,
            c.cumulative,
            func.coalesce(c.as_of, first, type_=Date).label("day"),
        )
        .outerjoin(assertions, a.claim_id == c.id)
        .outerjoin(articles, articles.c.id == a.article_id)
        .where(
            *chosen,
            c.unit.is_not(None),
            or_(c.low.is_not(None), c.high.is_not(None)),
        )
        .group_by(c.id)
        .cte("dated_figures")
    )


class Columns:
    """A subquery's columns as attributes, as the rule functions read an entity."""

    def __init__(self, selectable) -> None:
        self.__dict__.update({c.key: c for c in selectable.c})


def conflicting_pairs(window_days: int = DEFAULT_WINDOW_DAYS, topic: str | None = None):
    """Every numerically conflicting pair once (a.id < b.id), with both effective dates
    and what it is ordered by (the topic, both keys)."""
    dated = dated_figures(topic)  # both sides of a pair share the topic
    a, b = Columns(dated.alias("a")), Columns(dated.alias("b"))
    return (
        select(
            a.id.label("a_id"),
            b.id.label("b_id"),
            a.day.label("a_as_of"),
            b.day.label("b_as_of"),
            a.topic.label("topic"),
            a.key.label("a_key"),
            b.key.label("b_key"),
        )
        .select_from(a.id.table)
        # Each pair once. Written as a difference so that no index can serve it: as
        # "b.id > a.id" PostgreSQL ANDs half the primary key into every lookup.
        .join(b.id.table, and_(b.topic == a.topic, b.unit == a.unit, b.id - a.id > 0))
        .where(numeric_conflict(a, b, window_days, a.day, b.day))
        .order_by(a.topic, a.key, b.key)
    )


def conflicts_of(claim_id: int, window_days: int = DEFAULT_WINDOW_DAYS):
    """The claims in numeric conflict with one claim, with both effective dates."""
    me_table, other_table = claims.alias("me"), claims.alias("other")
    me, other = me_table.c, other_table.c
    return (
        select(
            other.id.label("id"),
            effective_as_of(me).label("my_as_of"),
            effective_as_of(other).label("as_of"),
        )
        .select_from(me_table)
        .join(other_table, and_(other.topic == me.topic, other.unit == me.unit))
        .where(me.id == claim_id, numeric_conflict(me, other, window_days))
        .order_by(other.key)
    )


# --- the same rule, pure ---------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One claim's figure as the rule sees it (``as_of`` already the effective one)."""

    key: str
    interval: Interval
    unit: str | None = None
    topic: str | None = None
    as_of: dt.date | None = None
    since: dt.date | None = None
    cumulative: bool = False
    quantity: str | None = None

    @cached_property  # a figure is described in every pair it is in
    def described(self) -> str:
        """'more than one million shells (1000000, ∞), as of 2023-11-01'."""
        day = f"as of {self.as_of}" if self.as_of else "undated"
        return f"{figure_text(self.quantity, self.interval, self.unit)}, {day}"


def _below(x: Interval, y: Interval) -> bool:
    if x.high is None or y.low is None:
        return False
    return x.high < y.low or (x.high == y.low and (x.high_open or y.low_open))


def numeric_rule(a: Figure, b: Figure, window_days: int = DEFAULT_WINDOW_DAYS) -> str | None:
    """Which rule makes a and b conflict (``window`` or ``shrink``), or None: the
    reference for the SQL above, and what the sentences below describe."""
    if a.topic is None or a.topic != b.topic or a.unit is None or a.unit != b.unit:
        return None
    if a.since and b.since and a.since != b.since:
        return None
    if a.as_of is None or b.as_of is None:
        return None
    if a.cumulative and b.cumulative:
        earlier, later = (a, b) if a.as_of <= b.as_of else (b, a)
        if _below(later.interval, earlier.interval):
            return SHRINK
        same_day = a.as_of == b.as_of and _below(earlier.interval, later.interval)
        return SHRINK if same_day else None
    disjoint = _below(a.interval, b.interval) or _below(b.interval, a.interval)
    return WINDOW if disjoint and abs((a.as_of - b.as_of).days) <= window_days else None


# --- why, in words ---------------------------------------------------------------------


@lru_cache(maxsize=4096)  # many claims share a figure
def figure_text(quantity: str | None, interval: Interval, unit: str | None) -> str:
    """'more than one million shells (1000000, ∞)'; '[10, 20] troops' without a phrase."""
    if quantity:
        return " ".join(p for p in (quantity, unit, str(interval)) if p)
    return " ".join(p for p in (str(interval), unit) if p)


def rule_text(rule: str, a: Figure, b: Figure, window_days: int) -> str:
    """The numeric part of a why: 'disjoint intervals 1 day apart, within the 3-day window'."""
    if rule == SHRINK:
        return "a running total cannot shrink"
    days = abs((a.as_of - b.as_of).days) if a.as_of and b.as_of else None
    return f"disjoint intervals {apart(days)}, within the {window_days}-day window"


def apart(days: int | None) -> str:
    """'on the same day', '1 day apart', '3 days apart'."""
    if days is None:
        return "undated"
    if days == 0:
        return "on the same day"
    return f"{days} day{'' if days == 1 else 's'} apart"


def contest_text(a_key: str, a_groups: Set[str], b_key: str, b_groups: Set[str]) -> str:
    """Which side this pair contests: a group supporting one claim and not the other."""
    only_a, only_b = sorted(a_groups - b_groups), sorted(b_groups - a_groups)
    if only_a and only_b:
        return (
            f"{_names(only_a)} {_verb(only_a)} only {a_key} and {_names(only_b)} only "
            f"{b_key}: each contests the other"
        )
    if only_a or only_b:
        (mine, mine_key, other_key) = (only_a, a_key, b_key) if only_a else (only_b, b_key, a_key)
        return (
            f"{_names(mine)} {_verb(mine)} {mine_key} but not {other_key}: {other_key} is contested"
        )
    if a_groups:
        shared = sorted(a_groups)
        return (
            f"{_names(shared)} {_verb(shared)} both: the same group revising its own "
            "figure, not a contest"
        )
    return "no named group supports either: not a contest"


def contested_keys(a_key: str, a_groups: Set[str], b_key: str, b_groups: Set[str]) -> list[str]:
    """The claims of a pair that the pair contests (PRODUCT.md section 2, status rule 1)."""
    out = []
    if a_groups - b_groups:
        out.append(b_key)
    if b_groups - a_groups:
        out.append(a_key)
    return sorted(out)


def numeric_why(
    a: Figure, b: Figure, rule: str, window_days: int, a_groups: Set[str], b_groups: Set[str]
) -> str:
    """The sentence for one numeric conflict between a and b."""
    if rule == SHRINK and a.as_of and b.as_of and b.as_of < a.as_of:
        a, b, a_groups, b_groups = b, a, b_groups, a_groups
    return (
        f"{a.key} ({a.described}) against {b.key} ({b.described}): "
        f"{rule_text(rule, a, b, window_days)}; {contest_text(a.key, a_groups, b.key, b_groups)}"
    )


def relation_why(a_key: str, b_key: str, note: str | None, a_groups, b_groups) -> str:
    said = f" ({note})" if note else ""
    contest = contest_text(a_key, set(a_groups), b_key, set(b_groups))
    return f"{a_key} contradicts {b_key}{said}; {contest}"


def challenge_why(
    key: str, group: str, stances: list[str], supporters: Set[str], asserted: bool = True
) -> str:
    verb = " and ".join(sorted(set(stances)))
    if not asserted:
        return f"{group} {verb} {key}, which nothing asserts: no dispute, {key} is unsupported"
    if group in supporters:
        return f"{group} {verb} {key} but also supports it: not a contest"
    return f"{group} {verb} {key}, which it does not support: a challenge, {key} is contested"


def _names(groups: list[str]) -> str:
    return ", ".join(groups)


def _verb(groups: list[str]) -> str:
    return "supports" if len(groups) == 1 else "support"
