"""Outlets: who published."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.analysis.names import outlet_key
from provenance.db.models import Outlet
from provenance.errors import Conflict
from provenance.services import validate
from provenance.vocabulary import OUTLET_KINDS


def add_outlet(
    session: Session,
    *,
    name: str,
    kind: str | None = None,
    url: str | None = None,
    country: str | None = None,
    reliability: str | None = None,
) -> Outlet:
    clean = validate.text(name, "name", required=True)
    assert clean is not None
    held = session.scalar(select(Outlet.name).where(Outlet.name_key == outlet_key(clean)))
    if held is not None:
        raise Conflict(f"outlet {held!r} already exists")
    outlet = Outlet(
        name=clean,
        name_key=outlet_key(clean),
        kind=validate.choice(kind, OUTLET_KINDS, "kind", "other"),
        url=validate.text(url, "url"),
        country=validate.text(country, "country"),
        reliability=validate.reliability(reliability),
    )
    session.add(outlet)
    session.flush()
    return outlet
