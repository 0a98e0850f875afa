"""profile snapshots keyed by account and time, stored in that order on SQLite

Revision ID: 0008
Revises: 0007

The poller writes every account's snapshot of a moment at once, so in a table ordered by rowid
one account's series lies scattered over as many pages as it has rows, and reading a person's
two years touches thousands of pages. Keyed by (account, time) without a rowid, SQLite keeps
each series together. PostgreSQL keeps its rows in a heap either way: there the key simply
replaces the surrogate id and the unique constraint it duplicated. No row is lost or changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.store import models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = "account_id, taken_at, followers, following, posts, source"


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=True),
        sa.Column("following", sa.Integer(), nullable=True),
        sa.Column("posts", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
    ]


def _foreign_key() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["account.id"],
        name=op.f("fk_profile_snapshot_account_id_account"),
        ondelete="CASCADE",
    )


def _rebuild_sqlite(new_table: sa.Table, order: str) -> None:
    """SQLite cannot change a table's key in place: the rows go into a new table, which then
    takes the old one's name."""
    op.execute(
        f"INSERT INTO {new_table.name} ({COLUMNS}) SELECT {COLUMNS} FROM profile_snapshot "
        f"ORDER BY {order}"
    )
    op.drop_table("profile_snapshot")
    op.rename_table(new_table.name, "profile_snapshot")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        table = op.create_table(
            "profile_snapshot_by_account",
            *_columns(),
            _foreign_key(),
            sa.PrimaryKeyConstraint("account_id", "taken_at", name=op.f("pk_profile_snapshot")),
            sqlite_with_rowid=False,
        )
        _rebuild_sqlite(table, "account_id, taken_at")
        return
    op.drop_constraint(op.f("uq_profile_snapshot_account_id"), "profile_snapshot", type_="unique")
    op.drop_constraint(op.f("pk_profile_snapshot"), "profile_snapshot", type_="primary")
    op.drop_column("profile_snapshot", "id")
    op.create_primary_key(
        op.f("pk_profile_snapshot"), "profile_snapshot", ["account_id", "taken_at"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        table = op.create_table(
            "profile_snapshot_by_id",
            sa.Column("id", sa.Integer(), nullable=False),
            *_columns(),
            _foreign_key(),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_snapshot")),
            sa.UniqueConstraint(
                "account_id", "taken_at", name=op.f("uq_profile_snapshot_account_id")
            ),
        )
        _rebuild_sqlite(table, "taken_at, account_id")
        return
    op.drop_constraint(op.f("pk_profile_snapshot"), "profile_snapshot", type_="primary")
    op.add_column(
        "profile_snapshot", sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False)
    )
    op.create_primary_key(op.f("pk_profile_snapshot"), "profile_snapshot", ["id"])
    op.create_unique_constraint(
        op.f("uq_profile_snapshot_account_id"), "profile_snapshot", ["account_id", "taken_at"]
    )
