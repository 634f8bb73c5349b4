"""What an editor asks: claims by status, and one claim with its reasons and tree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased

from provenance.analysis import status as sql_status
from provenance.db.models import Actor, Article, Assertion, Claim, Outlet, Relation
from provenance.services.actors import find_actor
from provenance.services.claims import find_claim
from provenance.services.outlets import get_outlet


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


def list_claims(session: Session, filters: ClaimFilter = ClaimFilter()) -> Iterator[dict]:
    """One row per claim, streamed; the status is always over all of its statements,
    the filters only choose which claims are listed."""
    query = sql_status.claims_with_status()
    col = query.selected_columns
    query = query.where(*_conditions(session, filters, col.id))
    if filters.statuses:
        query = query.where(col.status.in_(filters.statuses))
    if filters.topic:
        query = query.where(col.topic == filters.topic)
    if filters.key:
        query = query.where(col.key == filters.key)
    if filters.search:
        needle = f"%{filters.search.lower()}%"
        query = query.where(or_(col.text.ilike(needle), col.key.ilike(needle)))
    for row in session.execute(query, execution_options={"yield_per": 2000}).mappings():
        yield {k: row[k] for k in _LIST_COLUMNS}


_LIST_COLUMNS = (
    "key",
    "status",
    "echoed",
    "groups",
    "outlets",
    "assertions",
    "first_seen",
    "last_seen",
    "topic",
    "text",
)


def _conditions(session: Session, f: ClaimFilter, claim_id) -> list:
    conditions = []
    if f.speaker:
        actor = find_actor(session, f.speaker).id
        conditions.append(
            exists().where(
                Assertion.claim_id == claim_id,
                or_(Assertion.speaker_id == actor, Assertion.cites_id == actor),
            )
        )
    dated = [c for c in (_on_or_after(f.since), _on_or_before(f.until)) if c is not None]
    if f.outlet:
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


def claim_status(session: Session, key: str) -> dict:
    rows = list(list_claims(session, ClaimFilter(key=key)))
    if not rows:
        find_claim(session, key)  # raises NotFound
    return rows[0]


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


def explain_claim(session: Session, key: str) -> dict:
    """The claim, its status with every reason, and its provenance tree."""
    from provenance.analysis import explain

    claim = find_claim(session, key)
    row = claim_status(session, key)
    found = statements(session, claim.id)
    return {
        **row,
        "figure": _figure(claim),
        "reasons": explain.reasons(row, found, contradicting(session, claim.id)),
        "tree": explain.tree(found),
    }


def _figure(claim: Claim) -> dict | None:
    if claim.quantity is None and claim.low is None and claim.high is None:
        return None
    return {
        "quantity": claim.quantity,
        "low": claim.low,
        "low_open": claim.low_open,
        "high": claim.high,
        "high_open": claim.high_open,
        "unit": claim.unit,
        "as_of": claim.as_of,
        "since": claim.since,
        "cumulative": claim.cumulative,
    }
