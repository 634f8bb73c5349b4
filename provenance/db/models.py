"""The ORM models of every entity, for the commands that write.

Each maps onto its Core table in ``db.tables``, the one definition of the schema
(constraints, indexes, defaults and the invariants they keep are described there);
the annotations here only type the attributes and name the relationships.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Mapped, relationship

from provenance.db import tables
from provenance.db.base import Base


class Outlet(Base):
    __table__ = tables.outlets

    id: Mapped[int]
    name: Mapped[str]
    name_key: Mapped[str]
    kind: Mapped[str]
    url: Mapped[str | None]
    country: Mapped[str | None]
    reliability: Mapped[str]
    created_at: Mapped[dt.datetime]


class Actor(Base):
    __table__ = tables.actors

    id: Mapped[int]
    name: Mapped[str]
    kind: Mapped[str]
    part_of_id: Mapped[int | None]
    group_id: Mapped[int | None]
    created_at: Mapped[dt.datetime]

    aliases: Mapped[list[ActorAlias]] = relationship(
        back_populates="actor", lazy="raise", cascade="all, delete-orphan"
    )
    part_of: Mapped[Actor | None] = relationship(
        remote_side=[tables.actors.c.id],
        foreign_keys=[tables.actors.c.part_of_id],
        lazy="raise",
    )


class ActorAlias(Base):
    """Every name an actor answers to, its own name included."""

    __table__ = tables.actor_aliases

    id: Mapped[int]
    actor_id: Mapped[int]
    alias: Mapped[str]
    key: Mapped[str]

    actor: Mapped[Actor] = relationship(back_populates="aliases", lazy="raise")


class Article(Base):
    __table__ = tables.articles

    id: Mapped[int]
    outlet_id: Mapped[int]
    via_id: Mapped[int | None]
    title: Mapped[str | None]
    url: Mapped[str | None]
    published: Mapped[dt.date | None]
    byline: Mapped[str | None]
    text: Mapped[str | None]
    text_sha256: Mapped[str | None]
    created_at: Mapped[dt.datetime]

    outlet: Mapped[Outlet] = relationship(foreign_keys=[tables.articles.c.outlet_id], lazy="raise")
    via: Mapped[Outlet | None] = relationship(foreign_keys=[tables.articles.c.via_id], lazy="raise")


class Claim(Base):
    __table__ = tables.claims

    id: Mapped[int]
    key: Mapped[str]
    text: Mapped[str]
    topic: Mapped[str | None]
    quantity: Mapped[str | None]
    low: Mapped[float | None]
    high: Mapped[float | None]
    low_open: Mapped[bool]
    high_open: Mapped[bool]
    unit: Mapped[str | None]
    as_of: Mapped[dt.date | None]
    since: Mapped[dt.date | None]
    cumulative: Mapped[bool]
    created_at: Mapped[dt.datetime]


class Assertion(Base):
    __table__ = tables.assertions

    id: Mapped[int]
    claim_id: Mapped[int]
    article_id: Mapped[int]
    speaker_id: Mapped[int | None]
    cites_id: Mapped[int | None]
    group_id: Mapped[int | None]
    stance: Mapped[str]
    wording: Mapped[str | None]
    confidence: Mapped[str]
    confidence_manual: Mapped[bool]
    quote: Mapped[str | None]
    quote_start: Mapped[int | None]
    quote_end: Mapped[int | None]
    created_at: Mapped[dt.datetime]

    claim: Mapped[Claim] = relationship(lazy="raise")
    article: Mapped[Article] = relationship(lazy="raise")
    speaker: Mapped[Actor | None] = relationship(
        foreign_keys=[tables.assertions.c.speaker_id], lazy="raise"
    )
    cites: Mapped[Actor | None] = relationship(
        foreign_keys=[tables.assertions.c.cites_id], lazy="raise"
    )


class Relation(Base):
    __table__ = tables.relations

    id: Mapped[int]
    a_id: Mapped[int]
    b_id: Mapped[int]
    kind: Mapped[str]
    note: Mapped[str | None]
    created_at: Mapped[dt.datetime]

    a: Mapped[Claim] = relationship(foreign_keys=[tables.relations.c.a_id], lazy="raise")
    b: Mapped[Claim] = relationship(foreign_keys=[tables.relations.c.b_id], lazy="raise")
