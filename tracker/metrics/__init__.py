"""The pinned metric definitions, as pure functions over small frames or arrays handed to
them (``tracker.store.read_arrays`` builds both from the store).

Days and weeks are the programme's local ones (``set_timezone``, from the config). Snapshot
frames have ``taken_at`` (aware UTC) and ``followers`` (nullable integer); post frames
have ``published_at``, ``platform``, ``kind``, ``likes``, ``comments`` and ``shares``. Nothing here
reads the store.

Unknown stays ``None``, never 0. Counts are never interpolated across a failed or missing poll:
a span without a known value is a :class:`Gap`, and a result measured across one says so.

One module per concern: ``counts`` (moments, known counts as arrays, gaps, coverage),
``growth``, ``posting``, ``engagement``, ``events`` (before/after a programme event) and
``series`` (chart series on a grid). The public names are all importable from here.
"""

from tracker.metrics.counts import (
    DAY,
    MAX_GAP,
    NEAREST_TOLERANCE,
    VIDEO_KINDS,
    WEEK,
    Counts,
    Gap,
    add_days,
    as_moment,
    coverage,
    coverage_at,
    find_gaps,
    from_wall_ns,
    gap_count,
    gaps_in,
    known_counts,
    local_days,
    local_today,
    median_or_none,
    moment_ns,
    ns,
    programme_zone,
    set_timezone,
    wall_ns,
)
from tracker.metrics.engagement import (
    INTERACTIONS,
    engagement_rates,
    interaction_totals,
    interactions,
    median_engagement,
    nearest_values,
    rates_of,
)
from tracker.metrics.events import (
    EFFECT_DAYS,
    EventEffect,
    clip_window,
    effect_windows,
    event_effects,
)
from tracker.metrics.growth import (
    EDGE_TOLERANCE,
    NO_GROWTH,
    Growth,
    follower_growth,
    growth_of,
    value_at,
    weekly_rate,
)
from tracker.metrics.posting import (
    ADOPTION_DAYS,
    adopted_platforms,
    adopted_platforms_at,
    consistency,
    consistency_at,
    posts_per_week,
    posts_per_week_at,
    posts_weekly,
    week_counts,
    week_edges,
    weekly_post_counts,
)
from tracker.metrics.series import PlotSeries, on_grid, plot_series

__all__ = [
    "ADOPTION_DAYS",
    "DAY",
    "EDGE_TOLERANCE",
    "EFFECT_DAYS",
    "INTERACTIONS",
    "MAX_GAP",
    "NEAREST_TOLERANCE",
    "NO_GROWTH",
    "VIDEO_KINDS",
    "WEEK",
    "Counts",
    "EventEffect",
    "Gap",
    "Growth",
    "PlotSeries",
    "add_days",
    "adopted_platforms",
    "adopted_platforms_at",
    "as_moment",
    "clip_window",
    "consistency",
    "consistency_at",
    "coverage",
    "coverage_at",
    "effect_windows",
    "engagement_rates",
    "event_effects",
    "find_gaps",
    "follower_growth",
    "from_wall_ns",
    "gap_count",
    "gaps_in",
    "growth_of",
    "interaction_totals",
    "interactions",
    "known_counts",
    "local_days",
    "local_today",
    "median_engagement",
    "median_or_none",
    "moment_ns",
    "nearest_values",
    "ns",
    "on_grid",
    "plot_series",
    "posts_per_week",
    "posts_per_week_at",
    "posts_weekly",
    "programme_zone",
    "rates_of",
    "set_timezone",
    "value_at",
    "wall_ns",
    "week_counts",
    "week_edges",
    "weekly_post_counts",
    "weekly_rate",
]
