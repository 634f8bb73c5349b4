"""Index claims on (topic, unit), for numeric conflicts.

A numeric conflict pairs two claims of one topic and one unit, so both the status
query (a correlated EXISTS per claim) and `prov contradictions` (a join of claims
with itself) look up the other side by these two columns. Without this index each
claim would scan every claim of its topic whatever the unit, on a desk's 300,000
claims. The single-column index on topic stays: other filters use it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_topic_unit", ["topic", "unit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_topic_unit")
