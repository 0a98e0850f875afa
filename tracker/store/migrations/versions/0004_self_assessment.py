"""self-assessment answers

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.store import models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_assessment_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.String(length=16), nullable=False),
        sa.Column("rater", sa.String(length=8), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=True),
        sa.Column("submitted_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_self_assessment_answer_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_self_assessment_answer_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["person.id"],
            name=op.f("fk_self_assessment_answer_rater_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment_answer")),
    )
    with op.batch_alter_table("self_assessment_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_self_assessment_answer_person_round",
            ["person_id", "round", "submitted_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_self_assessment_answer_rater_id"), ["rater_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("self_assessment_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_assessment_answer_rater_id"))
        batch_op.drop_index("ix_self_assessment_answer_person_round")
    op.drop_table("self_assessment_answer")
