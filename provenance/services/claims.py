"""Claims, the statements of them (assertions), and relations between claims."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from provenance.analysis.confidence import Lexicon, Reading, default_lexicon
from provenance.db.models import Assertion, Claim, Relation
from provenance.errors import Conflict, InvalidInput, NotFound
from provenance.services import groups, validate
from provenance.services.articles import find_article
from provenance.services.record import actor_id
from provenance.vocabulary import CONFIDENCE_LEVELS, RELATION_KINDS, STANCES


@dataclass(frozen=True)
class Figure:
    """A claim's figure: the phrase as written and/or explicit bounds."""

    quantity: str | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    unit: str | None = None
    as_of: dt.date | None = None
    since: dt.date | None = None
    cumulative: bool = False


def add_claim(
    session: Session,
    *,
    key: str,
    text: str,
    topic: str | None = None,
    figure: Figure = Figure(),
    tolerance: float = 0.10,
) -> Claim:
    key = validate.key(key)
    if session.scalar(select(Claim.id).where(Claim.key == key)):
        raise Conflict(f"a claim with key {key!r} already exists")
    bounds = resolve_bounds(figure, tolerance)
    claim = Claim(
        key=key,
        text=validate.text(text, "text", required=True),
        topic=validate.text(topic, "topic"),
        quantity=validate.text(figure.quantity, "quantity"),
        unit=validate.text(figure.unit, "unit"),
        as_of=figure.as_of,
        since=figure.since,
        cumulative=figure.cumulative,
        **bounds,
    )
    session.add(claim)
    session.flush()
    return claim


def resolve_bounds(figure: Figure, tolerance: float) -> dict:
    """Explicit low/high win; otherwise the quantity phrase gives the interval."""
    if figure.low is None and figure.high is None and figure.quantity:
        from provenance.analysis.quantity import parse_quantity

        interval = parse_quantity(figure.quantity, tolerance=tolerance)
        return {
            "low": interval.low,
            "high": interval.high,
            "low_open": interval.low_open,
            "high_open": interval.high_open,
        }
    if figure.low is not None and figure.high is not None and figure.low > figure.high:
        raise InvalidInput(f"low {figure.low} is above high {figure.high}")
    return {
        "low": figure.low,
        "high": figure.high,
        "low_open": figure.low_open,
        "high_open": figure.high_open,
    }


def find_claim(session: Session, key: str) -> Claim:
    claim = session.scalar(select(Claim).where(Claim.key == key.strip()))
    if claim is None:
        raise NotFound(f"no claim with key {key!r} (see `prov claims`)")
    return claim


def add_assertion(
    session: Session,
    *,
    claim: str,
    article: str,
    speaker: str | None = None,
    cites: str | None = None,
    stance: str | None = None,
    wording: str | None = None,
    confidence: str | None = None,
    quote: str | None = None,
    quote_start: int | None = None,
    quote_end: int | None = None,
    lexicon: Lexicon | None = None,
) -> tuple[Assertion, Reading]:
    """Record one statement of a claim; returns it with how its wording was read."""
    if quote_start is not None and quote_end is not None and quote_end < quote_start:
        raise InvalidInput(f"quote end {quote_end} is before its start {quote_start}")
    reading = (lexicon or default_lexicon()).classify(wording)
    assertion = Assertion(
        claim_id=find_claim(session, claim).id,
        article_id=find_article(session, article).id,
        speaker_id=actor_id(session, speaker) if speaker else None,
        cites_id=actor_id(session, cites) if cites else None,
        stance=validate.choice(stance, STANCES, "stance", "asserts"),
        wording=validate.text(wording, "wording"),
        confidence=validate.choice(confidence, CONFIDENCE_LEVELS, "confidence", reading.level),
        confidence_manual=bool(confidence),
        quote=validate.text(quote, "quote"),
        quote_start=quote_start,
        quote_end=quote_end,
    )
    _refuse_duplicate(session, assertion)
    session.add(assertion)
    session.flush()
    session.execute(
        groups.update_group(Assertion.id == assertion.id),
        execution_options={"synchronize_session": False},
    )
    return assertion, reading


def _refuse_duplicate(session: Session, new: Assertion) -> None:
    same = session.scalar(
        select(Assertion.id).where(
            Assertion.claim_id == new.claim_id,
            Assertion.article_id == new.article_id,
            Assertion.speaker_id.is_(None)
            if new.speaker_id is None
            else Assertion.speaker_id == new.speaker_id,
            Assertion.cites_id.is_(None)
            if new.cites_id is None
            else Assertion.cites_id == new.cites_id,
            Assertion.stance == new.stance,
        )
    )
    if same:
        raise Conflict(
            "this article already records that statement (same claim, speaker, source and stance)"
        )


def relate(session: Session, *, a: str, kind: str, b: str, note: str | None = None) -> Relation:
    first, second = find_claim(session, a), find_claim(session, b)
    if first.id == second.id:
        raise InvalidInput("a claim cannot be related to itself")
    kind = validate.choice(kind, RELATION_KINDS, "relation", "")
    pairs = [(first.id, second.id)]
    if kind == "contradicts":  # symmetric: b contradicts a is the same relation
        pairs.append((second.id, first.id))
    exists = select(Relation.id).where(
        Relation.kind == kind, tuple_(Relation.a_id, Relation.b_id).in_(pairs)
    )
    if session.scalar(exists):
        raise Conflict(f"{a} already {kind} {b}")
    relation = Relation(a_id=first.id, b_id=second.id, kind=kind, note=validate.text(note, "note"))
    session.add(relation)
    session.flush()
    return relation
