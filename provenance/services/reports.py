"""What an editor asks: claims by status, and one claim with its reasons and tree
(every conflicting pair with both sides and why: ``services.contradictions``).

Every function that computes a status takes ``window_days`` (the same-time window of
the numeric-conflict rule; the CLI passes ``load_settings().window_days``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import Date, String, and_, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from provenance.analysis import conflicts as numeric
from provenance.analysis import status as sql_status
from provenance.analysis.conflicts import DEFAULT_WINDOW_DAYS
from provenance.db.models import Actor, Article, Assertion, Claim, Outlet, Relation
from provenance.errors import NotFound
from provenance.vocabulary import CLAIM_COLUMNS

# Imported where used: the name look-ups and quantities are not needed by a plain
# listing, and every module a command imports is start-up time.


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
    session: Session,
    filters: ClaimFilter = ClaimFilter(),
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Iterator[dict]:
    """One row per claim, streamed; the status is always over all of its statements,
    the filters only choose which claims are listed. Names in the filters are looked
    up before the first row, so an unknown one fails before anything is written."""
    where = _conditions(session, filters, Claim.id)
    if filters.topic:
        where.append(Claim.topic == filters.topic)
    if filters.key:
        where.append(Claim.key == filters.key)
    if filters.search:
        needle = filters.search
        where.append(
            or_(
                Claim.text.icontains(needle, autoescape=True),
                Claim.key.icontains(needle, autoescape=True),
            )
        )
    query = sql_status.claims_with_status(window_days=window_days, where=where)
    c = query.selected_columns
    if filters.statuses:
        query = query.where(c.status.in_(filters.statuses))
    # Only the listed columns, in order, dates as ISO text (what every writer prints:
    # no parsing into date objects to format them again, a million times).
    query = query.with_only_columns(
        *(_as_text(c[k]) if k in ("first_seen", "last_seen") else c[k] for k in CLAIM_COLUMNS)
    )
    # Core rows through the session's connection: no ORM result machinery per row.
    rows = session.connection().execute(query, execution_options={"yield_per": 2000})
    return (dict(zip(CLAIM_COLUMNS, row, strict=True)) for row in rows)


def _as_text(column):
    return cast(column, String).label(column.key)


def _conditions(session: Session, f: ClaimFilter, claim_id) -> list:
    conditions = []
    if f.speaker:
        from provenance.services.actors import find_actor

        actor = find_actor(session, f.speaker).id
        conditions.append(
            exists().where(
                Assertion.claim_id == claim_id,
                or_(Assertion.speaker_id == actor, Assertion.cites_id == actor),
            )
        )
    dated = [c for c in (_on_or_after(f.since), _on_or_before(f.until)) if c is not None]
    if f.outlet:
        from provenance.services.outlets import get_outlet

        outlet = get_outlet(session, f.outlet).id
        dated.append(or_(Article.outlet_id == outlet, Article.via_id == outlet))
    if dated:
        conditions.append(
            exists()
            .where(Assertion.claim_id == claim_id, Article.id == Assertion.article_id)
            .where(*dated)
        )
    return conditions


def _on_or_after(day: dt.date | None):
    return None if day is None else Article.published >= day


def _on_or_before(day: dt.date | None):
    return None if day is None else Article.published <= day


def claim_status(session: Session, key: str, *, window_days: int = DEFAULT_WINDOW_DAYS) -> dict:
    rows = list(list_claims(session, ClaimFilter(key=key), window_days=window_days))
    if not rows:
        _find_claim(session, key)  # raises NotFound
    return rows[0]


def _find_claim(session: Session, key: str) -> Claim:
    """``services.claims.find_claim``, without importing the writing side (the lexicon,
    validation, actors and articles) into `prov claims show`."""
    claim = session.scalar(select(Claim).where(Claim.key == key.strip()))
    if claim is None:
        raise NotFound(f"no claim with key {key!r} (see `prov claims`)")
    return claim


def statements(session: Session, claim_id: int) -> list[dict]:
    """Every statement of one claim with the names an explanation needs."""
    speaker, cited, group = aliased(Actor), aliased(Actor), aliased(Actor)
    outlet, wire = aliased(Outlet), aliased(Outlet)
    query = (
        select(
            Assertion.stance,
            Assertion.wording,
            Assertion.confidence,
            Assertion.quote,
            Assertion.group_id,
            speaker.name.label("speaker"),
            speaker.kind.label("speaker_kind"),
            cited.name.label("cites"),
            cited.kind.label("cites_kind"),
            group.name.label("group"),
            Article.title,
            Article.url,
            Article.published,
            outlet.name.label("outlet"),
            wire.name.label("via"),
        )
        .join(Article, Article.id == Assertion.article_id)
        .join(outlet, outlet.id == Article.outlet_id)
        .outerjoin(wire, wire.id == Article.via_id)
        .outerjoin(speaker, speaker.id == Assertion.speaker_id)
        .outerjoin(cited, cited.id == Assertion.cites_id)
        .outerjoin(group, group.id == Assertion.group_id)
        .where(Assertion.claim_id == claim_id)
        .order_by(Article.published, Assertion.id)
    )
    return [dict(row) for row in session.execute(query).mappings()]


def contradicting(session: Session, claim_id: int) -> list[dict]:
    """Claims this one is said to contradict, with the groups supporting them."""
    other = aliased(Claim)
    r = Relation
    query = (
        select(other.key, other.id, r.note)
        .join(
            r,
            or_(
                and_(r.a_id == claim_id, r.b_id == other.id),
                and_(r.b_id == claim_id, r.a_id == other.id),
            ),
        )
        .where(r.kind == "contradicts")
        .order_by(other.key)
    )
    result = []
    for key, other_id, note in session.execute(query):
        groups = session.execute(
            select(Actor.id, Actor.name)
            .join(Assertion, Assertion.group_id == Actor.id)
            .where(Assertion.claim_id == other_id, Assertion.stance == "asserts")
            .distinct()
            .order_by(Actor.name)
        ).all()
        result.append({"key": key, "note": note, "groups": groups})
    return result


def numeric_conflicts(
    session: Session, claim_id: int, *, window_days: int = DEFAULT_WINDOW_DAYS
) -> list[dict]:
    """The claims whose figures conflict with this one's, each with its rule, figure,
    effective date and supporting groups."""
    found = session.execute(numeric.conflicts_of(claim_id, window_days)).all()
    if not found:
        return []
    dates = {row.id: row.as_of for row in found}
    info = _claims(session, [claim_id, *dates], {claim_id: found[0].my_as_of, **dates})
    support = _support(session, list(info))
    mine = info[claim_id]
    return [
        {
            "key": info[other]["key"],
            "text": info[other]["text"],
            "figure": info[other]["figure_text"],
            "as_of": dates[other],
            "rule": numeric.numeric_rule(mine["rule"], info[other]["rule"], window_days),
            "days": _days(mine["rule"].as_of, dates[other]),
            "groups": support[other]["groups"],
        }
        for other in dates
    ]


def explain_claim(session: Session, key: str, *, window_days: int = DEFAULT_WINDOW_DAYS) -> dict:
    """The claim, its status with every reason, its conflicts, and its provenance tree."""
    from provenance.analysis import explain

    claim = _find_claim(session, key)
    row = claim_status(session, key, window_days=window_days)
    found = statements(session, claim.id)
    figures = numeric_conflicts(session, claim.id, window_days=window_days)
    relations = contradicting(session, claim.id)
    return {
        **row,
        "figure": _figure(session, claim),
        "reasons": explain.reasons(row, found, relations, numeric=figures, window_days=window_days),
        "conflicts": explain.conflicts(found, figures, relations),
        "tree": explain.tree(found),
    }


def _figure(session: Session, claim: Claim) -> dict | None:
    if claim.quantity is None and claim.low is None and claim.high is None:
        return None
    effective = session.scalar(select(numeric.effective_as_of(Claim)).where(Claim.id == claim.id))
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


# --- claims with their figures and supporting sides (also services.contradictions) ------

CHUNK = 500
_CLAIM_COLUMNS = (
    Claim.id,
    Claim.key,
    Claim.text,
    Claim.topic,
    Claim.quantity,
    Claim.low,
    Claim.high,
    Claim.low_open,
    Claim.high_open,
    Claim.unit,
    Claim.since,
    Claim.cumulative,
)


def _claims(session: Session, ids: list[int], dates: dict | None = None) -> dict[int, dict]:
    """Key, text and figure of these claims, by id; ``dates`` gives the effective dates
    when already known, else they are read with the same SQL."""
    day = numeric.effective_as_of(Claim) if dates is None else literal(None, Date)
    out: dict[int, dict] = {}
    for i in range(0, len(ids), CHUNK):
        query = select(*_CLAIM_COLUMNS, day.label("day")).where(Claim.id.in_(ids[i : i + CHUNK]))
        for row in session.execute(query):
            out[row.id] = _claim_info(row, row.day if dates is None else dates.get(row.id))
    return out


def _claim_info(claim, day: dt.date | None) -> dict:
    from provenance.analysis.quantity import Interval

    interval = Interval(claim.low, claim.high, claim.low_open, claim.high_open)
    has_figure = claim.low is not None or claim.high is not None
    rule = numeric.Figure(
        key=claim.key,
        interval=interval,
        unit=claim.unit,
        topic=claim.topic,
        as_of=day,
        since=claim.since,
        cumulative=claim.cumulative,
        quantity=claim.quantity,
    )
    return {
        "key": claim.key,
        "text": claim.text,
        "rule": rule,
        "date": day,
        "figure_text": numeric.figure_text(claim.quantity, interval, claim.unit)
        if has_figure
        else claim.quantity,
    }


def _support(session: Session, ids: list[int]) -> dict[int, dict]:
    """Each claim's supporting side: groups and origins of its supporting statements,
    outlets of every asserting statement, and its effective date."""
    out = {i: {"groups": [], "origins": [], "outlets": []} for i in ids}
    for i in range(0, len(ids), CHUNK):
        query = (
            _statement_query()
            .where(Assertion.claim_id.in_(ids[i : i + CHUNK]), Assertion.stance == "asserts")
            .order_by(Assertion.claim_id)
        )
        for claim_id, found in groupby(session.execute(query), key=lambda r: r.claim_id):
            out[claim_id] |= _side(list(found), dated=False)
    return out


def _side(found: list, *, dated: bool = True) -> dict:
    side = {
        "groups": sorted({r.group for r in found if r.group}),
        "origins": sorted({r.origin for r in found if r.group and r.origin}),
        "outlets": sorted({r.outlet for r in found}),
    }
    if dated:
        days = [r.published for r in found if r.published]
        side["date"] = min(days) if days else None
    return side


def _statement_query():
    """Statements with their group, origin (cited, else speaker) and outlet names."""
    group, speaker, cited = aliased(Actor), aliased(Actor), aliased(Actor)
    return (
        select(
            Assertion.claim_id,
            Assertion.stance,
            Assertion.wording,
            group.name.label("group"),
            func.coalesce(cited.name, speaker.name).label("origin"),
            Outlet.name.label("outlet"),
            Article.published,
        )
        .join(Article, Article.id == Assertion.article_id)
        .join(Outlet, Outlet.id == Article.outlet_id)
        .outerjoin(group, group.id == Assertion.group_id)
        .outerjoin(speaker, speaker.id == Assertion.speaker_id)
        .outerjoin(cited, cited.id == Assertion.cites_id)
    )


def _days(a: dt.date | None, b: dt.date | None) -> int | None:
    return abs((a - b).days) if a and b else None
