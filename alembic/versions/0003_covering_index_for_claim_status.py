"""Cover the status query's scan of assertions with one index.

The status of every claim (``analysis.status.claim_stats``) reads, per claim, each
statement's stance, independence group, confidence and article. The index
``(claim_id, stance, group_id)`` ordered the scan but did not hold confidence or
article_id, so each of a million statements cost a look-up in the table as well
(and the plain identity index was chosen instead, for the same reason). This one
holds every column the query reads, so the scan never touches the table: a third
faster at 100,000 statements, more at a million. It replaces the old index, whose
columns are its prefix, so the EXISTS look-ups (claim, stance, group) still use it
and the importer maintains no more indexes than before. No data changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assertions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assertions_claim_status",
            ["claim_id", "stance", "group_id", "confidence", "article_id"],
            unique=False,
        )
        batch_op.drop_index("ix_assertions_claim_id_stance_group_id")


def downgrade() -> None:
    with op.batch_alter_table("assertions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assertions_claim_id_stance_group_id",
            ["claim_id", "stance", "group_id"],
            unique=False,
        )
        batch_op.drop_index("ix_assertions_claim_status")
