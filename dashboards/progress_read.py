"""One mentee's snapshots and posts read straight into per-account arrays for the progress view.

The view needs a few hundred to a few thousand rows per request; building pandas frames and
splitting them again per platform and account costs more than the query. So rows go from the
cursor into numpy arrays, sorted by account and time by the query itself, and frames are built
only where code that wants them (goal checks) has something to check.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.orm import Session

from dashboards.charts import EventMark
from tracker import metrics
from tracker.milestones import AccountRows
from tracker.models import Account, PostMetric, ProfileSnapshot, ProgrammeEvent

logger = logging.getLogger(__name__)

VIDEO_KINDS = frozenset(metrics.VIDEO_KINDS)


@dataclass(frozen=True)
class AccountData:
    """One account's rows (as milestone detection reads them) and each post's interactions."""

    rows: AccountRows
    interactions: np.ndarray  # float64 per post, NaN = none of likes/comments/shares known

    @property
    def platform(self) -> str:
        return self.rows.platform


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


def _runs(ids: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of equal ids (the query sorted the rows by account)."""
    if not len(ids):
        return []
    starts = np.flatnonzero(np.append(True, ids[1:] != ids[:-1]))
    ends = np.append(starts[1:], len(ids))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def events(session: Session, cohort_id: int | None) -> tuple[EventMark, ...]:
    """The cohort's programme events by date."""
    if cohort_id is None:
        return ()
    rows = session.connection().execute(_EVENTS, {"cohort": cohort_id}).all()
    return tuple(EventMark(day, kind, title) for day, kind, title in rows)


# Built once (bound per call): building a statement costs about as much as running it here.
# Times come back raw (type_coerce): see times_ns.
_SNAPSHOTS = (
    select(
        ProfileSnapshot.account_id,
        Account.platform,
        type_coerce(ProfileSnapshot.taken_at, String),
        ProfileSnapshot.followers,
        ProfileSnapshot.posts,
    )
    .join(Account, Account.id == ProfileSnapshot.account_id)
    .where(
        Account.person_id == bindparam("person"),
        ProfileSnapshot.taken_at >= bindparam("start"),
        ProfileSnapshot.taken_at <= bindparam("end"),
    )
    .order_by(ProfileSnapshot.account_id, ProfileSnapshot.taken_at)
)
_POSTS = (
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
    .where(
        Account.person_id == bindparam("person"),
        PostMetric.published_at >= bindparam("start"),
        PostMetric.published_at <= bindparam("end"),
    )
    .order_by(PostMetric.account_id, PostMetric.published_at)
)
_EVENTS = (
    select(ProgrammeEvent.date, ProgrammeEvent.kind, ProgrammeEvent.title)
    .where(ProgrammeEvent.cohort_id == bindparam("cohort"))
    .order_by(ProgrammeEvent.date)
)


def accounts(session: Session, person_id: int, start: datetime, end: datetime) -> list[AccountData]:
    """The person's accounts with their snapshots and posts from ``start`` to ``end``, by
    account id."""
    # Core rows straight from the connection: no ORM row processing.
    conn = session.connection()
    bound = {"person": person_id, "start": start, "end": end}
    snaps = conn.execute(_SNAPSHOTS, bound).all()
    posts = conn.execute(_POSTS, bound).all()
    s_acc, s_plat, s_at, s_fol, s_cnt = zip(*snaps, strict=True) if snaps else ((),) * 5
    p_acc, p_plat, p_at, p_kind, *p_parts = zip(*posts, strict=True) if posts else ((),) * 7
    s_ids, p_ids = np.array(s_acc, dtype="int64"), np.array(p_acc, dtype="int64")
    snap_at, followers, counted = times_ns(s_at), _floats(s_fol), _floats(s_cnt)
    post_at = times_ns(p_at)
    video = np.array([k in VIDEO_KINDS for k in p_kind], dtype=bool)
    parts = np.array(p_parts, dtype="float64").T if posts else np.empty((0, 3))
    total = metrics.interaction_totals(parts)
    snap_runs = {int(s_ids[a]): (a, b) for a, b in _runs(s_ids)}
    post_runs = {int(p_ids[a]): (a, b) for a, b in _runs(p_ids)}
    out = []
    for account in sorted(snap_runs.keys() | post_runs.keys()):
        sa, sb = snap_runs.get(account, (0, 0))
        pa, pb = post_runs.get(account, (0, 0))
        told = counted[sa:sb][~np.isnan(counted[sa:sb])]
        rows = AccountRows(
            person_id=person_id,
            account_id=account,
            platform=str(s_plat[sa] if sb > sa else p_plat[pa]),
            snap_at=snap_at[sa:sb],
            followers=followers[sa:sb],
            first_count=float(told[0]) if len(told) else np.nan,
            post_at=post_at[pa:pb],
            video=video[pa:pb],
        )
        out.append(AccountData(rows, total[pa:pb]))
    return out


def frames(person_id: int, data: Sequence[AccountData]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The accounts as snapshot and post frames shaped like ``tracker.series`` (the columns
    goal checks read)."""

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
