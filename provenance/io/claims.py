"""Resolve and create claims, and the relations between them.

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- A figure is compared by its phrase; explicit low/high are compared only when given
  explicitly (a phrase read with another tolerance setting is not a conflict).
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from sqlalchemy import insert, select

from provenance.db.models import Claim, Relation
from provenance.io.readers import Batch, Mention
from provenance.io.resolve import (
    _chunks,
    _Known,
    _Resolver,
    _same,
    _show,
)

CLAIM_FIELDS = dict.fromkeys(
    ("text", "topic", "quantity", "unit", "as_of", "since", "cumulative", "interval"), _same
)
KEY = itemgetter("key")
CLAIM_COLUMNS = ("key", "text", "topic", "quantity", "unit", "as_of", "since", "cumulative")
CLAIM_COLUMNS += ("low", "high", "low_open", "high_open")


class _Claims(_Resolver):
    """Claims of a batch, and the relations that join them."""

    def _claims(self, batch: Batch) -> None:
        merged = self._merge("claim", batch.claims, lambda v: v["key"], CLAIM_FIELDS, KEY)
        self._load_claims(merged)
        new = []
        for key, m in merged.items():
            if known := self.claims.get(key):
                self._check("claim", m, known.values, CLAIM_FIELDS, KEY)
            elif "text" in m.values:
                new.append(m)
            elif key not in self.failed["claim"]:
                self.problem(m, "text", "is required for a new claim")
        rows = [_claim_row(m.values) for m in new]
        for row, id_ in zip(rows, self._insert(Claim, rows, ("key",)), strict=True):
            self.claims[row["key"]] = _Known(id_, _claim_values(row))
        self.added["claims"] += len(new)

    def _load_claims(self, keys: Iterable[str]) -> None:
        columns = [Claim.id, *(getattr(Claim, f) for f in CLAIM_COLUMNS)]
        for chunk in _chunks(k for k in keys if k not in self.claims):
            for r in self._select(select(*columns).where(Claim.key.in_(chunk))):
                self.claims[r.key] = _Known(r.id, _claim_values(r._asdict()))

    # ---- relations -------------------------------------------------------------------

    def _relations(self, batch: Batch) -> None:
        self._load_claims(m.values[end] for m in batch.relations for end in ("a", "b"))
        merged: dict[tuple, Mention] = {}
        for m in batch.relations:
            ends = [self._claim_id(m, end) for end in ("a", "b")]
            if None in ends:
                continue
            if ends[0] == ends[1]:
                self.problem(m, "b", "a relation joins two different claims")
                continue
            identity = (ends[0], m.values["kind"], ends[1])
            if first := merged.get(identity):
                self._same_note(m, first.values.get("note"), f"at {first.where}")
            else:
                merged[identity] = m
        self._insert_relations(merged)

    def _claim_id(self, m: Mention, end: str) -> int | None:
        known = self.claims.get(m.values[end])
        if known is None:
            self._missing(m, end, "claim", m.values[end], f"no claim has the key {m.values[end]!r}")
        return known.id if known else None

    def _same_note(self, m: Mention, old: str | None, where: str) -> None:
        new = m.values.get("note")
        if new is not None and new != old:
            self.problem(m, "note", f"the same relation has {_show(old)} {where}, not {_show(new)}")

    def _insert_relations(self, merged: dict[tuple, Mention]) -> None:
        stored: dict[tuple, str | None] = {}
        for chunk in _chunks({a for a, _, _ in merged}):
            stmt = select(Relation.a_id, Relation.kind, Relation.b_id, Relation.note)
            for r in self._select(stmt.where(Relation.a_id.in_(chunk))):
                stored[(r.a_id, r.kind, r.b_id)] = r.note
        rows = []
        for identity, m in merged.items():
            if identity in stored:
                self._same_note(m, stored[identity], "recorded")
            else:
                rows.append(dict(zip(("a_id", "kind", "b_id"), identity, strict=True)))
                rows[-1]["note"] = m.values.get("note")
        if rows:
            self._execute(insert(Relation.__table__), rows)
        self.added["relations"] += len(rows)


def _claim_row(v: dict[str, Any]) -> dict[str, Any]:
    low, high, low_open, high_open = (
        v.get("interval") or v.get("derived") or (None, None, False, False)
    )
    row = {f: v.get(f) for f in ("key", "text", "topic", "quantity", "unit", "as_of", "since")}
    row |= {"low": low, "high": high, "low_open": low_open, "high_open": high_open}
    return row | {"cumulative": bool(v.get("cumulative"))}


def _claim_values(r: dict[str, Any]) -> dict[str, Any]:
    values = {f: r[f] for f in ("key", "text", "topic", "quantity", "unit", "as_of", "since")}
    values["cumulative"] = r["cumulative"]
    values["interval"] = (r["low"], r["high"], r["low_open"], r["high_open"])
    return values
