"""Reading the record: the outlets, actors and articles listed, and a name looked up
as an id.

Read-only, on the Core tables of ``db.tables``, like ``claim_reports``: each function
takes a Core ``Connection`` (a ``Session`` works too: the listings stream on its
connection), so `prov outlet list` and the others start without ``sqlalchemy.orm``. The
listings are iterators of rows streamed from the database (a desk's 200,000 articles
are written as they come, never held at once); a name that is not in the record is
an error before the first row."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, or_, select

from provenance.db import streaming
from provenance.db.tables import actor_aliases, actors, articles, assertions, outlets
from provenance.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    Db = Connection | Session

BATCH = 2000  # rows fetched at a time (db.streaming)


def actor_id(db: Db, name: str) -> int:
    """The id of the actor with this name or alias (ignoring case, spaces and
    punctuation)."""
    from provenance.analysis.names import name_key

    found = db.scalar(select(actor_aliases.c.actor_id).where(actor_aliases.c.key == name_key(name)))
    if found is None:
        raise NotFound(f"no actor named {name!r} (see `prov actor list`)")
    return found


def outlet_id(db: Db, name: str) -> int:
    """The id of the outlet with this name (ignoring case)."""
    from provenance.analysis.names import outlet_key

    found = db.scalar(select(outlets.c.id).where(outlets.c.name_key == outlet_key(name)))
    if found is None:
        raise NotFound(f"no outlet named {name!r} (see `prov outlet list`)")
    return found


def list_outlets(db: Db) -> Iterator[dict]:
    """Every outlet, by name, with how many articles it published."""
    o = outlets.c
    published = (
        select(func.count()).select_from(articles).where(articles.c.outlet_id == o.id)
    ).scalar_subquery()
    query = select(o.name, o.kind, o.reliability, o.country, o.url, published.label("articles"))
    return _dicts(db, query.order_by(o.name_key))


def list_actors(db: Db) -> Iterator[dict]:
    """Every actor, by name: its kind, what it is part of, its independence group, its
    other names and how many statements it made or is cited in."""
    a = actors.c
    parent, top = actors.alias("parent"), actors.alias("top")
    s = assertions.c
    statements = (
        select(func.count())
        .select_from(assertions)
        .where(or_(s.speaker_id == a.id, s.cites_id == a.id))
        .scalar_subquery()
    )
    aliases: dict[int, list[str]] = {}  # a few per actor
    for actor, alias in db.execute(
        select(actor_aliases.c.actor_id, actor_aliases.c.alias).order_by(actor_aliases.c.alias)
    ):
        aliases.setdefault(actor, []).append(alias)
    query = (
        select(a.id, a.name, a.kind, parent.c.name, top.c.name, statements)
        .outerjoin(parent, parent.c.id == a.part_of_id)
        .outerjoin(top, top.c.id == a.group_id)
        .order_by(a.name)
    )
    return (
        {
            "name": name,
            "kind": kind,
            "part_of": part_of,
            "group": group,
            "aliases": [x for x in aliases.get(id_, []) if x != name],
            "statements": n,
        }
        for id_, name, kind, part_of, group, n in streaming.rows(db, query, batch=BATCH)
    )


def list_articles(db: Db, *, outlet: str | None = None) -> Iterator[dict]:
    """Every article (or those of one outlet, or carrying it as a wire), oldest first:
    its outlet, the wire it carried, title, URL and how many statements it holds."""
    a = articles.c
    source, wire = outlets.alias("source"), outlets.alias("wire")
    statements = (
        select(func.count()).select_from(assertions).where(assertions.c.article_id == a.id)
    ).scalar_subquery()
    query = (
        select(
            a.id,
            a.published,
            source.c.name.label("outlet"),
            wire.c.name.label("via"),
            a.title,
            a.url,
            statements.label("statements"),
        )
        .join(source, source.c.id == a.outlet_id)
        .outerjoin(wire, wire.c.id == a.via_id)
        .order_by(a.published, a.id)
    )
    if outlet:
        target = outlet_id(db, outlet)
        query = query.where(or_(a.outlet_id == target, a.via_id == target))
    return _dicts(db, query)


def _dicts(db: Db, query) -> Iterator[dict]:
    keys = query.selected_columns.keys()
    return (dict(zip(keys, row, strict=True)) for row in streaming.rows(db, query, batch=BATCH))
