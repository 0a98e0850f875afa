"""Snapshots and posts read straight from the store into per-account numpy arrays.

Frames of a whole cohort (two years of daily snapshots of thousands of accounts) cost gigabytes:
each row becomes a row object, then Python values, then frame columns, and splitting a frame
per account or person copies it again. Here rows go from the cursor, a bounded batch of
accounts at a time, into compact arrays sorted by account and time by the query itself (int64
ns times, float64 counts with NaN where the platform did not tell: unknown, never 0), and each
account gets views of them. The cohort summary and the goal checks compute on these arrays;
:func:`frames` builds small frames of one person for code that still reads frames. This is the
reader every figure is computed from.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Dialect,
    Select,
    String,
    bindparam,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from tracker import metrics
from tracker.metrics.milestones import AccountRows
from tracker.store import cursor
from tracker.store.models import Account, PostMetric, ProfileSnapshot, UTCDateTime
from tracker.store.read_frames import within

logger = logging.getLogger(__name__)

VIDEO_KINDS = frozenset(metrics.VIDEO_KINDS)
# Accounts read per query: about 70,000 snapshot rows for two years of daily polls, so the
# row objects alive at once stay small whatever the size of the cohort.
ACCOUNT_BATCH = 96


@dataclass(frozen=True)
class AccountData:
    """One account's rows (as milestone detection reads them) and each post's interactions."""

    rows: AccountRows
    interactions: np.ndarray  # float64 per post, NaN = none of likes/comments/shares known

    @property
    def platform(self) -> str:
        return self.rows.platform

    @property
    def account_id(self) -> int:
        return self.rows.account_id

    @property
    def person_id(self) -> int:
        return self.rows.person_id

    def counts(self) -> metrics.Counts:
        """The known follower counts, ready for the growth and engagement metrics."""
        known = ~np.isnan(self.rows.followers)
        return metrics.Counts(self.rows.snap_at[known], self.rows.followers[known].astype("int64"))

    @functools.cached_property
    def known(self) -> metrics.Counts:
        """:meth:`counts`, kept: each figure of a page view reads them. (A whole cohort's reads
        call :meth:`counts`, which keeps nothing.)"""
        return self.counts()


def times_ns(values: Sequence[object]) -> np.ndarray:
    """Times from the database as int64 ns since the epoch (UTC).

    SQLite keeps naive UTC text, which numpy parses in one call (per-value ``fromisoformat``
    costs more than the query); other databases return aware datetimes."""
    if not values:
        return np.empty(0, "int64")
    if isinstance(values[0], str):
        return np.array(values, dtype="datetime64[ns]").astype("int64")
    return metrics.ns(pd.to_datetime(list(values), utc=True))


def _floats(values: Sequence[object]) -> np.ndarray:
    return np.array(values, dtype="float64")  # None becomes NaN: unknown stays unknown


def _runs(ids: np.ndarray) -> dict[int, tuple[int, int]]:
    """[start, end) of each run of equal ids (the query sorted the rows by account)."""
    if not len(ids):
        return {}
    starts = np.flatnonzero(np.append(True, ids[1:] != ids[:-1]))
    ends = np.append(starts[1:], len(ids))
    return {int(ids[a]): (a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)}


def _snapshots(*where: ColumnElement[bool]) -> Select[int, str, str, int | None, int | None]:
    # Times come back raw (type_coerce): see times_ns.
    return (
        select(
            ProfileSnapshot.account_id,
            Account.platform,
            type_coerce(ProfileSnapshot.taken_at, String),
            ProfileSnapshot.followers,
            ProfileSnapshot.posts,
        )
        .join(Account, Account.id == ProfileSnapshot.account_id)
        .where(*where)
        .order_by(ProfileSnapshot.account_id, ProfileSnapshot.taken_at)
    )


def _posts(
    *where: ColumnElement[bool],
) -> Select[int, str, str, str, int | None, int | None, int | None]:
    return (
        select(
            PostMetric.account_id,
            Account.platform,
            type_coerce(PostMetric.published_at, String),
            PostMetric.kind,
            PostMetric.likes,
            PostMetric.comments,
            PostMetric.shares,
        )
        .join(Account, Account.id == PostMetric.account_id)
        .where(*where)
        .order_by(PostMetric.account_id, PostMetric.published_at)
    )


# Built once (bound per call): building a statement costs about as much as running it for one
# person.
_PERSON_SNAPSHOTS = _snapshots(
    Account.person_id == bindparam("person"),
    ProfileSnapshot.taken_at >= bindparam("start"),
    ProfileSnapshot.taken_at <= bindparam("end"),
)
_PERSON_POSTS = _posts(
    Account.person_id == bindparam("person"),
    PostMetric.published_at >= bindparam("start"),
    PostMetric.published_at <= bindparam("end"),
)


def _assemble(
    snaps: Sequence[Sequence[object]],
    posts: Sequence[Sequence[object]],
    person_of: Mapping[int, int] | int,
    platform_of: Mapping[int, str] | None = None,
) -> list[AccountData]:
    """Rows of the snapshot and post queries (sorted by account and time) as one
    :class:`AccountData` per account, by account id; ``person_of`` maps an account to its
    person (or is the one person of them all). With ``platform_of`` (account -> platform) the
    rows carry no platform column."""
    if platform_of is None:
        s_acc, s_plat, s_at, s_fol, s_cnt = zip(*snaps, strict=True) if snaps else ((),) * 5
        p_acc, p_plat, p_at, p_kind, *p_parts = zip(*posts, strict=True) if posts else ((),) * 7
    else:
        s_acc, s_at, s_fol, s_cnt = zip(*snaps, strict=True) if snaps else ((),) * 4
        p_acc, p_at, p_kind, *p_parts = zip(*posts, strict=True) if posts else ((),) * 6
    s_ids, p_ids = np.array(s_acc, dtype="int64"), np.array(p_acc, dtype="int64")
    snap_at, followers, counted = times_ns(s_at), _floats(s_fol), _floats(s_cnt)
    post_at = times_ns(p_at)
    video = np.array([k in VIDEO_KINDS for k in p_kind], dtype=bool)
    parts = np.array(p_parts, dtype="float64").T if posts else np.empty((0, 3))
    total = metrics.interaction_totals(parts)
    snap_runs, post_runs = _runs(s_ids), _runs(p_ids)
    out = []
    for account in sorted(snap_runs.keys() | post_runs.keys()):
        sa, sb = snap_runs.get(account, (0, 0))
        pa, pb = post_runs.get(account, (0, 0))
        out.append(
            _account(
                person_of if isinstance(person_of, int) else person_of[account],
                account,
                platform_of[account]
                if platform_of is not None
                else str(s_plat[sa] if sb > sa else p_plat[pa]),
                (snap_at[sa:sb], followers[sa:sb], counted[sa:sb]),
                (post_at[pa:pb], video[pa:pb], total[pa:pb]),
            )
        )
    return out


def _account(
    person: int,
    account: int,
    platform: str,
    snaps: tuple[np.ndarray, np.ndarray, np.ndarray],
    posts: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> AccountData:
    """One account's data from its snapshot columns (times, followers, post counts) and post
    columns (times, video or not, interactions), each sorted by time."""
    snap_at, followers, counted = snaps
    post_at, video, interactions = posts
    told = counted[~np.isnan(counted)]
    rows = AccountRows(
        person_id=person,
        account_id=account,
        platform=platform,
        snap_at=snap_at,
        followers=followers,
        first_count=float(told[0]) if len(told) else np.nan,
        post_at=post_at,
        video=video,
    )
    return AccountData(rows, interactions)


def person_accounts(
    session: Session, person_id: int, start: datetime, end: datetime
) -> list[AccountData]:
    """The person's accounts with their snapshots and posts from ``start`` to ``end``, by
    account id."""
    conn = session.connection()
    if _json_arrays(conn.dialect):
        return _person_arrays(conn, person_id, start, end)
    mark = cursor.placeholder(conn.dialect)
    if mark is not None:
        # A page view reads one person: the rows straight from the DB-API cursor, as the bulk
        # read does (a Core statement's execution costs about as much as this query).
        bind = UTCDateTime().bind_processor(conn.dialect)
        bounds = [bind(start), bind(end)] if bind else [start, end]
        params = [person_id, *bounds]
        platforms = cursor.rows(conn, _PERSON_ACCOUNTS_SQL.format(mark=mark), [person_id])
        return _assemble(
            cursor.rows(conn, _PERSON_SNAPSHOTS_SQL.format(mark=mark), params),
            cursor.rows(conn, _PERSON_POSTS_SQL.format(mark=mark), params),
            person_id,
            {int(a): str(p) for a, p in platforms},  # type: ignore[call-overload]
        )
    bound = {"person": person_id, "start": start, "end": end}
    snaps = conn.execute(_PERSON_SNAPSHOTS, bound).all()
    posts = conn.execute(_PERSON_POSTS, bound).all()
    return _assemble(snaps, posts, person_id)


def _json_arrays(dialect: Dialect) -> bool:
    """Whether the database can hand each account's columns over as JSON arrays (SQLite 3.38
    and later, where the JSON functions are built in)."""
    version = getattr(dialect.dbapi, "sqlite_version_info", (0,))
    return dialect.name == "sqlite" and tuple(version) >= (3, 38)


def _json_floats(text: object) -> np.ndarray:
    # A JSON null becomes NaN: unknown stays unknown.
    return np.array(orjson.loads(text), dtype="float64")  # type: ignore[arg-type]


def _in_time_order(
    times: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``times`` and the columns ``a`` and ``b`` sorted by time. SQL does not promise the order
    in which an aggregate sees its rows (here the index's, so this is almost never a sort)."""
    if len(times) < 2 or bool((times[1:] >= times[:-1]).all()):
        return times, a, b
    order = np.argsort(times, kind="stable")
    return times[order], a[order], b[order]


_NO_SNAPSHOTS = (np.empty(0, "int64"), np.empty(0, "float64"), np.empty(0, "float64"))
_NO_POSTS = (np.empty(0, "int64"), np.empty(0, "bool"), np.empty(0, "float64"))


def _person_arrays(
    conn: Connection, person_id: int, start: datetime, end: datetime
) -> list[AccountData]:
    """:func:`person_accounts` on SQLite: each column of an account's rows comes as one JSON
    array, which orjson parses in C. Her two years of daily snapshots are thousands of rows,
    and a Python tuple and values for each cost about as much again as the query."""
    bind = UTCDateTime().bind_processor(conn.dialect)
    params = [person_id, bind(start), bind(end)] if bind else [person_id, start, end]
    platform: dict[int, str] = {}
    snaps, posts = {}, {}
    for row in cursor.rows(conn, _SNAPSHOT_ARRAYS_SQL, params):
        account = int(row[0])  # type: ignore[call-overload]
        platform[account] = str(row[1])
        at = times_ns(orjson.loads(row[2]))  # type: ignore[arg-type]
        snaps[account] = _in_time_order(at, _json_floats(row[3]), _json_floats(row[4]))
    kinds = sorted(VIDEO_KINDS)
    post_sql = _POST_ARRAYS_SQL.format(kinds=", ".join("?" * len(kinds)))
    for row in cursor.rows(conn, post_sql, [*kinds, *params]):
        account = int(row[0])  # type: ignore[call-overload]
        platform[account] = str(row[1])
        at = times_ns(orjson.loads(row[2]))  # type: ignore[arg-type]
        video = np.array(orjson.loads(row[3]), dtype="bool")  # type: ignore[arg-type]
        # likes, comments and shares of each post (n x 3; an empty list has no columns)
        parts = _json_floats(row[4]).reshape(-1, 3)
        posts[account] = _in_time_order(at, video, metrics.interaction_totals(parts))
    return [
        _account(person_id, a, platform[a], snaps.get(a, _NO_SNAPSHOTS), posts.get(a, _NO_POSTS))
        for a in sorted(platform)
    ]


def _slice(times: np.ndarray, lo: int, hi: int) -> tuple[int, int]:
    """[start, end) of the sorted ``times`` within [lo, hi]."""
    return int(times.searchsorted(lo, "left")), int(times.searchsorted(hi, "right"))


@dataclass(frozen=True)
class PersonRead:
    """One person's accounts as read from ``start`` to ``end`` (both inclusive), so that a
    second figure of the same view needs no second read of the same rows."""

    start: datetime
    end: datetime
    accounts: tuple[AccountData, ...]

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    def between(self, start: datetime, end: datetime) -> list[AccountData]:
        """The accounts' rows from ``start`` to ``end`` (both inclusive), as
        :func:`person_accounts` would read them (``first_count`` stays the read's)."""
        lo, hi = metrics.moment_ns(start), metrics.moment_ns(end)
        out = []
        for data in self.accounts:
            rows = data.rows
            sa, sb = _slice(rows.snap_at, lo, hi)
            pa, pb = _slice(rows.post_at, lo, hi)
            if sb <= sa and pb <= pa:
                continue
            clipped = AccountRows(
                person_id=rows.person_id,
                account_id=rows.account_id,
                platform=rows.platform,
                snap_at=rows.snap_at[sa:sb],
                followers=rows.followers[sa:sb],
                first_count=rows.first_count,
                post_at=rows.post_at[pa:pb],
                video=rows.video[pa:pb],
            )
            out.append(AccountData(clipped, data.interactions[pa:pb]))
        return out


def person_read(session: Session, person_id: int, start: datetime, end: datetime) -> PersonRead:
    """:func:`person_accounts` with the period it covers."""
    return PersonRead(start, end, tuple(person_accounts(session, person_id, start, end)))


# The bulk read's queries as SQL text for the DB-API cursor: ``{ids}`` is a list of integer
# account ids, ``{bounds}`` the time bounds with the driver's placeholders.
_BULK_SNAPSHOTS = (
    "SELECT s.account_id, a.platform, s.taken_at, s.followers, s.posts "
    "FROM profile_snapshot s JOIN account a ON a.id = s.account_id "
    "WHERE s.account_id IN ({ids}){bounds} ORDER BY s.account_id, s.taken_at"
)
_BULK_POSTS = (
    "SELECT p.account_id, a.platform, p.published_at, p.kind, p.likes, p.comments, p.shares "
    "FROM post_metric p JOIN account a ON a.id = p.account_id "
    "WHERE p.account_id IN ({ids}){bounds} ORDER BY p.account_id, p.published_at"
)
# One person's rows, as ``_PERSON_SNAPSHOTS`` and ``_PERSON_POSTS`` select them but without the
# platform, which her accounts give once (a text per row costs more than the other columns);
# ``{mark}`` is the driver's placeholder. Ordered by ``a.id`` (the same as the row's account
# id): SQLite then takes the rows in order from the person's index and the snapshot index
# instead of sorting them in a temporary tree.
_PERSON_ACCOUNTS_SQL = "SELECT id, platform FROM account WHERE person_id = {mark}"
# One person's rows on SQLite (see _person_arrays): one row per account, each column of her
# rows a JSON array in index order.
_SNAPSHOT_ARRAYS_SQL = (
    "SELECT a.id, a.platform, json_group_array(s.taken_at), json_group_array(s.followers), "
    "json_group_array(s.posts) "
    "FROM account a JOIN profile_snapshot s ON s.account_id = a.id "
    "WHERE a.person_id = ? AND s.taken_at >= ? AND s.taken_at <= ? GROUP BY a.id"
)
# ``{kinds}``: a placeholder for each of the kinds that are videos (metrics.VIDEO_KINDS).
_POST_ARRAYS_SQL = (
    "SELECT a.id, a.platform, json_group_array(p.published_at), "
    "json_group_array(p.kind IN ({kinds})), "
    "json_group_array(json_array(p.likes, p.comments, p.shares)) "
    "FROM account a JOIN post_metric p ON p.account_id = a.id "
    "WHERE a.person_id = ? AND p.published_at >= ? AND p.published_at <= ? GROUP BY a.id"
)
_PERSON_SNAPSHOTS_SQL = (
    "SELECT s.account_id, s.taken_at, s.followers, s.posts "
    "FROM profile_snapshot s JOIN account a ON a.id = s.account_id "
    "WHERE a.person_id = {mark} AND s.taken_at >= {mark} AND s.taken_at <= {mark} "
    "ORDER BY a.id, s.taken_at"
)
_PERSON_POSTS_SQL = (
    "SELECT p.account_id, p.published_at, p.kind, p.likes, p.comments, p.shares "
    "FROM post_metric p JOIN account a ON a.id = p.account_id "
    "WHERE a.person_id = {mark} AND p.published_at >= {mark} AND p.published_at <= {mark} "
    "ORDER BY a.id, p.published_at"
)


def _cursor_rows(
    conn: Connection,
    template: str,
    column: str,
    ids: Sequence[int],
    start: datetime | None,
    end: datetime | None,
) -> list[tuple[object, ...]]:
    """The rows of ``template`` straight from the DB-API cursor (plain tuples: no result
    processing; times come back raw, see :func:`times_ns`)."""
    mark = cursor.placeholder(conn.dialect)
    bind = UTCDateTime().bind_processor(conn.dialect)
    bounds, params = "", []
    for value, op in ((start, ">="), (end, "<=")):
        if value is not None:
            bounds += f" AND {column} {op} {mark}"
            params.append(bind(value) if bind else value)
    # The ids are integers (int() refuses anything else), so they can be part of the text.
    sql = template.format(ids=",".join(str(int(i)) for i in ids), bounds=bounds)
    return cursor.rows(conn, sql, params)


def accounts_data(
    session: Session,
    person_of: Mapping[int, int],
    start: datetime | None = None,
    end: datetime | None = None,
    batch: int = ACCOUNT_BATCH,
) -> list[AccountData]:
    """The snapshots and posts of the accounts (``person_of`` maps each account id to its
    person) from ``start`` to ``end`` (each inclusive, open when None), read ``batch``
    accounts at a time; one :class:`AccountData` per account that has any row, by account
    id. The rows come through the DB-API cursor as plain tuples (the Core result's row
    processing costs about as much as the query on a whole cohort)."""
    conn = session.connection()
    if cursor.placeholder(conn.dialect) is not None:
        ids = sorted(person_of)
        out: list[AccountData] = []
        for i in range(0, len(ids), batch):
            part = ids[i : i + batch]
            snaps = _cursor_rows(conn, _BULK_SNAPSHOTS, "s.taken_at", part, start, end)
            posts = _cursor_rows(conn, _BULK_POSTS, "p.published_at", part, start, end)
            out += _assemble(snaps, posts, person_of)
            del snaps, posts  # the next batch's rows need not wait for these
        return out
    return _core_accounts_data(session, person_of, start, end, batch)


def _core_accounts_data(
    session: Session,
    person_of: Mapping[int, int],
    start: datetime | None,
    end: datetime | None,
    batch: int,
) -> list[AccountData]:
    """:func:`accounts_data` through Core statements, for a driver with another paramstyle."""
    accounts: BindParameter[list[int]] = bindparam("accounts", expanding=True)
    snap_stmt = _snapshots(
        ProfileSnapshot.account_id.in_(accounts), *within(ProfileSnapshot.taken_at, start, end)
    )
    post_stmt = _posts(
        PostMetric.account_id.in_(accounts), *within(PostMetric.published_at, start, end)
    )
    conn = session.connection()
    ids = sorted(person_of)
    out: list[AccountData] = []
    for i in range(0, len(ids), batch):
        bound = {"accounts": ids[i : i + batch]}
        snaps = conn.execute(snap_stmt, bound).all()
        posts = conn.execute(post_stmt, bound).all()
        out += _assemble(snaps, posts, person_of)
        del snaps, posts  # the next batch's rows need not wait for these
    return out


def from_frames(snaps: pd.DataFrame, posts: pd.DataFrame) -> list[AccountData]:
    """Snapshot and post frames shaped like ``tracker.store.read_frames`` (as :func:`frames`
    makes them; a missing count column is unknown) as :class:`AccountData`, by account."""

    def counts(frame: pd.DataFrame, name: str) -> list[float]:
        if name not in frame:
            return [np.nan] * len(frame)
        return list(frame[name].astype("Float64").to_numpy("float64", na_value=np.nan))

    s = snaps.sort_values(["account_id", "taken_at"], kind="stable")
    p = posts.sort_values(["account_id", "published_at"], kind="stable")
    snap_rows = list(
        zip(
            s["account_id"].tolist(),
            s["platform"].tolist(),
            list(s["taken_at"]),
            counts(s, "followers"),
            counts(s, "posts"),
            strict=True,
        )
    )
    post_rows = list(
        zip(
            p["account_id"].tolist(),
            p["platform"].tolist(),
            list(p["published_at"]),
            p["kind"].tolist() if "kind" in p else [None] * len(p),
            counts(p, "likes"),
            counts(p, "comments"),
            counts(p, "shares"),
            strict=True,
        )
    )
    people = {
        int(a): int(b)
        for frame in (s, p)
        for a, b in zip(frame["account_id"], frame["person_id"], strict=True)
    }
    return _assemble(snap_rows, post_rows, people)


def frames(person_id: int, data: Sequence[AccountData]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The accounts as snapshot and post frames shaped like ``tracker.store.read_frames`` (the
    columns goal checks read)."""

    def times(parts: list[np.ndarray]) -> pd.DatetimeIndex:
        joined = np.concatenate(parts) if parts else np.empty(0, "int64")
        return pd.to_datetime(joined, utc=True)

    def ids(kind: str) -> np.ndarray:
        sizes = [len(getattr(d.rows, kind)) for d in data]
        return np.repeat([d.rows.account_id for d in data], sizes).astype("int64")

    def platforms(kind: str) -> np.ndarray:
        sizes = [len(getattr(d.rows, kind)) for d in data]
        return np.repeat(np.array([d.platform for d in data], dtype=object), sizes)

    followers = np.concatenate([d.rows.followers for d in data]) if data else np.empty(0)
    snaps = pd.DataFrame(
        {
            "person_id": person_id,
            "account_id": ids("snap_at"),
            "platform": platforms("snap_at"),
            "taken_at": times([d.rows.snap_at for d in data]),
            "followers": pd.array(followers, dtype="Int64"),
        }
    )
    posts = pd.DataFrame(
        {
            "person_id": person_id,
            "account_id": ids("post_at"),
            "platform": platforms("post_at"),
            "published_at": times([d.rows.post_at for d in data]),
        }
    )
    return snaps, posts
