"""Resolve and create the outlets a batch names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from provenance.db.models import Outlet
from provenance.io.readers import Batch
from provenance.io.resolve import (
    NAME,
    _chunks,
    _Known,
    _Resolver,
    _same,
    outlet_key,
)

OUTLET_FIELDS = dict.fromkeys(("kind", "url", "country", "reliability"), _same)


def OUTLET_KEY(v: dict[str, Any]) -> str:  # an outlet mention's key
    return outlet_key(v["name"])


class _Outlets(_Resolver):
    """Outlets of a batch: matched by ``outlet_key``, created when new."""

    def _outlets(self, batch: Batch) -> None:
        merged = self._merge("outlet", batch.outlets, OUTLET_KEY, OUTLET_FIELDS, NAME)
        self._load_outlets(merged)
        new = []
        for key, m in merged.items():
            if known := self.outlets.get(key):
                self._check("outlet", m, known.values, OUTLET_FIELDS, NAME)
                continue
            v = m.values
            kind = v.get("kind") or v.get("new_kind") or "other"
            new.append({"name": v["name"], "name_key": key, "kind": kind, "url": v.get("url")})
            new[-1] |= {"country": v.get("country"), "reliability": v.get("reliability", "F")}
        for row, id_ in zip(new, self._insert(Outlet, new, ("name_key",)), strict=True):
            self.outlets[row["name_key"]] = _Known(id_, row)
        self.added["outlets"] += len(new)

    def _load_outlets(self, keys: Iterable[str]) -> None:
        columns = (Outlet.id, Outlet.name, Outlet.name_key, Outlet.kind, Outlet.url)
        columns += (Outlet.country, Outlet.reliability)
        for chunk in _chunks(k for k in keys if k not in self.outlets):
            for r in self._select(select(*columns).where(Outlet.name_key.in_(chunk))):
                self.outlets[r.name_key] = _Known(r.id, r._asdict())
