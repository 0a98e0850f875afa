"""Thinning long series before drawing, so that a gap survives it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_POINTS = 400
SMALL_POINTS = 60


def kept_points(missing: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Positions of the points :func:`downsample` keeps of a series of ``len(missing)`` points
    (``missing`` is True where the value is unknown), in order: all of them up to
    ``max_points``; else the series is cut into buckets of ``ceil(n / max_points)`` points and
    each keeps its last point, or, where it holds a gap, its known edges and its first missing
    point (so a gap survives downsampling)."""
    n = len(missing)
    if n <= max_points or max_points <= 0:
        return np.arange(n, dtype="int64")
    step = math.ceil(n / max_points)
    missing = np.asarray(missing, dtype=bool)
    # All buckets at once (a report thins thousands of series): per bucket its first point,
    # its first missing point and its last point, each kept or not.
    starts = np.arange(0, n, step, dtype="int64")
    lasts = np.minimum(starts + step, n) - 1
    holes = np.append(np.flatnonzero(missing), n)  # n: no hole after the last one
    first_hole = holes[np.searchsorted(holes, starts)]
    gap = first_hole <= lasts
    candidates = np.stack([starts, first_hole, lasts], axis=1)
    kept = np.stack([gap & ~missing[starts], gap, ~gap | ~missing[lasts]], axis=1)
    return candidates[kept].astype("int64")


def downsample(
    x: Sequence[Any], y: Sequence[float | None], max_points: int = MAX_POINTS
) -> tuple[list[Any], list[float | None]]:
    """At most about ``max_points`` points (``None`` = unknown): those :func:`kept_points`
    keeps."""
    if len(x) <= max_points or max_points <= 0:
        return list(x), list(y)
    missing = np.fromiter((v is None for v in y), dtype=bool, count=len(y))
    keep = kept_points(missing, max_points).tolist()
    return [x[i] for i in keep], [y[i] for i in keep]
