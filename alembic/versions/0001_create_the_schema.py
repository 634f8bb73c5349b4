"""Create the schema: outlets, actors and aliases, articles, claims, assertions, relations.

The claim keeps its figure columns (quantity, low/high with open ends, unit, as_of,
since, cumulative) from the start so that no later migration reshapes claims.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:20:17.434734
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("part_of_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('person', 'organization', 'government', 'agency', 'media', 'unnamed', 'other')",
            name=op.f("ck_actors_kind"),
        ),
        sa.CheckConstraint(
            "part_of_id IS NULL OR part_of_id <> id", name=op.f("ck_actors_not_part_of_itself")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["actors.id"], name=op.f("fk_actors_group_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["part_of_id"], ["actors.id"], name=op.f("fk_actors_part_of_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("name", name=op.f("uq_actors_name")),
    )
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actors_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actors_part_of_id"), ["part_of_id"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(), nullable=True),
        sa.Column("quantity", sa.String(), nullable=True),
        sa.Column("low", sa.Float(precision=53), nullable=True),
        sa.Column("high", sa.Float(precision=53), nullable=True),
        sa.Column("low_open", sa.Boolean(), nullable=False),
        sa.Column("high_open", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("cumulative", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "low IS NULL OR high IS NULL OR low <= high", name=op.f("ck_claims_low_le_high")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("key", name=op.f("uq_claims_key")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_topic"), ["topic"], unique=False)

    op.create_table(
        "outlets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('wire', 'newspaper', 'broadcaster', 'magazine', 'online', 'state-media', 'government', 'ngo', 'other')",
            name=op.f("ck_outlets_kind"),
        ),
        sa.CheckConstraint(
            "reliability IN ('A', 'B', 'C', 'D', 'E', 'F')", name=op.f("ck_outlets_reliability")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outlets")),
        sa.UniqueConstraint("name_key", name=op.f("uq_outlets_name_key")),
    )
    op.create_table(
        "actor_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name=op.f("fk_actor_aliases_actor_id_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_aliases")),
        sa.UniqueConstraint("key", name=op.f("uq_actor_aliases_key")),
    )
    with op.batch_alter_table("actor_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_aliases_actor_id"), ["actor_id"], unique=False)

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("via_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("byline", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "url IS NOT NULL OR title IS NOT NULL", name=op.f("ck_articles_url_or_title")
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_articles_outlet_id_outlets")
        ),
        sa.ForeignKeyConstraint(
            ["via_id"], ["outlets.id"], name=op.f("fk_articles_via_id_outlets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_articles_outlet_id_published", ["outlet_id", "published"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_articles_published"), ["published"], unique=False)
        batch_op.create_index(batch_op.f("ix_articles_via_id"), ["via_id"], unique=False)

    op.create_table(
        "relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('contradicts', 'supports', 'supersedes')", name=op.f("ck_relations_kind")
        ),
        sa.CheckConstraint("a_id <> b_id", name=op.f("ck_relations_distinct_claims")),
        sa.ForeignKeyConstraint(
            ["a_id"], ["claims.id"], name=op.f("fk_relations_a_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["b_id"], ["claims.id"], name=op.f("fk_relations_b_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relations")),
        sa.UniqueConstraint("a_id", "kind", "b_id", name=op.f("uq_relations_a_id_kind_b_id")),
    )
    with op.batch_alter_table("relations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_relations_b_id"), ["b_id"], unique=False)

    op.create_table(
        "assertions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("cites_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("stance", sa.String(length=8), nullable=False),
        sa.Column("wording", sa.String(), nullable=True),
        sa.Column("confidence", sa.String(length=24), nullable=False),
        sa.Column("confidence_manual", sa.Boolean(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("quote_start", sa.Integer(), nullable=True),
        sa.Column("quote_end", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "confidence IN ('almost-no-chance', 'very-unlikely', 'unlikely', 'roughly-even-chance', 'likely', 'very-likely', 'almost-certain', 'asserted', 'not-assessable')",
            name=op.f("ck_assertions_confidence"),
        ),
        sa.CheckConstraint(
            "stance IN ('asserts', 'denies', 'doubts')", name=op.f("ck_assertions_stance")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_assertions_article_id_articles")
        ),
        sa.ForeignKeyConstraint(
            ["cites_id"], ["actors.id"], name=op.f("fk_assertions_cites_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_assertions_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["actors.id"], name=op.f("fk_assertions_group_id_actors")
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"], ["actors.id"], name=op.f("fk_assertions_speaker_id_actors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assertions")),
    )
    with op.batch_alter_table("assertions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assertions_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assertions_cites_id"), ["cites_id"], unique=False)
        batch_op.create_index(
            "ix_assertions_claim_id_stance_group_id",
            ["claim_id", "stance", "group_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_assertions_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assertions_speaker_id"), ["speaker_id"], unique=False)
    # Autogenerate cannot compare expression indexes: this one is written by hand.
    op.create_index(
        "uq_assertions_identity",
        "assertions",
        [
            "claim_id",
            "article_id",
            sa.text("coalesce(speaker_id, 0)"),
            sa.text("coalesce(cites_id, 0)"),
            "stance",
        ],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_assertions_identity", table_name="assertions")
    with op.batch_alter_table("assertions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assertions_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_assertions_group_id"))
        batch_op.drop_index("ix_assertions_claim_id_stance_group_id")
        batch_op.drop_index(batch_op.f("ix_assertions_cites_id"))
        batch_op.drop_index(batch_op.f("ix_assertions_article_id"))

    op.drop_table("assertions")
    with op.batch_alter_table("relations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relations_b_id"))

    op.drop_table("relations")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_via_id"))
        batch_op.drop_index(batch_op.f("ix_articles_published"))
        batch_op.drop_index("ix_articles_outlet_id_published")

    op.drop_table("articles")
    with op.batch_alter_table("actor_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_aliases_actor_id"))

    op.drop_table("actor_aliases")
    op.drop_table("outlets")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_topic"))

    op.drop_table("claims")
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actors_part_of_id"))
        batch_op.drop_index(batch_op.f("ix_actors_group_id"))

    op.drop_table("actors")
