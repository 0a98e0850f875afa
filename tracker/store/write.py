"""The write path every producer of data shares: poller, demo, manual entry and benchmarks.

Writes are idempotent upserts keyed by the store's unique constraints, so a slot polled twice
leaves one row, and a crash between two writes leaves nothing half-done (each call is one
transaction when given a fresh connection).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connectors.base import PostStats, ProfileStats, as_utc
from tracker.store.models import (
    PollAttempt,
    PostMetric,
    ProfileSnapshot,
    UTCDateTime,
    sqlite_utc_text,
)

SNAPSHOT_TABLE: Table = ProfileSnapshot.__table__  # type: ignore[assignment]
POST_TABLE: Table = PostMetric.__table__  # type: ignore[assignment]
CHUNK = 20_000


def _set(
    table: Table, excluded: Any, update: Sequence[str], keep_known: Sequence[str]
) -> dict[str, Any]:
    return {
        c: func.coalesce(excluded[c], table.c[c]) if c in keep_known else excluded[c]
        for c in update
    }


@functools.cache
def _upsert_statement(
    table: Table,
    dialect: str,
    keys: tuple[str, ...],
    update: tuple[str, ...],
    keep_known: tuple[str, ...],
) -> Any:
    """The upsert for ``table`` on ``dialect``, built once (the poller writes it per request)."""
    if dialect == "sqlite":
        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(
            index_elements=list(keys), set_=_set(table, lite.excluded, update, keep_known)
        )
    if dialect == "postgresql":
        pg = postgresql.insert(table)
        return pg.on_conflict_do_update(
            index_elements=list(keys), set_=_set(table, pg.excluded, update, keep_known)
        )
    raise NotImplementedError(f"upserts are not implemented for {dialect}")  # pragma: no cover


@functools.cache
def _sqlite_upsert(
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    update: tuple[str, ...],
    keep_known: tuple[str, ...],
) -> tuple[str, Callable[[Iterable[Mapping[str, Any]]], Iterator[list[Any]]]]:
    """The same upsert as ``_upsert_statement`` as SQLite text, and a function turning a row
    into its parameters (times as the store keeps them), both built once per shape. Bulk
    writes run it on the driver's cursor: SQLAlchemy's per-row parameter handling costs more
    than SQLite's own work here."""

    def quoted(names: Iterable[str]) -> str:
        return ", ".join(f'"{n}"' for n in names)

    name = table.name
    sets = ", ".join(
        f'"{c}" = coalesce(excluded."{c}", "{name}"."{c}")'
        if c in keep_known
        else f'"{c}" = excluded."{c}"'
        for c in update
    )
    sql = (
        f'INSERT INTO "{name}" ({quoted(columns)}) VALUES ({", ".join("?" * len(columns))}) '
        f"ON CONFLICT ({quoted(keys)}) DO UPDATE SET {sets}"
    )
    get = operator.itemgetter(*columns)
    times = tuple(i for i, c in enumerate(columns) if isinstance(table.c[c].type, UTCDateTime))

    def parameters(rows: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
        texts: dict[datetime, str] = {}  # slots repeat across accounts: convert each once
        for row in rows:
            values = list(get(row)) if len(columns) > 1 else [get(row)]
            for i in times:
                value = values[i]
                if value is not None:
                    text = texts.get(value)
                    if text is None:
                        text = texts[value] = sqlite_utc_text(value)
                    values[i] = text
            yield values

    return sql, parameters


def _upsert(
    conn: Connection | Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
    keep_known: Sequence[str] = (),
) -> None:
    """Insert ``rows``, or update ``update`` columns of rows that exist; a NULL in a
    ``keep_known`` column never replaces a value already stored. Every row has the same keys."""
    if not rows:
        return
    connection = conn.connection() if isinstance(conn, Session) else conn
    if connection.dialect.name == "sqlite":
        if not connection.in_transaction():
            connection.begin()  # as an execute would: the caller's transaction, not autocommit
        sql, parameters = _sqlite_upsert(
            table, tuple(rows[0]), tuple(keys), tuple(update), tuple(keep_known)
        )
        cursor = connection.connection.cursor()
        try:
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, list(parameters(rows[start : start + CHUNK])))
        finally:
            cursor.close()
        return
    stmt = _upsert_statement(
        table, connection.dialect.name, tuple(keys), tuple(update), tuple(keep_known)
    )
    for start in range(0, len(rows), CHUNK):
        connection.execute(stmt, list(rows[start : start + CHUNK]))


def snapshot_row(
    account_id: int, stats: ProfileStats, taken_at: datetime | None = None, source: str = "poll"
) -> dict[str, Any]:
    """A profile_snapshot row from connector stats; unknown counts stay None."""
    return {
        "account_id": account_id,
        "taken_at": as_utc(taken_at or stats.fetched_at),
        "followers": stats.followers,
        "following": stats.following,
        "posts": stats.posts,
        "source": source,
    }


def write_snapshots(conn: Connection | Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Upsert profile snapshot rows (unique per account and ``taken_at``); returns the count.

    A later write of the same slot never replaces a known count with NULL (unknown): a failed
    or half-answered poll must not wipe the slot's good counts.
    """
    _upsert(
        conn,
        SNAPSHOT_TABLE,
        rows,
        keys=("account_id", "taken_at"),
        update=("followers", "following", "posts", "source"),
        keep_known=("followers", "following", "posts"),
    )
    return len(rows)


def post_row(account_id: int, post: PostStats, now: datetime) -> dict[str, Any]:
    """A post_metric row: counts, ids and timestamps only (no text)."""
    return {
        "account_id": account_id,
        "post_id": post.post_id,
        "published_at": as_utc(post.published_at),
        "kind": post.kind,
        "likes": post.likes,
        "comments": post.comments,
        "shares": post.shares,
        "views": post.views,
        "url": post.url,
        "updated_at": now,
    }


def write_posts(
    conn: Connection | Session, account_id: int, posts: Iterable[PostStats], now: datetime
) -> int:
    """Upsert post metrics (unique per account and post id); returns the count."""
    return write_post_rows(conn, [post_row(account_id, p, now) for p in posts])


def write_post_rows(conn: Connection | Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Upsert ``post_row`` rows, of any accounts; returns the count."""
    _upsert(
        conn,
        POST_TABLE,
        rows,
        keys=("account_id", "post_id"),
        update=(
            "published_at",
            "kind",
            "likes",
            "comments",
            "shares",
            "views",
            "url",
            "updated_at",
        ),
    )
    return len(rows)


def record_attempt(
    session: Session,
    *,
    account_id: int,
    kind: str,
    started_at: datetime,
    finished_at: datetime | None,
    outcome: str,
    error: BaseException | None = None,
    message: str | None = None,
    worker: str | None = None,
) -> PollAttempt:
    """Add one poll attempt row; the message must already be free of secrets."""
    attempt = PollAttempt(
        account_id=account_id,
        kind=kind,
        started_at=started_at,
        finished_at=finished_at,
        outcome=outcome,
        error_class=type(error).__name__ if error is not None else None,
        message=(message if message is not None else (str(error) if error else None)),
        worker=worker,
    )
    session.add(attempt)
    return attempt
