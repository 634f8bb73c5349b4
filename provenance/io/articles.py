"""Resolve and create the articles a batch names.

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- Articles are known by URL; an article without one, in a document by its exact title
  (unique among URL-less articles), in CSV by (outlet, title, published).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from provenance.db.models import Article, Outlet
from provenance.io.readers import Batch, Mention
from provenance.io.resolve import (
    _chunks,
    _Known,
    _Resolver,
    _same,
    outlet_key,
)

AMBIGUOUS = object()  # a title that several URL-less articles share
ARTICLE_FIELDS = {"outlet": outlet_key, "via": outlet_key}
ARTICLE_FIELDS |= dict.fromkeys(("title", "published", "byline", "text_sha256"), _same)


def REF(v: dict[str, Any]) -> str:  # a label, like NAME and KEY
    return v.get("url") or v["title"]


class _Articles(_Resolver):
    """Articles of a batch, and the article an assertion refers to."""

    def _articles(self, batch: Batch) -> None:
        self._load_outlets(
            outlet_key(m.values[f])
            for m in batch.articles
            for f in ("outlet", "via")
            if f in m.values
        )
        ready = [m for m in batch.articles if self._outlets_known(m)]
        for m in ready:
            if "text" in m.values:
                m.values["text_sha256"] = hashlib.sha256(m.values["text"].encode()).hexdigest()
        keyf = _csv_article_key if batch.implicit else _doc_article_key
        merged = self._merge("article", ready, keyf, ARTICLE_FIELDS, REF)
        self._load_articles(merged)
        new = []
        for key, m in merged.items():
            known = self._article(key)
            if known is AMBIGUOUS:
                self.problem(
                    m, "title", f"several articles without URL have this title: {key[1]!r}"
                )
            elif known is not None:
                self._check("article", m, known.values, ARTICLE_FIELDS, REF)
            else:
                new.append((key, m))
        rows = [self._article_row(m.values) for _, m in new]
        for (key, m), id_ in zip(
            new,
            self._insert(Article, rows, ("url", "outlet_id", "title", "published")),
            strict=True,
        ):
            self._remember(key, _Known(id_, m.values))
        self.added["articles"] += len(new)

    def _outlets_known(self, m: Mention) -> bool:
        found = True
        for field in ("outlet", "via"):
            name = m.values.get(field)
            if name and outlet_key(name) not in self.outlets:
                self._missing(m, field, "outlet", name, f"no outlet is named {name!r}")
                found = False
        return found

    def _article_row(self, v: dict[str, Any]) -> dict[str, Any]:
        via = v.get("via")
        row = {f: v.get(f) for f in ("url", "title", "published", "byline", "text", "text_sha256")}
        row["outlet_id"] = self.outlets[outlet_key(v["outlet"])].id
        row["via_id"] = self.outlets[outlet_key(via)].id if via else None
        return row

    def _article(self, key: object) -> Any:
        if isinstance(key, tuple) and key[0] is None:
            return self.titles.get(key[1])
        return self.articles.get(key)

    def _remember(self, key: object, known: _Known) -> None:
        if isinstance(key, tuple) and key[0] is None:
            self.titles[key[1]] = known
        else:
            self.articles[key] = known

    def _load_articles(self, keys: Iterable[object]) -> None:
        via = aliased(Outlet)
        base = (
            select(
                Article.id,
                Article.url,
                Article.title,
                Article.published,
                Article.byline,
                Article.text_sha256,
                Outlet.name.label("outlet"),
                via.name.label("via"),
            )
            .join(Outlet, Article.outlet_id == Outlet.id)
            .outerjoin(via, Article.via_id == via.id)
        )
        urls = [k for k in keys if isinstance(k, str) and k not in self.articles]
        titled = [k for k in keys if isinstance(k, tuple) and self._article(k) is None]
        for chunk in _chunks(urls):
            for r in self._select(base.where(Article.url.in_(chunk))):
                self.articles[r.url] = _Known(r.id, r._asdict())
        for chunk in _chunks({k[1] for k in titled}):
            stmt = base.where(Article.url.is_(None), Article.title.in_(chunk))
            for r in self._select(stmt):
                found = _Known(r.id, r._asdict())
                self.articles[_csv_article_key(found.values)] = found
                before = self.titles.get(r.title)
                same = before is None or (before is not AMBIGUOUS and before.id == r.id)
                self.titles[r.title] = found if same else AMBIGUOUS

    def _article_id(self, m: Mention, implicit: bool) -> int | None:
        ref = m.values["article"]
        if implicit:  # the row's own article, created when new
            known = self.articles.get(_csv_article_key(ref))
            return known.id if known else None
        known = self.articles.get(ref) or self.titles.get(ref)
        if known is AMBIGUOUS:
            self.problem(m, "article", f"several articles without URL have the title {ref!r}")
        elif known is None:
            self._missing(m, "article", "article", ref, f"no article has the URL or title {ref!r}")
        return known.id if isinstance(known, _Known) else None


def _csv_article_key(v: dict[str, Any]) -> object:
    return v.get("url") or (outlet_key(v["outlet"]), v.get("title"), v.get("published"))


def _doc_article_key(v: dict[str, Any]) -> object:
    """URL, else (None, title): None, which no outlet key is, marks a title-only key."""
    return v.get("url") or (None, v.get("title"))
