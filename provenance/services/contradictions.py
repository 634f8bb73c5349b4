"""`prov contradictions`: every conflicting pair (numeric, challenge, relation) with
both sides and why (PRODUCT.md section 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import groupby, islice

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from provenance.analysis import conflicts as numeric
from provenance.analysis.conflicts import DEFAULT_WINDOW_DAYS
from provenance.db.models import Article, Assertion, Claim, Relation
from provenance.services.reports import CHUNK, _claims, _side, _statement_query, _support
from provenance.vocabulary import CHALLENGE_STANCES

SIDE_FIELDS = ("text", "figure", "date", "groups", "origins", "outlets")


def list_contradictions(
    session: Session, *, topic: str | None = None, window_days: int = DEFAULT_WINDOW_DAYS
) -> Iterator[dict]:
    """Every conflicting pair, streamed: numeric conflicts, then ``contradicts``
    relations, then challenges (one row per claim and challenging group). Each row has
    ``kind, claim_a, claim_b, contests, why`` and both sides' ``text, figure, date,
    groups, origins, outlets`` (prefixed ``a_``/``b_``); ``contests`` lists the claims
    the pair makes contested (empty when one group revises itself)."""
    yield from _numeric_rows(session, topic, window_days)
    yield from _relation_rows(session, topic)
    yield from _challenge_rows(session, topic)


def _numeric_rows(session: Session, topic: str | None, window_days: int) -> Iterator[dict]:
    query = numeric.conflicting_pairs(window_days, topic)
    result = session.execute(query, execution_options={"yield_per": CHUNK})
    for batch in result.partitions():
        dates = {r.a_id: r.a_as_of for r in batch} | {r.b_id: r.b_as_of for r in batch}
        info = _claims(session, list(dates), dates)
        support = _support(session, list(dates))
        asserted = _asserted(info, support)
        for r in batch:
            a, b = sorted((r.a_id, r.b_id), key=lambda i: (dates[i] or dt.date.max, info[i]["key"]))
            fa, fb = info[a]["rule"], info[b]["rule"]
            rule = numeric.numeric_rule(fa, fb, window_days) or numeric.WINDOW
            ga, gb = set(support[a]["groups"]), set(support[b]["groups"])
            why = numeric.numeric_why(fa, fb, rule, window_days, ga, gb)
            contests = _asserted_only(numeric.contested_keys(fa.key, ga, fb.key, gb), asserted)
            yield _pair("numeric", info[a], support[a], info[b], support[b], why, contests)


def contradiction_queries(topic: str | None = None, window_days: int = DEFAULT_WINDOW_DAYS) -> list:
    """The three queries that `prov contradictions` streams (numeric pairs, relations,
    challenges); the benchmark runs them in the database's own tool as a yardstick."""
    return [
        numeric.conflicting_pairs(window_days, topic),
        _relation_query(topic),
        _challenge_query(topic),
    ]


def _relation_query(topic: str | None):
    ca, cb = aliased(Claim), aliased(Claim)
    query = (
        select(Relation.a_id, Relation.b_id, Relation.note)
        .join(ca, ca.id == Relation.a_id)
        .join(cb, cb.id == Relation.b_id)
        .where(Relation.kind == "contradicts")
        .order_by(ca.key, cb.key)
    )
    if topic is not None:
        query = query.where(or_(ca.topic == topic, cb.topic == topic))
    return query


def _relation_rows(session: Session, topic: str | None) -> Iterator[dict]:
    result = session.execute(_relation_query(topic), execution_options={"yield_per": CHUNK})
    for batch in result.partitions():
        ids = list({r.a_id for r in batch} | {r.b_id for r in batch})
        info, support = _claims(session, ids), _support(session, ids)
        asserted = _asserted(info, support)
        for a, b, note in batch:
            ka, kb = info[a]["key"], info[b]["key"]
            ga, gb = support[a]["groups"], support[b]["groups"]
            why = numeric.relation_why(ka, kb, note, ga, gb)
            contests = _asserted_only(numeric.contested_keys(ka, set(ga), kb, set(gb)), asserted)
            yield _pair("relation", info[a], support[a], info[b], support[b], why, contests)


def _challenge_rows(session: Session, topic: str | None) -> Iterator[dict]:
    """One row per claim and challenging group: the claim's supporters against the
    group's denials and doubts (a challenge has an origin, so it has a group)."""
    rows = session.execute(_challenge_query(topic), execution_options={"yield_per": CHUNK})
    challenges = (list(found) for _, found in groupby(rows, key=lambda r: (r.claim_id, r.group)))
    while batch := list(islice(challenges, CHUNK)):
        ids = list({found[0].claim_id for found in batch})
        info, support = _claims(session, ids), _support(session, ids)
        for found in batch:
            yield _challenge(info[found[0].claim_id], support[found[0].claim_id], found)


def _challenge_query(topic: str | None):
    query = (
        _statement_query()
        .join(Claim, Claim.id == Assertion.claim_id)
        .where(Assertion.stance.in_(CHALLENGE_STANCES), Assertion.group_id.is_not(None))
    )
    if topic is not None:
        query = query.where(Claim.topic == topic)
    return query.order_by(Claim.key, query.selected_columns.group, Article.published)


def _asserted(info: dict, support: dict) -> set[str]:
    """The keys of the claims something asserts (outlets of asserting statements)."""
    return {info[i]["key"] for i in info if support[i]["outlets"]}


def _asserted_only(keys: list[str], asserted: set[str]) -> list[str]:
    """A claim nothing asserts is unsupported, never contested (status rule 4)."""
    return [k for k in keys if k in asserted]


def _challenge(claim: dict, supporters: dict, found: list) -> dict:
    group = found[0].group
    asserted = bool(supporters["outlets"])  # outlets of the asserting statements
    why = numeric.challenge_why(
        claim["key"], group, [r.stance for r in found], set(supporters["groups"]), asserted
    )
    contests = [claim["key"]] if asserted and group not in supporters["groups"] else []
    return _pair("challenge", claim, supporters, claim, _side(found), why, contests)


def _pair(kind: str, a: dict, a_side: dict, b: dict, b_side: dict, why: str, contests) -> dict:
    row = {"kind": kind, "claim_a": a["key"], "claim_b": b["key"], "contests": contests}
    for prefix, claim, side in (("a", a, a_side), ("b", b, b_side)):
        merged = {"text": claim["text"], "figure": claim["figure_text"], "date": claim["date"]}
        merged |= side
        row |= {f"{prefix}_{field}": merged[field] for field in SIDE_FIELDS}
    return row | {"why": why}
