"""The typed models of every entity in PRODUCT.md section 1.

Invariants the spec states are constraints here; the one that needs a graph walk
(no ``part_of`` cycles) is kept by the actor service. ``Assertion.group_id`` is
derived (the independence group of the statement's origin) and kept right by
``services.groups`` so that status queries never walk ``part_of`` chains.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from provenance.db.base import Base
from provenance.vocabulary import (
    ACTOR_KINDS,
    CONFIDENCE_LEVELS,
    OUTLET_KINDS,
    RELATION_KINDS,
    RELIABILITY,
    STANCES,
    sql_in,
)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Outlet(Base):
    __tablename__ = "outlets"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(OUTLET_KINDS)}", name="kind"),
        CheckConstraint(f"reliability IN {sql_in(RELIABILITY)}", name="reliability"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String)
    # casefolded name: outlet names are unique ignoring case
    name_key: Mapped[str] = mapped_column(String, unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    url: Mapped[str | None] = mapped_column(String)
    country: Mapped[str | None] = mapped_column(String)
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    created_at: Mapped[dt.datetime] = _created()


class Actor(Base):
    __tablename__ = "actors"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(ACTOR_KINDS)}", name="kind"),
        CheckConstraint("part_of_id IS NULL OR part_of_id <> id", name="not_part_of_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    part_of_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    # top of the part_of chain (itself when part of nothing); set by services.groups
    group_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    created_at: Mapped[dt.datetime] = _created()

    aliases: Mapped[list[ActorAlias]] = relationship(
        back_populates="actor", lazy="raise", cascade="all, delete-orphan"
    )
    part_of: Mapped[Actor | None] = relationship(
        remote_side=[id], foreign_keys=[part_of_id], lazy="raise"
    )


class ActorAlias(Base):
    """Every name an actor answers to, its own name included."""

    __tablename__ = "actor_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String)
    # analysis.names.name_key(alias): unique across all actors
    key: Mapped[str] = mapped_column(String, unique=True)

    actor: Mapped[Actor] = relationship(back_populates="aliases", lazy="raise")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        CheckConstraint("url IS NOT NULL OR title IS NOT NULL", name="url_or_title"),
        Index("ix_articles_outlet_id_published", "outlet_id", "published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"))
    via_id: Mapped[int | None] = mapped_column(ForeignKey("outlets.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String, unique=True)
    published: Mapped[dt.date | None] = mapped_column(Date, index=True)
    byline: Mapped[str | None] = mapped_column(String)
    text: Mapped[str | None] = mapped_column(Text)
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = _created()

    outlet: Mapped[Outlet] = relationship(foreign_keys=[outlet_id], lazy="raise")
    via: Mapped[Outlet | None] = relationship(foreign_keys=[via_id], lazy="raise")


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("low IS NULL OR high IS NULL OR low <= high", name="low_le_high"),
        # numeric conflicts pair the claims of one topic and one unit (analysis.conflicts)
        Index("ix_claims_topic_unit", "topic", "unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String, unique=True)
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String, index=True)
    quantity: Mapped[str | None] = mapped_column(String)
    low: Mapped[float | None] = mapped_column(Float(precision=53))
    high: Mapped[float | None] = mapped_column(Float(precision=53))
    low_open: Mapped[bool] = mapped_column(Boolean, default=False)
    high_open: Mapped[bool] = mapped_column(Boolean, default=False)
    unit: Mapped[str | None] = mapped_column(String)
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    since: Mapped[dt.date | None] = mapped_column(Date)
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = _created()


class Assertion(Base):
    __tablename__ = "assertions"
    __table_args__ = (
        CheckConstraint(f"stance IN {sql_in(STANCES)}", name="stance"),
        CheckConstraint(f"confidence IN {sql_in(CONFIDENCE_LEVELS)}", name="confidence"),
        # One statement of a claim per article, speaker, cited source and stance:
        # what makes a second import of the same file add nothing.
        Index(
            "uq_assertions_identity",
            "claim_id",
            "article_id",
            func.coalesce(text("speaker_id"), 0),
            func.coalesce(text("cites_id"), 0),
            "stance",
            unique=True,
        ),
        # Everything the status query reads of a statement, so that its scan of a
        # million statements never visits the table (alembic 0003).
        Index(
            "ix_assertions_claim_status",
            "claim_id",
            "stance",
            "group_id",
            "confidence",
            "article_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    cites_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    # independence group of the origin (cites, else speaker); NULL: no origin
    group_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    stance: Mapped[str] = mapped_column(String(8), default="asserts")
    wording: Mapped[str | None] = mapped_column(String)
    confidence: Mapped[str] = mapped_column(String(24))
    # True when the user set the confidence; False when it was derived from wording
    confidence_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    quote: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created()

    claim: Mapped[Claim] = relationship(lazy="raise")
    article: Mapped[Article] = relationship(lazy="raise")
    speaker: Mapped[Actor | None] = relationship(foreign_keys=[speaker_id], lazy="raise")
    cites: Mapped[Actor | None] = relationship(foreign_keys=[cites_id], lazy="raise")


class Relation(Base):
    __tablename__ = "relations"
    __table_args__ = (
        CheckConstraint(f"kind IN {sql_in(RELATION_KINDS)}", name="kind"),
        CheckConstraint("a_id <> b_id", name="distinct_claims"),
        UniqueConstraint("a_id", "kind", "b_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    b_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created()

    a: Mapped[Claim] = relationship(foreign_keys=[a_id], lazy="raise")
    b: Mapped[Claim] = relationship(foreign_keys=[b_id], lazy="raise")
