"""The array reader gives the same rows as the frame reader, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from connectors.base import PostStats, ProfileStats
from tracker import metrics
from tracker.config import PersonEntry
from tracker.programme.structure import Changes, upsert_person
from tracker.store import read_arrays
from tracker.store.db import Database
from tracker.store.read_arrays import accounts_data, person_accounts, person_read
from tracker.store.read_frames import posts, snapshots
from tracker.store.write import snapshot_row, write_posts, write_snapshots

T0 = datetime(2026, 3, 1, 6, 30, 15, 123456, tzinfo=UTC)


def _world(db: Database) -> tuple[int, dict[int, int]]:
    with db.write() as s:
        person = upsert_person(
            s,
            PersonEntry(
                key="mentee-01",
                name="Erika Beispiel",
                role="mentee",
                consent=date(2026, 1, 1),
                accounts={"instagram": "erika.b", "bluesky": "erika.bsky.social"},
            ),
            Changes(),
        )
        s.flush()
        ids = {a.id: person.id for a in person.accounts}
        for n, account in enumerate(sorted(ids)):
            rows = [
                snapshot_row(
                    account,
                    ProfileStats(
                        "x",
                        "h",
                        "1",
                        None,
                        None if k == 3 else 100 + k * (n + 1),
                        None,
                        k,
                        T0 + timedelta(days=k),
                    ),
                )
                for k in range(6)
            ]
            write_snapshots(s, rows)
            write_posts(
                s,
                account,
                [
                    PostStats(
                        f"p{k}",
                        T0 + timedelta(days=k, hours=2),
                        "video" if k == 2 else "photo",
                        likes=k,
                        comments=None,
                        shares=1,
                    )
                    for k in range(4)
                ],
                T0,
            )
        return person.id, ids


def test_arrays_match_the_frames_to_the_microsecond(db: Database) -> None:
    person_id, person_of = _world(db)
    with db.session() as s:
        frame = snapshots(s, [person_id])
        post_frame = posts(s, [person_id])
        data = accounts_data(s, person_of)
        one = person_accounts(s, person_id, T0 - timedelta(days=1), T0 + timedelta(days=30))
    assert [d.account_id for d in data] == [d.account_id for d in one] == sorted(person_of)
    for item in data:
        rows = frame[frame.account_id == item.account_id]
        expected_ns = metrics.ns(rows.taken_at)
        assert np.array_equal(item.rows.snap_at, expected_ns)
        followers = rows.followers.astype("float64").to_numpy()
        assert np.array_equal(item.rows.followers, followers, equal_nan=True)
        assert np.isnan(item.rows.followers[3])  # unknown stays unknown, never 0
        their_posts = post_frame[post_frame.account_id == item.account_id]
        assert np.array_equal(item.rows.post_at, metrics.ns(their_posts.published_at))
        assert item.rows.video.tolist() == [False, False, True, False]
        assert item.interactions.tolist() == [
            1.0,
            2.0,
            3.0,
            4.0,
        ]  # likes + shares, comments unknown


def test_figures_do_not_depend_on_the_reader(db: Database) -> None:
    """Milestones, engagement per platform, posting and growth come out the same whether
    computed from the frame reader or the array reader."""
    from tracker.cohort.person_summary import person_frames
    from tracker.metrics.milestones import detect, detect_accounts

    person_id, person_of = _world(db)
    with db.session() as s:
        frame, post_frame = snapshots(s, [person_id]), posts(s, [person_id])
        data = accounts_data(s, person_of)
    start, end = date(2026, 2, 1), date(2026, 4, 1)
    assert detect(frame, post_frame, start, end) == detect_accounts(
        [d.rows for d in data], start, end
    )
    by_frames = metrics.engagement_rates(post_frame, frame)
    _, by_arrays = person_frames(data, {d.account_id: d.counts() for d in data})
    for platform in ("instagram", "bluesky"):
        mine = by_frames[by_frames.platform == platform]
        theirs = by_arrays[by_arrays.platform == platform]
        assert metrics.median_engagement(mine, start, end) == metrics.median_engagement(
            theirs, start, end
        )
        assert metrics.median_engagement(mine, start, end) is not None
    assert metrics.posts_per_week(post_frame, start, end) == metrics.posts_per_week(
        by_arrays, start, end
    )
    for d in data:
        one = frame[frame.account_id == d.account_id]
        assert metrics.follower_growth(one, start, end) == metrics.growth_of(d.counts(), start, end)


def test_a_window_of_one_read_equals_reading_that_window(db: Database) -> None:
    """The mentee page reads her rows once and hands a window of them to the self-assessment's
    measured figures: the window holds exactly the rows a read of it would, times bounded by
    the bulk read (DB-API cursor) the same way as by the per-person read."""
    person_id, person_of = _world(db)
    start, end = T0 + timedelta(days=1), T0 + timedelta(days=4, hours=2)
    with db.session() as s:
        read = person_read(s, person_id, T0 - timedelta(days=1), T0 + timedelta(days=30))
        direct = person_accounts(s, person_id, start, end)
        bulk = accounts_data(s, person_of, start, end)
    window = read.between(start, end)
    assert read.covers(start, end) and not read.covers(T0 - timedelta(days=2), end)
    for got in (window, bulk):
        assert [d.account_id for d in got] == [d.account_id for d in direct]
        for a, b in zip(got, direct, strict=True):
            assert np.array_equal(a.rows.snap_at, b.rows.snap_at)
            assert np.array_equal(a.rows.followers, b.rows.followers, equal_nan=True)
            assert np.array_equal(a.rows.post_at, b.rows.post_at)
            assert np.array_equal(a.interactions, b.interactions, equal_nan=True)
    assert all(len(d.rows.snap_at) == 4 for d in window)  # days 1 to 4 of six


def test_one_persons_read_on_sqlite_equals_the_row_read(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a person's rows come as one JSON array per account and column: they give
    exactly the arrays of the row-by-row read, unknown counts as NaN, an account with posts
    but no snapshot in the period included, and a window with nothing in it empty."""
    person_id, person_of = _world(sqlite_db)
    only_posts = min(person_of)
    periods = [
        (T0 - timedelta(days=1), T0 + timedelta(days=30)),
        (T0 + timedelta(days=1, hours=1), T0 + timedelta(days=1, hours=3)),  # a post, no snapshot
        (T0 + timedelta(days=90), T0 + timedelta(days=91)),
    ]
    reads = {}
    for json_arrays in (True, False):
        monkeypatch.setattr(read_arrays, "_json_arrays", lambda _dialect, on=json_arrays: on)
        with sqlite_db.session() as s:
            reads[json_arrays] = [person_accounts(s, person_id, a, b) for a, b in periods]
    assert [len(r) for r in reads[True]] == [2, 2, 0]
    assert len(reads[True][1][0].rows.snap_at) == 0 and reads[True][1][0].account_id == only_posts
    for got, expected in zip(reads[True], reads[False], strict=True):
        assert [d.account_id for d in got] == [d.account_id for d in expected]
        for a, b in zip(got, expected, strict=True):
            assert a.platform == b.platform and a.person_id == b.person_id == person_id
            for field in ("snap_at", "followers", "post_at", "video"):
                mine, theirs = getattr(a.rows, field), getattr(b.rows, field)
                assert mine.dtype == theirs.dtype, field
                assert np.array_equal(mine, theirs, equal_nan=mine.dtype.kind == "f"), field
            assert np.array_equal(a.interactions, b.interactions, equal_nan=True)
            assert np.array_equal(a.rows.first_count, b.rows.first_count, equal_nan=True)
    assert np.isnan(reads[True][0][0].rows.followers[3])


def test_columns_handed_over_out_of_time_order_are_sorted_together() -> None:
    times = np.array([30, 10, 20], dtype="int64")
    at, counts, kinds = read_arrays._in_time_order(
        times, np.array([3.0, np.nan, 2.0]), np.array([True, False, True])
    )
    assert at.tolist() == [10, 20, 30]
    assert np.array_equal(counts, [np.nan, 2.0, 3.0], equal_nan=True)
    assert kinds.tolist() == [False, True, True]
