"""Claim status as SQL (PRODUCT.md section 2), so that listing a million assertions
is one grouped query over indexed columns, never a Python loop.

Per claim, over its assertions:
- a *supporting* statement asserts and has an origin (``group_id`` not NULL);
  it is *firm* when its confidence is asserted, likely or stronger;
- a *challenge* denies or doubts and has an origin.
Status, first match wins: contested (the claim is asserted, and there is a challenge
from a group that does not support the claim, or a numeric conflict or a
``contradicts`` relation with a claim that a group not supporting this one supports;
the numeric rule is ``analysis.conflicts``)
→ corroborated (firm support from two or more groups) →
single-source (anything asserts it) → unsupported. Echoed: single-source and
carried by more than one outlet.
"""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
)

from provenance.analysis.conflicts import (
    DEFAULT_WINDOW_DAYS,
    Columns,
    dated_figures,
    numeric_conflict,
)
from provenance.db.tables import articles, assertions, claims, relations
from provenance.vocabulary import CHALLENGE_STANCES, FIRM_LEVELS


def _supports(a) -> ColumnElement[bool]:
    return and_(a.stance == "asserts", a.group_id.is_not(None))


def supported_by(claim_id, group_id) -> ColumnElement[bool]:
    """Some statement of the claim, from that group, supports it."""
    s_table = assertions.alias()
    s = s_table.c
    # Correlate explicitly: nested two levels deep (inside a challenge's EXISTS), auto-
    # correlation would not reach the outer claims and would add them to this FROM,
    # asking whether the group supports *any* claim.
    # SELECT id, not *: so that SQLite answers from the index, never the table.
    return (
        select(s.id)
        .where(s.claim_id == claim_id, _supports(s), s.group_id == group_id)
        .correlate_except(s_table)
        .exists()
    )


def challenged(claim_id) -> ColumnElement[bool]:
    """A challenge from a group that does not support the claim."""
    c = assertions.alias().c
    return exists().where(
        c.claim_id == claim_id,
        c.stance.in_(CHALLENGE_STANCES),
        c.group_id.is_not(None),
        ~supported_by(claim_id, c.group_id),
    )


def contradicted(claim_id) -> ColumnElement[bool]:
    """A ``contradicts`` relation, either way, with a claim supported by a group that
    does not support this one (a government revising itself does not contest)."""

    def side(mine, other) -> ColumnElement[bool]:
        r, s = relations.alias().c, assertions.alias().c
        return exists().where(
            r.kind == "contradicts",
            mine(r) == claim_id,
            s.claim_id == other(r),
            _supports(s),
            ~supported_by(claim_id, s.group_id),
        )

    return or_(side(lambda r: r.a_id, lambda r: r.b_id), side(lambda r: r.b_id, lambda r: r.a_id))


def in_numeric_conflict(
    claim, window_days: int = DEFAULT_WINDOW_DAYS, claim_day=None
) -> ColumnElement[bool]:
    """A numeric conflict with a claim supported by a group that does not support this
    one (one government revising its own figure does not contest it). ``claim``: the
    columns of the claims table (or of an alias of it) in the enclosing query; the
    other claim is found through the index on claims (topic, unit). ``claim_day``: the
    claim's effective date when the enclosing query has it already (else a correlated
    MIN)."""
    other, s = claims.alias().c, assertions.alias().c
    return exists().where(
        other.topic == claim.topic,
        other.unit == claim.unit,
        # only a claim with a figure can conflict: skips most of a topic cheaply
        or_(other.low.is_not(None), other.high.is_not(None)),
        numeric_conflict(claim, other, window_days, a_day=claim_day),
        exists().where(s.claim_id == other.id, _supports(s), ~supported_by(claim.id, s.group_id)),
    )


# --- the same rules as sets, for a listing of every claim ------------------------------
#
# Asked per claim, each rule above is an index look-up or two; asked of 300,000
# claims, the look-ups cost more than reading the statements once. A listing of every
# claim therefore asks each rule once, as the set of claim ids it contests (SQLite and
# PostgreSQL evaluate an uncorrelated IN subquery once), and the numeric rule pairs
# the claims of ``conflicts.dated_figures``, whose effective dates are computed once.


def challenged_ids() -> Select:
    c = assertions.alias().c
    return select(c.claim_id).where(
        c.stance.in_(CHALLENGE_STANCES),
        c.group_id.is_not(None),
        ~supported_by(c.claim_id, c.group_id),
    )


def contradicted_ids() -> list[Select]:
    def side(mine, other) -> Select:
        r_table, s_table = relations.alias(), assertions.alias()
        r, s = r_table.c, s_table.c
        return (
            select(mine(r))
            .select_from(r_table)
            .join(s_table, s.claim_id == other(r))
            .where(r.kind == "contradicts", _supports(s), ~supported_by(mine(r), s.group_id))
        )

    return [side(lambda r: r.a_id, lambda r: r.b_id), side(lambda r: r.b_id, lambda r: r.a_id)]


def numerically_contested_ids(window_days: int = DEFAULT_WINDOW_DAYS) -> Select:
    dated = dated_figures()
    a_table, b_table = dated.alias("fig_a"), dated.alias("fig_b")
    a, b, s = Columns(a_table), Columns(b_table), assertions.alias().c
    return (
        select(a.id)
        .select_from(a_table)
        .join(b_table, and_(b.topic == a.topic, b.unit == a.unit))
        .where(
            numeric_conflict(a, b, window_days, a.day, b.day),
            exists().where(s.claim_id == b.id, _supports(s), ~supported_by(a.id, s.group_id)),
        )
    )


def claim_stats() -> Select:
    """One row per claim that has statements: counts and dates."""
    a, article = assertions.c, articles.c
    firm = and_(_supports(a), a.confidence.in_(FIRM_LEVELS))
    return (
        select(
            a.claim_id.label("claim_id"),
            func.count(distinct(case((_supports(a), a.group_id)))).label("groups"),
            func.count(distinct(case((firm, a.group_id)))).label("firm_groups"),
            func.max(case((a.stance == "asserts", 1), else_=0)).label("asserted"),
            func.count(a.id).label("assertions"),
            func.count(distinct(article.outlet_id)).label("outlets"),
            # echoed means repeated: the outlets that carried it asserted, not denied
            func.count(distinct(case((a.stance == "asserts", article.outlet_id)))).label(
                "asserting_outlets"
            ),
            func.min(article.published).label("first_seen"),
            func.max(article.published).label("last_seen"),
        )
        .join(articles, article.id == a.article_id)
        .group_by(a.claim_id)
    )


def claims_with_status(
    *, window_days: int = DEFAULT_WINDOW_DAYS, extra_contest=None, where=()
) -> Select:
    """Every claim with its counts, status and echoed flag, as columns to filter on.

    The contested rule is complete (challenge, relation, numeric conflict within
    ``window_days``); ``extra_contest(claim_id)`` can add a further condition.
    ``where`` (conditions on ``claims``) chooses the claims before their status is
    computed: pass key, topic and text filters here, not on the result, so that one
    claim's status costs one claim's statements.
    """
    claim = claims.c
    stats = claim_stats()
    if where:
        stats = stats.where(assertions.c.claim_id.in_(select(claim.id).where(*where)))
    stats = stats.subquery("stats")
    groups = func.coalesce(stats.c.groups, 0)
    outlets = func.coalesce(stats.c.outlets, 0)
    # The claim's effective date (as_of, else its first article) is its first_seen.
    day = func.coalesce(claim.as_of, stats.c.first_seen, type_=Date)
    if where:  # a few claims: each rule per claim, through the indexes
        contest = or_(
            challenged(claim.id),
            contradicted(claim.id),
            in_numeric_conflict(claim, window_days, claim_day=day),
        )
    else:  # every claim: each rule once, as a set
        sets = [challenged_ids(), *contradicted_ids(), numerically_contested_ids(window_days)]
        contest = or_(*(claim.id.in_(ids) for ids in sets))
    if extra_contest is not None:
        contest = or_(contest, extra_contest(claim.id))
    asserted = func.coalesce(stats.c.asserted, 0) == 1
    status = case(
        # A claim nothing asserts is unsupported, however it is challenged: there is
        # no dispute until someone asserts it (PRODUCT.md rule 4, "only challenges").
        (and_(asserted, contest), literal("contested")),
        (func.coalesce(stats.c.firm_groups, 0) >= 2, literal("corroborated")),
        (asserted, literal("single-source")),
        else_=literal("unsupported"),
    )
    inner = (
        select(
            claim.id.label("id"),
            claim.key.label("key"),
            claim.text.label("text"),
            claim.topic.label("topic"),
            status.label("status"),
            groups.label("groups"),
            outlets.label("outlets"),
            func.coalesce(stats.c.asserting_outlets, 0).label("asserting_outlets"),
            func.coalesce(stats.c.assertions, 0).label("assertions"),
            stats.c.first_seen.label("first_seen"),
            stats.c.last_seen.label("last_seen"),
        )
        .outerjoin(stats, stats.c.claim_id == claim.id)
        .where(*where)
        # OFFSET 0 keeps SQLite and PostgreSQL from merging this subquery into the
        # outer query, which would copy the status CASE (with its EXISTS subqueries)
        # into each outer use of it (status, echoed, a status filter) and run it again.
        .offset(0)
        .subquery("claims_status")
    )
    echoed = and_(inner.c.status == "single-source", inner.c.asserting_outlets > 1)
    return select(inner, case((echoed, True), else_=False).label("echoed")).order_by(inner.c.key)
