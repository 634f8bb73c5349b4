"""Articles: published items, each from one outlet, perhaps carrying a wire."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.db.models import Article
from provenance.errors import Conflict, InvalidInput, NotFound
from provenance.services import validate
from provenance.services.record import outlet_id


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
        outlet_id=outlet_id(session, outlet),
        via_id=outlet_id(session, via) if via else None,
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
