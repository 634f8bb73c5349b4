"""The schema as SQLAlchemy Core tables: the one definition of every entity in
PRODUCT.md section 1.

The ORM models (``db.models``) map onto these tables and the migrations are checked
against this metadata. Commands that only read (listings, ``claims show``, ``db``)
query these tables through a Core connection and never import ``sqlalchemy.orm``:
importing it and configuring the mappers is a large share of a short command's time.

Invariants the spec states are constraints here; the one that needs a graph walk
(no ``part_of`` cycles) is kept by the actor service. ``assertions.group_id`` is
derived (the independence group of the statement's origin) and kept right by
``services.groups`` so that status queries never walk ``part_of`` chains.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

from provenance.vocabulary import (
    ACTOR_KINDS,
    CONFIDENCE_LEVELS,
    OUTLET_KINDS,
    RELATION_KINDS,
    RELIABILITY,
    STANCES,
    sql_in,
)

# Named constraints let migrations drop and alter them on every backend (SQLite batch
# mode needs the names to rebuild a table).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _id() -> Column:
    return Column("id", Integer, primary_key=True)


def _created() -> Column:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


outlets = Table(
    "outlets",
    metadata,
    _id(),
    Column("name", String, nullable=False),
    # casefolded name: outlet names are unique ignoring case
    Column("name_key", String, nullable=False, unique=True),
    Column("kind", String(16), nullable=False, default="other"),
    Column("url", String),
    Column("country", String),
    Column("reliability", String(1), nullable=False, default="F"),
    _created(),
    CheckConstraint(f"kind IN {sql_in(OUTLET_KINDS)}", name="kind"),
    CheckConstraint(f"reliability IN {sql_in(RELIABILITY)}", name="reliability"),
)

actors = Table(
    "actors",
    metadata,
    _id(),
    Column("name", String, nullable=False, unique=True),
    Column("kind", String(16), nullable=False, default="other"),
    Column("part_of_id", Integer, ForeignKey("actors.id"), index=True),
    # top of the part_of chain (itself when part of nothing); set by services.groups
    Column("group_id", Integer, ForeignKey("actors.id"), index=True),
    _created(),
    CheckConstraint(f"kind IN {sql_in(ACTOR_KINDS)}", name="kind"),
    CheckConstraint("part_of_id IS NULL OR part_of_id <> id", name="not_part_of_itself"),
)

# Every name an actor answers to, its own name included.
actor_aliases = Table(
    "actor_aliases",
    metadata,
    _id(),
    Column(
        "actor_id", Integer, ForeignKey("actors.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("alias", String, nullable=False),
    # analysis.names.name_key(alias): unique across all actors
    Column("key", String, nullable=False, unique=True),
)

articles = Table(
    "articles",
    metadata,
    _id(),
    Column("outlet_id", Integer, ForeignKey("outlets.id"), nullable=False),
    Column("via_id", Integer, ForeignKey("outlets.id"), index=True),
    Column("title", Text),
    Column("url", String, unique=True),
    Column("published", Date, index=True),
    Column("byline", String),
    Column("text", Text),
    Column("text_sha256", String(64)),
    _created(),
    CheckConstraint("url IS NOT NULL OR title IS NOT NULL", name="url_or_title"),
    Index("ix_articles_outlet_id_published", "outlet_id", "published"),
)

claims = Table(
    "claims",
    metadata,
    _id(),
    Column("key", String, nullable=False, unique=True),
    Column("text", Text, nullable=False),
    Column("topic", String, index=True),
    Column("quantity", String),
    Column("low", Float(precision=53)),
    Column("high", Float(precision=53)),
    Column("low_open", Boolean, nullable=False, default=False),
    Column("high_open", Boolean, nullable=False, default=False),
    Column("unit", String),
    Column("as_of", Date),
    Column("since", Date),
    Column("cumulative", Boolean, nullable=False, default=False),
    _created(),
    CheckConstraint("low IS NULL OR high IS NULL OR low <= high", name="low_le_high"),
    # numeric conflicts pair the claims of one topic and one unit (analysis.conflicts)
    Index("ix_claims_topic_unit", "topic", "unit"),
)

assertions = Table(
    "assertions",
    metadata,
    _id(),
    Column("claim_id", Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False, index=True),
    Column("speaker_id", Integer, ForeignKey("actors.id"), index=True),
    Column("cites_id", Integer, ForeignKey("actors.id"), index=True),
    # independence group of the origin (cites, else speaker); NULL: no origin
    Column("group_id", Integer, ForeignKey("actors.id"), index=True),
    Column("stance", String(8), nullable=False, default="asserts"),
    Column("wording", String),
    Column("confidence", String(24), nullable=False),
    # True when the user set the confidence; False when it was derived from wording
    Column("confidence_manual", Boolean, nullable=False, default=False),
    Column("quote", Text),
    Column("quote_start", Integer),
    Column("quote_end", Integer),
    _created(),
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

relations = Table(
    "relations",
    metadata,
    _id(),
    Column("a_id", Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
    Column(
        "b_id", Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("kind", String(16), nullable=False),
    Column("note", Text),
    _created(),
    CheckConstraint(f"kind IN {sql_in(RELATION_KINDS)}", name="kind"),
    CheckConstraint("a_id <> b_id", name="distinct_claims"),
    UniqueConstraint("a_id", "kind", "b_id"),
)
