"""Plotly figures as plain dicts, for the web pages and the impact report alike.

Dicts are cheap to build and to serialise: Dash sends them as they are, and the report embeds
them with ``plotly.io.to_html`` (no ``go.Figure`` validation on the way). Programme events are
labelled dotted vertical lines (Auftakt, workshop titles, Halbzeit, Abschluss). A missing value
is ``None`` with ``connectgaps`` off, so a line breaks instead of falling to 0. Every text from
people or platforms (names, handles, event titles) is escaped: Plotly renders a subset of HTML
in hover labels, legends, titles and annotations. Long series are downsampled before drawing.
"""

from __future__ import annotations

import html
import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd

from tracker.explain import explain_milestone, platform_name
from tracker.metrics import PlotSeries
from tracker.milestones import MILESTONE_KINDS, Milestone

logger = logging.getLogger(__name__)

Figure = dict[str, Any]

MAX_POINTS = 400
SMALL_POINTS = 60
COLOURS = {
    "facebook": "#3b5998",
    "instagram": "#c13584",
    "x": "#222222",
    "blog": "#e07b00",
    "bluesky": "#1185fe",
    "mastodon": "#6364ff",
    "manual": "#5f7f3f",
    "demo": "#2a9d8f",
}
OTHER_COLOUR = "#455a64"
EVENT_COLOURS = {
    "kickoff": "#2e7d32",
    "workshop": "#8e24aa",
    "midpoint": "#ef6c00",
    "closing": "#c62828",
    "other": "#616161",
}
EVENT_LABELS = {
    "de": {"kickoff": "Auftakt", "midpoint": "Halbzeit", "closing": "Abschluss"},
    "en": {"kickoff": "Kickoff", "midpoint": "Midpoint", "closing": "Closing"},
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
GRID = "#eceff1"
TEXT = {
    "de": {
        "followers": "Follower",
        "gap_note": "Lücken in den Linien: an diesen Tagen konnte nicht abgerufen werden.",
        "no_data": "Noch keine Daten in diesem Zeitraum.",
        "before": "vorher",
        "after": "nachher",
        "baseline": "vor dem Auftakt",
        "last_month": "letzter Monat",
    },
    "en": {
        "followers": "Followers",
        "gap_note": "Gaps in the lines: the accounts could not be read on those days.",
        "no_data": "No data in this period yet.",
        "before": "before",
        "after": "after",
        "baseline": "before kickoff",
        "last_month": "last month",
    },
}


@dataclass(frozen=True)
class EventMark:
    """A programme event as the charts mark it."""

    day: date
    kind: str
    title: str


@dataclass(frozen=True)
class Line:
    """One series of a chart: ISO dates (short and exact in JSON) and values, None = gap."""

    platform: str
    x: tuple[str, ...]
    y: tuple[float | None, ...]

    @property
    def has_gaps(self) -> bool:
        return any(v is None for v in self.y)


class EffectLike(Protocol):
    """An event effect: ``tracker.metrics.EventEffect`` or ``tracker.summary.CohortEffect``."""

    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def metric(self) -> str: ...
    @property
    def before(self) -> float | None: ...
    @property
    def after(self) -> float | None: ...


def esc(text: object) -> str:
    """Text escaped for a Plotly label (hover, legend, title, annotation)."""
    return html.escape(str(text), quote=True)


def _t(lang: str, key: str) -> str:
    return TEXT.get(lang, TEXT["de"])[key]


def event_label(kind: str, title: str, lang: str = "de") -> str:
    """Auftakt, Halbzeit, Abschluss; a workshop (or other event) by its title."""
    return EVENT_LABELS.get(lang, EVENT_LABELS["de"]).get(kind, title)


def events_of(frame: pd.DataFrame) -> tuple[EventMark, ...]:
    """The events of a ``tracker.series.events`` frame."""
    return tuple(EventMark(r.date, r.kind, r.title) for r in frame.itertuples(index=False))


def line_of(series: PlotSeries, platform: str | None = None) -> Line:
    """A metrics plot series as a chart line (its label is the platform unless given)."""
    return Line(platform or series.label, tuple(x.strftime("%Y-%m-%d") for x in series.x), series.y)


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


def event_marks(
    events: Iterable[EventMark], lang: str, labels: bool = True, axis: str = ""
) -> tuple[list[Figure], list[Figure]]:
    """A dotted vertical line per event and, with ``labels``, its label on top; ``axis`` is
    the subplot suffix ("", "2", ...)."""
    shapes, notes = [], []
    for ev in events:
        colour = EVENT_COLOURS.get(ev.kind, EVENT_COLOURS["other"])
        day = ev.day.isoformat()
        shapes.append(
            {
                "type": "line",
                "xref": f"x{axis}",
                "yref": f"y{axis} domain" if axis else "paper",
                "x0": day,
                "x1": day,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": 1.5 if labels else 1, "dash": "dot"},
            }
        )
        if labels:
            notes.append(
                {
                    "x": day,
                    "y": 1,
                    "xref": "x",
                    "yref": "paper",
                    "yanchor": "bottom",
                    "xanchor": "left",
                    "text": esc(event_label(ev.kind, ev.title, lang)),
                    "showarrow": False,
                    "textangle": -20,
                    "font": {"size": 11, "color": colour},
                }
            )
    return shapes, notes


def _axis(lang: str, **extra: Any) -> Figure:
    day = "%d.%m.%Y" if lang == "de" else "%d %b %Y"
    return {"type": "date", "gridcolor": GRID, "tickformat": day, "hoverformat": day, **extra}


def _base(lang: str, y_title: str, height: int = 340, title: str | None = None) -> Figure:
    return {
        "title": {"text": esc(title)} if title else None,
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 72 if title else 56, "b": 40},
        "font": {"family": FONT, "size": 13, "color": "#263238"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "separators": ",." if lang == "de" else ".,",
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.18},
        "xaxis": _axis(lang),
        "yaxis": {"title": {"text": esc(y_title)}, "gridcolor": GRID, "rangemode": "tozero"},
        "shapes": [],
        "annotations": [],
    }


def _note(fig: Figure, text: str, y: float, size: int = 11) -> None:
    fig["layout"]["annotations"].append(
        {
            "text": esc(text),
            "xref": "paper",
            "yref": "paper",
            "x": 0 if y < 0 else 0.5,
            "y": y,
            "xanchor": "left" if y < 0 else "center",
            "showarrow": False,
            "font": {"size": size, "color": "#78909c"},
        }
    )


def line_figure(
    lines: Sequence[Line],
    events: Iterable[EventMark],
    lang: str,
    y_title: str,
    kind: str = "lines",
    title: str | None = None,
    gap_note: bool = False,
    max_points: int = MAX_POINTS,
) -> Figure:
    """One line (or stacked bars) per platform with the events marked; with ``gap_note`` a
    line with gaps gets a note below the chart."""
    layout = _base(lang, y_title, title=title)
    layout["shapes"], layout["annotations"] = event_marks(events, lang)
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
        title={"text": esc(title), "font": {"size": 12}, "x": 0.02},
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
                "font": {"size": 11},
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


def _bars(
    fig: Figure, key: str, values: list[float | None], colour: str, lang: str, **extra: Any
) -> None:
    label = esc(_t(lang, key))
    axis = "%{y}: %{x:.2f}" if extra.get("orientation") == "h" else "%{x}: %{y:.2f}"
    fig["data"].append(
        {
            "type": "bar",
            "name": label,
            "marker": {"color": colour},
            "hovertemplate": f"{axis}<extra>{label}</extra>",
            **extra,
            ("x" if extra.get("orientation") == "h" else "y"): values,
        }
    )


def _chart(lang: str, title: str | None, height: int = 380) -> Figure:
    layout = _base(lang, "", height=height, title=title)
    layout.update(
        barmode="group",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 70},
    )
    layout["xaxis"] = {"gridcolor": GRID, "automargin": True}
    layout["yaxis"] = {"gridcolor": GRID, "automargin": True}
    return {"data": [], "layout": layout}


def event_effects_figure(
    effects: Sequence[EffectLike], metric: str, lang: str = "de", title: str | None = None
) -> Figure:
    """Before against after for each event (grouped bars) for one metric."""
    rows = [e for e in effects if e.metric == metric]
    labels = [esc(event_label(e.kind, e.title, lang)) for e in rows]
    fig = _chart(lang, title)
    _bars(fig, "before", [e.before for e in rows], "#b0b0b0", lang, x=labels)
    _bars(fig, "after", [e.after for e in rows], "#1f5fbf", lang, x=labels)
    return fig


def before_after_figure(
    rows: Sequence[tuple[str, float | None, float | None]],
    lang: str = "de",
    title: str | None = None,
    y_title: str = "",
) -> Figure:
    """Per person (or measure): the baseline before the kickoff against the last month.
    Unknown values stay empty bars, never 0."""
    names = [esc(name) for name, _, _ in rows]
    fig = _chart(lang, title, height=max(260, 28 * len(rows) + 120))
    _bars(fig, "baseline", [r[1] for r in rows], "#b0b0b0", lang, y=names, orientation="h")
    _bars(fig, "last_month", [r[2] for r in rows], "#2a9d8f", lang, y=names, orientation="h")
    fig["layout"]["xaxis"]["title"] = {"text": esc(y_title)}
    fig["layout"]["yaxis"]["autorange"] = "reversed"
    return fig


def milestones_figure(
    milestones: Sequence[Milestone],
    names: Mapping[int, str],
    lang: str = "de",
    title: str | None = None,
) -> Figure:
    """Learning milestones over time: one row per kind, one dot per milestone, the person and
    platform in the hover text."""
    fig = _chart(lang, title, height=320)
    fig["layout"]["xaxis"] = _axis(lang)
    for kind in MILESTONE_KINDS:
        found = [m for m in milestones if m.kind == kind]
        if not found:
            continue
        label = esc(explain_milestone(kind, None, lang).title)
        fig["data"].append(
            {
                "type": "scatter",
                "x": [m.at.isoformat() for m in found],
                "y": [label] * len(found),
                "mode": "markers",
                "name": label,
                "marker": {"size": 9, "opacity": 0.7},
                "text": [
                    esc(
                        f"{names.get(m.person_id, m.person_id)} · {platform_name(m.platform, lang)}"
                    )
                    for m in found
                ],
                "hovertemplate": "%{text}<br>%{x|%d.%m.%Y}<extra></extra>",
                "showlegend": False,
            }
        )
    return fig


def figure_size(fig: Figure) -> int:
    """Bytes of the figure's JSON, as sent to a browser."""
    return len(json.dumps(fig, separators=(",", ":")))
