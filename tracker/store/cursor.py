"""Statements run straight on the DB-API cursor, for the reads that SQLAlchemy's execution layer
would cost more than the query itself: the bulk read of snapshots and posts, one person's rows
and the small reads of a page view, and the login lookup every request makes.

:func:`rows` and :func:`pooled_first` run SQL text whose parameters' places are ``{mark}``
(:func:`placeholder` gives the driver's) and give plain tuples, values as the driver returns
them. :func:`prepared` runs a Core select compiled once per dialect, with SQLAlchemy's own
conversion of each parameter and column (dates, times, time zones), so its rows hold the same
values as the select run through Core. Values are bound by the driver, never formatted into
the text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Select, text

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


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: bool  # the driver takes a list in ``names`` order, else a dict by name
    names: tuple[str, ...]
    binds: tuple[Callable[[Any], Any] | None, ...]
    results: tuple[Callable[[Any], Any] | None, ...]


# By statement (a module's constant, built once) and dialect.
_COMPILED: dict[tuple[Select, str], _Compiled] = {}  # type: ignore[type-arg]


def _compiled(statement: Select, dialect: Dialect) -> _Compiled:
    key = (statement, dialect.name)
    found = _COMPILED.get(key)
    if found is None:
        compiled = statement.compile(dialect=dialect)
        positional = bool(dialect.positional)
        names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
        found = _COMPILED.setdefault(
            key,
            _Compiled(
                str(compiled),
                positional,
                names,
                tuple(compiled.binds[n].type._cached_bind_processor(dialect) for n in names),
                tuple(
                    column.type._cached_result_processor(dialect, None)
                    for column in statement.selected_columns
                ),
            ),
        )
    return found


def prepared(
    conn: Connection, statement: Select, params: Mapping[str, object]
) -> list[tuple[Any, ...]]:
    """The rows of the Core ``statement`` (built once, at import) with ``params``, in
    ``conn``'s transaction: straight on the DB-API cursor with the statement compiled once per
    dialect, each value converted as Core converts it; through Core itself for a driver
    :func:`placeholder` does not serve."""
    if placeholder(conn.dialect) is None:
        return [tuple(row) for row in conn.execute(statement, dict(params))]
    compiled = _compiled(statement, conn.dialect)
    values = [
        bind(params[name]) if bind else params[name]
        for name, bind in zip(compiled.names, compiled.binds, strict=True)
    ]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        bound = values if compiled.positional else dict(zip(compiled.names, values, strict=True))
        cursor.execute(compiled.sql, bound)
        found = cursor.fetchall()
    finally:
        cursor.close()
    results = compiled.results
    if not any(results):
        return [tuple(row) for row in found]
    return [
        tuple(
            convert(value) if convert is not None and value is not None else value
            for convert, value in zip(results, row, strict=True)
        )
        for row in found
    ]
