"""backup log and erasure log

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.store import models

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_ref", sa.String(length=64), nullable=False),
        sa.Column("erased_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_log")),
        sa.UniqueConstraint("person_ref", name=op.f("uq_erasure_log_person_ref")),
    )
    op.create_table(
        "backup_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_log")),
    )
    with op.batch_alter_table("backup_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_backup_log_taken_at"), ["taken_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("backup_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backup_log_taken_at"))
    op.drop_table("backup_log")
    op.drop_table("erasure_log")
