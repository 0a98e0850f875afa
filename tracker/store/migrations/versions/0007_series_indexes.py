"""an index for reading an account's posts in time order

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_post_metric_account_published", "post_metric", ["account_id", "published_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_post_metric_account_published", table_name="post_metric")
