"""Stage, compare and insert the assertions of a batch.

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- Assertions of a batch are staged in a temporary table (``bulk``: executemany on
  SQLite, ``COPY`` on PostgreSQL); the statements already recorded are read back in one
  join and compared (wording, quote, offsets, a manual confidence) like any other
  record, and the rest go in with one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` on
  ``uq_assertions_identity``. A wording with no known cue warns once per distinct
  wording. ``group_id``: the group of the origin (cites, else speaker), NULL for none
  or an ``unnamed`` origin, the rule ``groups.origin_group_sql`` applies. New actors
  part of nothing are their own group (set directly); ``groups.refresh`` runs only
  when an import sets ``part_of``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from provenance.db.models import Actor, Assertion
from provenance.io import bulk
from provenance.io.readers import Batch, Mention
from provenance.io.resolve import (
    UNRESOLVED,
    _chunks,
    _Resolver,
    _show,
    name_key,
)

STATEMENT_FIELDS = ("wording", "quote", "quote_start", "quote_end")
IDENTITY = tuple(
    Assertion.__table__.c[c] for c in ("claim_id", "article_id", "speaker_id", "cites_id", "stance")
)


class _Assertions(_Resolver):
    """Assertions of a batch: one row per statement identity."""

    def _assertions(self, batch: Batch) -> None:
        if not batch.assertions:
            return
        roles = ("speaker", "cites")
        self._load_actors(
            name_key(m.values[r]) for m in batch.assertions for r in roles if r in m.values
        )
        if not batch.implicit:
            refs = {m.values["article"] for m in batch.assertions}
            self._load_articles([*refs, *((None, r) for r in refs)])
        rows: dict[tuple, tuple[Mention, dict]] = {}
        for m in batch.assertions:
            row = self._assertion_row(m, batch.implicit)
            if row is None:
                continue
            identity = tuple(row[c.key] for c in IDENTITY)
            if first := rows.get(identity):
                self._same_statement(m, row, first[1], f"at {first[0].where}", fill=True)
            else:
                rows[identity] = (m, row)
        self._set_groups([row for _, row in rows.values()])
        self._insert_assertions(rows)

    def _assertion_row(self, m: Mention, implicit: bool) -> dict[str, Any] | None:
        v = m.values
        claim = self.claims.get(v["claim"])
        article_id = self._article_id(m, implicit)
        speaker_id, cites_id = self._actor_id(m, "speaker"), self._actor_id(m, "cites")
        if claim is None or article_id is None or UNRESOLVED in (speaker_id, cites_id):
            return None
        row = {"claim_id": claim.id, "article_id": article_id, "speaker_id": speaker_id}
        row |= {"cites_id": cites_id, "stance": v.get("stance", "asserts")}
        row |= {f: v.get(f) for f in STATEMENT_FIELDS}
        if "confidence" in v:
            return row | {"confidence": v["confidence"], "confidence_manual": True}
        return row | {"confidence": self._level(m, v.get("wording")), "confidence_manual": False}

    def _level(self, m: Mention, wording: str | None) -> str:
        reading = self.readings.get(wording or "")
        if reading is None:
            reading = self.readings[wording or ""] = self.lexicon.classify(wording)
        if wording and not reading.known and wording.casefold() not in self.warned:
            self.warned.add(wording.casefold())
            self.warnings.append(
                f"{self.source}, {m.where}: wording {wording!r} holds no known cue; "
                "taken as asserted (extend the lexicon)"
            )
        return reading.level

    def _same_statement(self, m: Mention, new: dict, old: dict, where: str, fill=False) -> None:
        """A statement met again: what it says must agree (a repeat in this import fills)."""
        if fill and new["confidence_manual"] and not old["confidence_manual"]:
            old["confidence"], old["confidence_manual"] = new["confidence"], True
        fields = [*STATEMENT_FIELDS, *(("confidence",) if new["confidence_manual"] else ())]
        for field in fields:
            if fill and old[field] is None:
                old[field] = new[field]
            elif new[field] is not None and new[field] != old[field]:
                why = f"the same statement has {_show(old[field])} {where}, not {_show(new[field])}"
                self.problem(m, field, why)

    def _set_groups(self, rows: list[dict]) -> None:
        """group_id: the group of the origin (cites, else speaker); None if unnamed."""
        self._load_origins({r["cites_id"] or r["speaker_id"] for r in rows} - {None})
        for r in rows:
            origin = r["cites_id"] or r["speaker_id"]
            r["group_id"] = self.origins[origin] if origin else None

    def _load_origins(self, ids: set[int]) -> None:
        """self.origins[id]: the group an actor gives a statement as its origin."""
        for chunk in _chunks(ids - self.origins.keys()):
            stmt = select(Actor.id, Actor.kind, Actor.group_id).where(Actor.id.in_(chunk))
            for r in self._select(stmt):
                self.origins[r.id] = None if r.kind == "unnamed" else r.group_id

    def _insert_assertions(self, rows: dict[tuple, tuple[Mention, dict]]) -> None:
        """New statements are inserted; those already recorded must agree with this import."""
        if not rows:
            return
        staged = list(rows.values())
        conn = self.session.connection()
        bulk.stage(conn, [row for _, row in staged])
        for pos, stored in bulk.recorded(conn):
            m, row = staged[pos]
            self._same_statement(m, row, stored, "recorded")
        self.added["assertions"] += bulk.insert_staged(conn)
