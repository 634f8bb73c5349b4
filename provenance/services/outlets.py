"""Outlets: who published."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.analysis.names import outlet_key
from provenance.db.models import Article, Outlet
from provenance.errors import Conflict, NotFound
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


def get_outlet(session: Session, name: str) -> Outlet:
    outlet = session.scalar(select(Outlet).where(Outlet.name_key == outlet_key(name)))
    if outlet is None:
        raise NotFound(f"no outlet named {name!r} (see `prov outlet list`)")
    return outlet


def list_outlets(session: Session) -> list[dict]:
    articles = (
        select(func.count(Article.id)).where(Article.outlet_id == Outlet.id).scalar_subquery()
    )
    rows = session.execute(
        select(Outlet, articles.label("articles")).order_by(Outlet.name_key)
    ).all()
    return [
        {
            "name": o.name,
            "kind": o.kind,
            "reliability": o.reliability,
            "country": o.country,
            "url": o.url,
            "articles": n,
        }
        for o, n in rows
    ]
