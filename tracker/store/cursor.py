"""Statements run straight on the DB-API cursor: plain tuples back, no result processing.

For the reads that SQLAlchemy's execution layer would cost more than the query itself: the bulk
read of snapshots and posts, one person's rows for a page view, and the login lookup every
request makes. The SQL text names its parameters' places with ``{mark}``; :func:`placeholder`
gives the driver's. Values are bound by the driver, never formatted into the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Dialect, Engine, text

_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def placeholder(dialect: Dialect) -> str | None:
    """The driver's parameter placeholder, or None for a driver this module does not serve."""
    return _PLACEHOLDERS.get(dialect.paramstyle)


def rows(conn: Connection, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
    """The rows of ``sql`` (placeholders filled in) in ``conn``'s transaction."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def pooled_first(engine: Engine, sql: str, params: Sequence[object]) -> tuple[object, ...] | None:
    """The first row of ``sql`` (``{mark}`` placeholders) on a pooled connection of its own, or
    None; SQLAlchemy's Core is used when the driver is not one :func:`placeholder` serves."""
    mark = placeholder(engine.dialect)
    if mark is None:  # another driver: the same statement through Core, with named parameters
        parts = sql.split("{mark}")
        named = "".join(f"{part}:p{i}" for i, part in enumerate(parts[:-1])) + parts[-1]
        with engine.connect() as conn:
            row = conn.execute(text(named), {f"p{i}": v for i, v in enumerate(params)}).first()
        return tuple(row) if row is not None else None
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(sql.format(mark=mark), params)
            found = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        raw.close()  # back to the pool, its transaction (if the driver began one) rolled back
    return tuple(found) if found is not None else None
