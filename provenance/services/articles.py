"""Articles: published items, each from one outlet, perhaps carrying a wire."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from provenance.db.models import Article, Assertion, Outlet
from provenance.errors import Conflict, InvalidInput, NotFound
from provenance.services import validate
from provenance.services.outlets import get_outlet


def add_article(
    session: Session,
    *,
    outlet: str,
    url: str | None = None,
    via: str | None = None,
    title: str | None = None,
    published: dt.date | None = None,
    byline: str | None = None,
    text: str | None = None,
) -> Article:
    url, title = validate.text(url, "url"), validate.text(title, "title")
    if url is None and title is None:
        raise InvalidInput("an article needs a url or a title")
    if url and session.scalar(select(Article.id).where(Article.url == url)):
        raise Conflict(f"an article with url {url!r} already exists")
    article = Article(
        outlet_id=get_outlet(session, outlet).id,
        via_id=get_outlet(session, via).id if via else None,
        url=url,
        title=title,
        published=published,
        byline=validate.text(byline, "byline"),
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest() if text else None,
    )
    session.add(article)
    session.flush()
    return article


def find_article(session: Session, ref: str) -> Article:
    """An article by URL, by id ("#12" or "12"), or by exact title when it has no URL."""
    ref = ref.strip()
    if ref.lstrip("#").isdigit():
        found = session.get(Article, int(ref.lstrip("#")))
        if found:
            return found
    by_url = session.scalar(select(Article).where(Article.url == ref))
    if by_url:
        return by_url
    titled = session.scalars(
        select(Article).where(Article.title == ref, Article.url.is_(None)).limit(2)
    ).all()
    if len(titled) > 1:
        raise InvalidInput(f"several articles without a url are titled {ref!r}: use its id")
    if not titled:
        raise NotFound(f"no article with url, id or title {ref!r} (see `prov article list`)")
    return titled[0]


def list_articles(session: Session, *, outlet: str | None = None) -> list[dict]:
    source, wire = aliased(Outlet), aliased(Outlet)
    statements = (
        select(func.count(Assertion.id)).where(Assertion.article_id == Article.id).scalar_subquery()
    )
    query = (
        select(Article, source.name, wire.name, statements)
        .join(source, source.id == Article.outlet_id)
        .outerjoin(wire, wire.id == Article.via_id)
        .order_by(Article.published, Article.id)
    )
    if outlet:
        target = get_outlet(session, outlet).id
        query = query.where(or_(Article.outlet_id == target, Article.via_id == target))
    return [
        {
            "id": a.id,
            "published": a.published,
            "outlet": outlet_name,
            "via": via_name,
            "title": a.title,
            "url": a.url,
            "statements": n,
        }
        for a, outlet_name, via_name, n in session.execute(query)
    ]
