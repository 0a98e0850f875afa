"""a person's roles in further cohorts

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_cohort_member_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_cohort_member_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_member")),
        sa.UniqueConstraint("cohort_id", "person_id", name=op.f("uq_cohort_member_cohort_id")),
    )
    with op.batch_alter_table("cohort_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_member_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cohort_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_member_person_id"))
    op.drop_table("cohort_member")
