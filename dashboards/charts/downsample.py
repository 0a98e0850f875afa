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
    keep: list[int] = []
    for start in range(0, n, step):
        last = min(start + step, n) - 1
        gap = missing[start : last + 1]
        if gap.any():
            if not missing[start]:
                keep.append(start)
            keep.append(start + int(gap.argmax()))
            if not missing[last]:
                keep.append(last)
        else:
            keep.append(last)
    return np.array(keep, dtype="int64")


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
