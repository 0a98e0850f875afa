"""Plotly figures as plain dicts, for the web pages and the impact report alike.

Dicts are cheap to build and to serialise: Dash sends them as they are, and the report embeds
them with ``plotly.io.to_html`` (no ``go.Figure`` validation on the way). Programme events are
labelled dotted vertical lines (Auftakt, workshop titles, Halbzeit, Abschluss). A missing value
is ``None`` with ``connectgaps`` off, so a line breaks instead of falling to 0. Every text from
people or platforms (names, handles, event titles) is escaped: Plotly renders a subset of HTML
in hover labels, legends, titles and annotations. Long series are downsampled before drawing.

One module per concern: ``layout`` (palette, texts, escaping, base layout), ``events`` (event
markers), ``downsample``, ``lines`` (line figures, sparklines, small multiples) and
``comparisons`` (event effects, before/after, milestones). The public names are all
importable from here.
"""

from dashboards.charts.comparisons import (
    EffectLike,
    before_after_figure,
    event_effects_figure,
    milestones_figure,
)
from dashboards.charts.downsample import MAX_POINTS, SMALL_POINTS, downsample, kept_points
from dashboards.charts.event_marks import (
    EVENT_COLOURS,
    EventMark,
    event_label,
    event_marks,
    events_of,
)
from dashboards.charts.layout import (
    COLOURS,
    FONT,
    GRID,
    OTHER_COLOUR,
    Figure,
    esc,
    figure_size,
)
from dashboards.charts.lines import Line, line_figure, line_of, small_multiples_figure, sparkline

__all__ = [
    "COLOURS",
    "EVENT_COLOURS",
    "FONT",
    "GRID",
    "MAX_POINTS",
    "OTHER_COLOUR",
    "SMALL_POINTS",
    "EffectLike",
    "EventMark",
    "Figure",
    "Line",
    "before_after_figure",
    "downsample",
    "esc",
    "event_effects_figure",
    "event_label",
    "event_marks",
    "events_of",
    "figure_size",
    "kept_points",
    "line_figure",
    "line_of",
    "milestones_figure",
    "small_multiples_figure",
    "sparkline",
]
