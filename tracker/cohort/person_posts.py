"""One person's posts as sorted arrays, counted in the windows of a cohort summary.

A cohort summary asks the same questions of every person (posts in the baseline, in the last
month, in each week before the kickoff, around each programme event, per platform). The
windows' bounds are gathered once per cohort (:class:`Moments`); each person's publication
times are searched for all of them in one call, so that every count is a subtraction and every
median a slice: no frame per person. The figures are the pinned ones of ``tracker.metrics``
(``posts_per_week``, ``median_engagement``, ``adopted_platforms``, ``posts_weekly``), which
tests compare with these on the demo data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import TypeAlias

import numpy as np

from tracker.metrics import (
    ADOPTION_DAYS,
    Counts,
    add_days,
    as_moment,
    local_days,
    nearest_values,
    rates_of,
    week_edges,
)
from tracker.store.read_arrays import AccountData

Moment: TypeAlias = datetime | date  # a pd.Timestamp is a datetime


def _ns(moment: Moment) -> int:
    return int(as_moment(moment).as_unit("ns").value)


@dataclass(frozen=True)
class Span:
    """A half-open window ``[start, end)``: indexes of its bounds in :class:`Moments`, and its
    length in local days (posts per week divide by ``days / 7``)."""

    start: int
    end: int
    days: float


class Moments:
    """The bounds (int64 ns, UTC) of every window a summary counts posts in, each kept once."""

    def __init__(self) -> None:
        self._index: dict[int, int] = {}
        self._values: list[int] = []
        self._frozen: np.ndarray | None = None

    def _at(self, value: int) -> int:
        if value not in self._index:
            if self._frozen is not None:
                raise RuntimeError("moments are searched already: add every window first")
            self._index[value] = len(self._values)
            self._values.append(value)
        return self._index[value]

    def span(self, start: Moment, end: Moment) -> Span:
        """The window ``[start, end)`` (as ``posts_per_week`` and ``median_engagement`` take
        them)."""
        return Span(self._at(_ns(start)), self._at(_ns(end)), local_days(start, end))

    def span_ns(self, start: int, end: int) -> Span:
        """A window between two UTC int64 ns, for counting only (its length is unknown: NaN)."""
        return Span(self._at(start), self._at(end), np.nan)

    def adoption(self, on: Moment, days: int = ADOPTION_DAYS) -> Span:
        """The ``days`` local days up to ``on`` (as ``adopted_platforms`` counts them)."""
        return self.span(add_days(on, -days), on)

    def weeks_before(self, end: Moment, weeks: int = 4) -> tuple[Span, ...] | None:
        """The ``weeks`` 7-day windows up to ``end`` as ``posts_weekly`` counts them; None when
        fewer complete windows fit (then no one posted weekly)."""
        last = as_moment(end)
        edges = week_edges(_ns(add_days(last, -7 * weeks)), _ns(last)).tolist()
        if len(edges) - 1 != weeks:
            return None
        return tuple(self.span_ns(a, b) for a, b in pairwise(edges))

    @property
    def values(self) -> np.ndarray:
        if self._frozen is None:
            self._frozen = np.array(self._values, dtype="int64")
        return self._frozen


def median_of(values: np.ndarray) -> float | None:
    """``np.median`` of the values that are not NaN (None when none is): the same float, in
    plain Python for the few values of one window."""
    known = sorted(v for v in values.tolist() if v == v)  # NaN is the only v != v
    n = len(known)
    if not n:
        return None
    mid = n // 2
    return float(known[mid]) if n % 2 else (known[mid - 1] + known[mid]) / 2


class _Timeline:
    """Publication times (sorted) and their rates; where each bound of the moments falls."""

    __slots__ = ("at", "pos", "rate")

    def __init__(self, at: np.ndarray, rate: np.ndarray, moments: np.ndarray) -> None:
        self.at, self.rate = at, rate
        self.pos: list[int] = np.searchsorted(at, moments, "left").tolist()

    def count(self, span: Span) -> int:
        return self.pos[span.end] - self.pos[span.start]


class PersonPosts:
    """One person's posts on all her accounts: publication times, platforms and engagement
    rates (interactions by the follower count of the same account nearest the publication,
    NaN when unknown), searched once for every bound of ``moments``."""

    def __init__(
        self, accounts: Sequence[AccountData], counts: Mapping[int, Counts], moments: Moments
    ) -> None:
        bounds = moments.values
        parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        for a in accounts:
            if len(a.rows.post_at):
                rate = rates_of(
                    a.interactions, nearest_values(counts[a.account_id], a.rows.post_at)
                )
                parts.setdefault(a.platform, []).append((a.rows.post_at, rate))
        self.platforms: dict[str, _Timeline] = {
            p: _Timeline(*_joined(pieces), bounds) for p, pieces in sorted(parts.items())
        }
        self.all = _Timeline(*_joined([(p.at, p.rate) for p in self.platforms.values()]), bounds)

    def count(self, span: Span, platform: str | None = None) -> int:
        """Posts published in the window (on ``platform``, or anywhere)."""
        if platform is None:
            return self.all.count(span)
        on = self.platforms.get(platform)
        return on.count(span) if on is not None else 0

    def per_week(self, span: Span, platform: str | None = None) -> float | None:
        """Posts per week in the window (``posts_per_week``); None for an empty window."""
        if span.days <= 0:
            return None
        return self.count(span, platform) / (span.days / 7)

    def median_rate(self, span: Span, platform: str) -> float | None:
        """The median engagement rate of her posts on ``platform`` in the window
        (``median_engagement``); None when no post there has a known rate."""
        on = self.platforms.get(platform)
        if on is None:
            return None
        return median_of(on.rate[on.pos[span.start] : on.pos[span.end]])

    def adopted(self, span: Span) -> frozenset[str]:
        """Platforms with at least one post in the window (``adopted_platforms``)."""
        return frozenset(p for p, on in self.platforms.items() if on.count(span))

    def weekly(self, weeks: tuple[Span, ...] | None) -> bool:
        """At least one post in each of the windows (``posts_weekly``)."""
        return weeks is not None and all(self.all.count(w) > 0 for w in weeks)


def _joined(pieces: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Times and rates of several accounts as one timeline, oldest first."""
    if not pieces:
        return np.empty(0, "int64"), np.empty(0)
    if len(pieces) == 1:
        return pieces[0]
    at = np.concatenate([p[0] for p in pieces])
    rate = np.concatenate([p[1] for p in pieces])
    order = np.argsort(at, kind="stable")
    return at[order], rate[order]
