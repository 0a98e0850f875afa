"""Interactions and engagement rates per post, and their median over a period."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from tracker.metrics.counts import NEAREST_TOLERANCE, Counts, _moment_ns, ns, span_ns

INTERACTIONS = ("likes", "comments", "shares")
_FAR = np.iinfo("int64").max  # a distance no count lies at


def interaction_totals(parts: np.ndarray) -> np.ndarray:
    """Row sums of likes, comments and shares (a 2-D float array, NaN = not reported): an
    unknown component is left out, and a row with none known is NaN."""
    if not parts.size:
        return np.full(len(parts), np.nan)
    known = ~np.isnan(parts)
    total = np.where(known, parts, 0.0).sum(axis=1)
    return np.where(known.any(axis=1), total, np.nan)


def interactions(posts: pd.DataFrame) -> pd.Series:
    """likes + comments + shares per post; a component the platform does not report is left
    out rather than counted as 0, and a post with none of them known gets <NA>."""
    parts = posts[list(INTERACTIONS)].to_numpy(dtype="float64", na_value=np.nan)
    total = pd.array(interaction_totals(parts), dtype="Float64")
    return pd.Series(total, index=posts.index, dtype="Float64")


def nearest_values(
    counts: Counts, at: np.ndarray, tolerance: timedelta = NEAREST_TOLERANCE
) -> np.ndarray:
    """For each moment of ``at`` (int64 ns), the known count nearest it within ``tolerance``
    (the earlier one on a tie), as floats; NaN where none lies that close."""
    out = np.full(len(at), np.nan)
    n = len(counts.times)
    if not n or not len(at):
        return out
    limit = span_ns(tolerance)
    back = np.searchsorted(counts.times, at, "right") - 1  # last count at or before
    ahead = np.searchsorted(counts.times, at, "left")  # first count at or after
    back_ok = back >= 0
    ahead_ok = ahead < n
    back_gap = np.where(back_ok, at - counts.times[np.maximum(back, 0)], _FAR)
    ahead_gap = np.where(ahead_ok, counts.times[np.minimum(ahead, n - 1)] - at, _FAR)
    use_back = back_gap <= ahead_gap
    best = np.where(use_back, back, ahead)
    gap = np.where(use_back, back_gap, ahead_gap)
    found = (gap <= limit) & (back_ok | ahead_ok)
    out[found] = counts.values[best[found]]
    return out


def nearest_values_each(
    counts: Sequence[Counts], at: Sequence[np.ndarray], tolerance: timedelta = NEAREST_TOLERANCE
) -> np.ndarray:
    """:func:`nearest_values` of each account's ``counts[i]`` at its own moments ``at[i]``, one
    after the other in one array. One search serves all the accounts: each account's counts and
    moments are moved onto a common axis, the accounts further apart on it than twice the
    tolerance, so no count ever lies within reach of another account's moment."""
    if len(counts) < 2:
        parts = [nearest_values(c, a, tolerance) for c, a in zip(counts, at, strict=True)]
        return parts[0] if parts else np.empty(0)
    times = np.concatenate([c.times for c in counts])
    moments = np.concatenate(at)
    if not len(times) or not len(moments):
        return np.full(len(moments), np.nan)
    lo = min(int(times.min()), int(moments.min()))
    hi = max(int(times.max()), int(moments.max()))
    apart = hi - lo + 2 * span_ns(tolerance) + 2
    if apart * len(counts) >= 2**62:  # no room on one int64 axis: one search per account
        parts = [nearest_values(c, a, tolerance) for c, a in zip(counts, at, strict=True)]
        return np.concatenate(parts)
    shift = np.arange(len(counts), dtype="int64") * apart - lo
    packed = Counts(
        times + np.repeat(shift, [len(c.times) for c in counts]),
        np.concatenate([c.values for c in counts]),
    )
    return nearest_values(packed, moments + np.repeat(shift, [len(a) for a in at]), tolerance)


def rates_of(interaction: np.ndarray, followers: np.ndarray) -> np.ndarray:
    """Engagement rate in % per post: interactions / followers × 100; NaN where either is
    unknown or the count is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = interaction / np.where(followers > 0, followers, np.nan) * 100
    return rate


def engagement_rates(
    posts: pd.DataFrame, snaps: pd.DataFrame, tolerance: timedelta = NEAREST_TOLERANCE
) -> pd.DataFrame:
    """The posts with ``followers_at`` (the known count nearest the publication, per account,
    within ``tolerance``) and ``rate`` = interactions / followers × 100 (<NA> when unknown)."""
    out = posts.copy()
    out["interactions"] = interactions(posts) if len(posts) else pd.Series(dtype="Float64")
    if out.empty:
        out["followers_at"] = pd.Series(dtype="Int64")
        out["rate"] = pd.Series(dtype="Float64")
        return out
    post_account = posts["account_id"].to_numpy()
    post_at = ns(posts["published_at"])
    followers_at = np.full(len(posts), np.nan)
    # One pass per account over sorted arrays (no per-group frames).
    snap_account = snaps["account_id"].to_numpy()
    order = np.argsort(snap_account, kind="stable")
    snap_sorted = snap_account[order]
    for account in np.unique(post_account):
        lo, hi = (
            np.searchsorted(snap_sorted, account, "left"),
            np.searchsorted(snap_sorted, account, "right"),
        )
        if lo == hi:
            continue
        counts = Counts.of(snaps.iloc[order[lo:hi]])
        mine = post_account == account
        followers_at[mine] = nearest_values(counts, post_at[mine], tolerance)
    out["followers_at"] = pd.array(
        [None if math.isnan(v) else int(v) for v in followers_at], dtype="Int64"
    )
    rate = rates_of(out["interactions"].to_numpy(dtype="float64", na_value=np.nan), followers_at)
    out["rate"] = pd.array(rate, dtype="Float64")  # NaN becomes <NA>
    return out


def median_engagement(
    rates: pd.DataFrame, start: datetime | date, end: datetime | date
) -> float | None:
    """Median engagement rate over the posts published in ``[start, end)``; None if none."""
    at = ns(rates["published_at"])
    rate = rates["rate"].to_numpy(dtype="float64", na_value=np.nan)
    window = rate[(at >= _moment_ns(start)) & (at < _moment_ns(end)) & ~np.isnan(rate)]
    if not len(window):
        return None
    return float(np.median(window))
