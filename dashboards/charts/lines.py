"""Line figures over time: one line per platform, sparklines and small multiples."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dashboards.charts.downsample import MAX_POINTS, SMALL_POINTS, downsample
from dashboards.charts.event_marks import EventMark, event_marks
from dashboards.charts.layout import (
    COLOURS,
    GRID,
    OTHER_COLOUR,
    Figure,
    _axis,
    _base,
    _note,
    _t,
    esc,
)
from tracker.explain import platform_name
from tracker.metrics import PlotSeries


@dataclass(frozen=True)
class Line:
    """One series of a chart: ISO dates (short and exact in JSON) and values, None = gap."""

    platform: str
    x: tuple[str, ...]
    y: tuple[float | None, ...]

    @property
    def has_gaps(self) -> bool:
        return any(v is None for v in self.y)


def line_of(series: PlotSeries, platform: str | None = None) -> Line:
    """A metrics plot series as a chart line (its label is the platform unless given)."""
    return Line(platform or series.label, tuple(x.strftime("%Y-%m-%d") for x in series.x), series.y)


def line_figure(
    lines: Sequence[Line],
    events: Iterable[EventMark],
    lang: str,
    y_title: str,
    kind: str = "lines",
    title: str | None = None,
    gap_note: bool = False,
    max_points: int = MAX_POINTS,
    x_range: tuple[str, str] | None = None,
    numbered_events: bool = False,
) -> Figure:
    """One line (or stacked bars) per platform with the events marked; with ``gap_note`` a
    line with gaps gets a note below the chart. ``x_range`` (ISO days) fixes the time axis;
    ``numbered_events`` marks the events by number (see ``event_marks``)."""
    layout = _base(lang, y_title, title=title)
    layout["shapes"], layout["annotations"] = event_marks(events, lang, numbered=numbered_events)
    if x_range is not None:
        # Month and year on two lines, a few ticks, never rotated: readable on a phone.
        layout["xaxis"].update(
            range=list(x_range), autorange=False, tickformat="%b<br>%Y", nticks=6, tickangle=0
        )
        layout["legend"] = {"orientation": "h", "y": -0.22, "yanchor": "top", "x": 0}
        layout["margin"] = {**layout["margin"], "b": 56}
    if kind == "bar":
        layout["barmode"] = "stack"
    data: list[Figure] = []
    seen: set[str] = set()
    for line in lines:
        name = esc(platform_name(line.platform, lang))
        colour = COLOURS.get(line.platform, OTHER_COLOUR)
        xs, ys = downsample(line.x, line.y, max_points)
        trace: Figure = {
            "x": xs,
            "y": ys,
            "name": name,
            "legendgroup": line.platform,
            "showlegend": line.platform not in seen,
            "marker": {"color": colour},
            "hovertemplate": f"{name}: %{{y}}<extra></extra>",
        }
        seen.add(line.platform)
        if kind == "bar":
            trace["type"] = "bar"
        else:
            trace.update(
                type="scatter",
                mode="lines+markers" if len(xs) < 40 else "lines",
                connectgaps=False,
                line={"width": 2.5, "color": colour},
            )
        data.append(trace)
    fig: Figure = {"data": data, "layout": layout}
    if not data:
        _note(fig, _t(lang, "no_data"), 0.5, 14)
    elif gap_note and any(line.has_gaps for line in lines):
        _note(fig, _t(lang, "gap_note"), -0.3)
    return fig


def sparkline(line: Line | None, events: Iterable[EventMark], title: str, lang: str) -> Figure:
    """A small chart of one mentee's followers for the programme's small multiples."""
    shapes, _labels = event_marks(events, lang, labels=False)
    layout = _base(lang, "", height=160)
    layout.update(
        margin={"l": 40, "r": 8, "t": 28, "b": 24},
        title={"text": esc(title), "font": {"size": 13}, "x": 0.02},
        showlegend=False,
        shapes=shapes,
    )
    layout["xaxis"]["tickformat"] = "%m/%y"
    fig: Figure = {"data": [], "layout": layout}
    if line is None:
        _note(fig, _t(lang, "no_data"), 0.5, 12)
        return fig
    name = esc(platform_name(line.platform, lang))
    xs, ys = downsample(line.x, line.y, SMALL_POINTS * 3)
    fig["data"].append(
        {
            "type": "scatter",
            "mode": "lines",
            "x": xs,
            "y": ys,
            "connectgaps": False,
            "line": {"color": COLOURS.get(line.platform, OTHER_COLOUR), "width": 2},
            "name": name,
            "hovertemplate": f"{name}: %{{y}}<extra></extra>",
        }
    )
    return fig


def small_multiples_figure(
    panels: Sequence[tuple[str, Sequence[Line]]],
    events: Iterable[EventMark],
    lang: str = "de",
    cols: int = 4,
    max_points: int = SMALL_POINTS,
) -> Figure:
    """One small chart of followers per platform for each panel (a mentee), events as dotted
    lines; each panel has its own scale; one legend entry per platform."""
    events = tuple(events)
    rows = max(1, math.ceil(len(panels) / cols))
    gap_x, gap_y = 0.05, min(0.12, 0.5 / rows)
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    layout = _base(lang, "", height=170 * rows + 80)
    layout.update(
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    del layout["xaxis"], layout["yaxis"]
    data: list[Figure] = []
    shown: set[str] = set()
    gaps = False
    for i, (name, lines) in enumerate(panels):
        suffix = "" if i == 0 else str(i + 1)
        row, col = divmod(i, cols)
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height + gap_y)
        layout[f"xaxis{suffix}"] = _axis(lang, domain=[x0, x0 + width], anchor=f"y{suffix}")
        layout[f"xaxis{suffix}"]["tickformat"] = "%m/%y"
        layout[f"yaxis{suffix}"] = {
            "domain": [y1 - height, y1],
            "anchor": f"x{suffix}",
            "gridcolor": GRID,
            "rangemode": "tozero",  # a count chart starts at zero, as on every surface
        }
        layout["annotations"].append(
            {
                "text": esc(name),
                "x": x0 + width / 2,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
        layout["shapes"] += event_marks(events, lang, labels=False, axis=suffix)[0]
        for line in lines:
            xs, ys = downsample(line.x, line.y, max_points)
            gaps = gaps or line.has_gaps
            label = esc(platform_name(line.platform, lang))
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": xs,
                    "y": ys,
                    "name": label,
                    "legendgroup": line.platform,
                    "showlegend": line.platform not in shown,
                    "connectgaps": False,
                    "line": {"color": COLOURS.get(line.platform, OTHER_COLOUR), "width": 1.5},
                    "hovertemplate": f"{label}: %{{y:,.0f}}<extra></extra>",
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                }
            )
            shown.add(line.platform)
    fig: Figure = {"data": data, "layout": layout}
    if gaps:
        _note(fig, _t(lang, "gap_note"), -30 / layout["height"])
    return fig
