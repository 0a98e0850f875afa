"""Plotly figure builders shared by the impact report and the web dashboards.

Every text that comes from people or platforms (names, handles, event titles) is escaped before
it reaches a figure: Plotly renders a subset of HTML in hover labels, legends and titles. Gaps
(slots without a known count) are drawn as gaps, never bridged.
"""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tracker.explain import explain_milestone, platform_name
from tracker.metrics import PlotSeries
from tracker.milestones import MILESTONE_KINDS, Milestone

logger = logging.getLogger(__name__)

MAX_POINTS = 400
SMALL_POINTS = 60
PLATFORM_COLOURS = {
    "facebook": "#1f5fbf",
    "instagram": "#c13584",
    "x": "#333333",
    "blog": "#e07b00",
    "bluesky": "#1c8fe6",
    "mastodon": "#6364ff",
    "manual": "#7a7a7a",
    "demo": "#2a9d8f",
}
EVENT_LABELS = {
    "de": {"kickoff": "Auftakt", "midpoint": "Halbzeit", "closing": "Abschluss"},
    "en": {"kickoff": "Kickoff", "midpoint": "Midpoint", "closing": "Closing"},
}
TEXT = {
    "de": {
        "followers": "Follower",
        "posts": "Beiträge pro Woche",
        "engagement": "Interaktionsrate (%)",
        "gap_note": "Lücken in den Linien: an diesen Tagen konnte nicht abgerufen werden.",
        "before": "vorher",
        "after": "nachher",
        "baseline": "vor dem Auftakt",
        "last_month": "letzter Monat",
        "date": "Datum",
        "week": "Woche ab",
    },
    "en": {
        "followers": "Followers",
        "posts": "Posts per week",
        "engagement": "Engagement rate (%)",
        "gap_note": "Gaps in the lines: the accounts could not be read on those days.",
        "before": "before",
        "after": "after",
        "baseline": "before kickoff",
        "last_month": "last month",
        "date": "Date",
        "week": "Week from",
    },
}


class EffectLike(Protocol):
    """An event effect: ``tracker.metrics.EventEffect`` or ``tracker.summary.CohortEffect``."""

    @property
    def event_date(self) -> date: ...
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
    labels = EVENT_LABELS.get(lang, EVENT_LABELS["de"])
    return labels.get(kind, title)


def downsample(
    x: Sequence[Any], y: Sequence[float | None], max_points: int = MAX_POINTS
) -> tuple[list[Any], list[float | None]]:
    """At most about ``max_points`` points: the last point of each bucket, and where a bucket
    holds a gap, its known edges with ``None`` between (so a gap survives downsampling)."""
    n = len(x)
    if n <= max_points or max_points <= 0:
        return list(x), list(y)
    step = math.ceil(n / max_points)
    xs: list[Any] = []
    ys: list[float | None] = []
    for start in range(0, n, step):
        bx, by = x[start : start + step], y[start : start + step]
        if any(v is None for v in by):
            missing = next(i for i, v in enumerate(by) if v is None)
            if by[0] is not None:
                xs.append(bx[0])
                ys.append(by[0])
            xs.append(bx[missing])
            ys.append(None)
            if by[-1] is not None:
                xs.append(bx[-1])
                ys.append(by[-1])
        else:
            xs.append(bx[-1])
            ys.append(by[-1])
    return xs, ys


def add_event_markers(
    fig: go.Figure, events: pd.DataFrame, lang: str = "de", labels: bool = True
) -> go.Figure:
    """A dotted vertical line per programme event, labelled on top (Auftakt, workshop title,
    Halbzeit, Abschluss)."""
    for ev in events.itertuples(index=False):
        at = pd.Timestamp(ev.date).isoformat()
        fig.add_shape(
            type="line",
            xref="x",
            x0=at,
            x1=at,
            yref="paper",
            y0=0,
            y1=1,
            line={"dash": "dot", "width": 1, "color": "#888888"},
        )
        if labels:
            fig.add_annotation(
                x=at,
                y=1,
                yref="paper",
                text=esc(event_label(ev.kind, ev.title, lang)),
                showarrow=False,
                textangle=-90,
                xanchor="right",
                yanchor="top",
                font={"size": 10, "color": "#555555"},
            )
    return fig


def _gap_note(fig: go.Figure, lang: str) -> None:
    fig.add_annotation(
        text=esc(_t(lang, "gap_note")),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.18,
        showarrow=False,
        xanchor="left",
        font={"size": 11, "color": "#555555"},
    )


def _layout(fig: go.Figure, title: str | None, y_title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title=esc(title) if title else None,
        height=height,
        margin={"l": 60, "r": 20, "t": 50 if title else 20, "b": 70},
        yaxis_title=esc(y_title),
        legend={"orientation": "h", "y": -0.25},
        hovermode="x unified",
        template="plotly_white",
    )
    return fig


def followers_figure(
    series: Sequence[PlotSeries],
    events: pd.DataFrame,
    lang: str = "de",
    title: str | None = None,
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """Followers over time, one line per series (label: the platform key or a name), with the
    events as labelled vertical markers; gaps stay gaps and are explained below the chart."""
    fig = go.Figure()
    for s in series:
        xs, ys = downsample(s.x, s.y, max_points)
        name = esc(platform_name(s.label, lang) if s.label in PLATFORM_COLOURS else s.label)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=name,
                connectgaps=False,
                line={"color": PLATFORM_COLOURS.get(s.label)},
                hovertemplate=f"{name}: %{{y:,.0f}}<extra></extra>",
            )
        )
    add_event_markers(fig, events, lang)
    if any(s.has_gaps for s in series):
        _gap_note(fig, lang)
    return _layout(fig, title, _t(lang, "followers"))


def posts_per_week_figure(
    weekly: Mapping[str, pd.Series],
    events: pd.DataFrame,
    lang: str = "de",
    title: str | None = None,
) -> go.Figure:
    """Stacked bars of posts per week, one colour per platform (series indexed by week)."""
    fig = go.Figure()
    for platform, counts in weekly.items():
        name = esc(platform_name(platform, lang))
        fig.add_trace(
            go.Bar(
                x=[pd.Timestamp(w).isoformat() for w in counts.index],
                y=[int(v) for v in counts.to_numpy()],
                name=name,
                marker_color=PLATFORM_COLOURS.get(platform),
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    add_event_markers(fig, events, lang)
    return _layout(fig, title, _t(lang, "posts"))


def engagement_figure(
    rates: pd.DataFrame, events: pd.DataFrame, lang: str = "de", title: str | None = None
) -> go.Figure:
    """Engagement rate of each post (dots), one colour per platform; posts without a known
    rate are left out."""
    fig = go.Figure()
    known = rates[rates["rate"].notna()] if len(rates) else rates
    for platform, group in known.groupby("platform") if len(known) else []:
        name = esc(platform_name(str(platform), lang))
        fig.add_trace(
            go.Scatter(
                x=[t.isoformat() for t in group["published_at"]],
                y=[float(v) for v in group["rate"]],
                mode="markers",
                name=name,
                marker={"color": PLATFORM_COLOURS.get(str(platform)), "size": 6},
                hovertemplate=f"{name}: %{{y:.1f}} %<extra></extra>",
            )
        )
    add_event_markers(fig, events, lang)
    return _layout(fig, title, _t(lang, "engagement"))


def event_effects_figure(
    effects: Sequence[EffectLike], metric: str, lang: str = "de", title: str | None = None
) -> go.Figure:
    """Before against after for each event (grouped bars) for one metric."""
    rows = [e for e in effects if e.metric == metric]
    labels = [esc(event_label(e.kind, e.title, lang)) for e in rows]
    fig = go.Figure()
    for key, values, colour in (
        ("before", [e.before for e in rows], "#b0b0b0"),
        ("after", [e.after for e in rows], "#1f5fbf"),
    ):
        fig.add_trace(
            go.Bar(
                x=labels,
                y=values,
                name=esc(_t(lang, key)),
                marker_color=colour,
                hovertemplate="%{x}: %{y:.2f}<extra>" + esc(_t(lang, key)) + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    return _layout(fig, title, "")


def before_after_figure(
    rows: Sequence[tuple[str, float | None, float | None]],
    lang: str = "de",
    title: str | None = None,
    y_title: str = "",
) -> go.Figure:
    """Per person (or platform): the baseline before the kickoff against the last month.
    Unknown values stay empty bars, never 0."""
    names = [esc(name) for name, _, _ in rows]
    fig = go.Figure()
    for key, idx, colour in (("baseline", 1, "#b0b0b0"), ("last_month", 2, "#2a9d8f")):
        values = [r[idx] for r in rows]
        fig.add_trace(
            go.Bar(
                y=names,
                x=values,
                orientation="h",
                name=esc(_t(lang, key)),
                marker_color=colour,
                hovertemplate="%{y}: %{x:.2f}<extra>" + esc(_t(lang, key)) + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig = _layout(fig, title, "", height=max(260, 28 * len(rows) + 120))
    fig.update_layout(xaxis_title=esc(y_title), yaxis={"autorange": "reversed"})
    return fig


def small_multiples_figure(
    panels: Sequence[tuple[str, Sequence[PlotSeries]]],
    events: pd.DataFrame,
    lang: str = "de",
    cols: int = 4,
    max_points: int = SMALL_POINTS,
) -> go.Figure:
    """One small chart of followers per platform for each panel (a mentee), events as dotted
    lines; each panel has its own scale."""
    rows = max(1, math.ceil(len(panels) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[esc(name) for name, _ in panels],
        vertical_spacing=min(0.12, 0.5 / rows),
        horizontal_spacing=0.05,
    )
    shown: set[str] = set()
    gaps = False
    event_days = [pd.Timestamp(d).isoformat() for d in events["date"]] if len(events) else []
    traces: list[go.Scatter] = []
    shapes: list[dict[str, Any]] = []
    # Traces and shapes are collected and added once: adding them one by one re-validates
    # the whole layout each time (slow for many panels).
    for i, (_name, series) in enumerate(panels):
        suffix = "" if i == 0 else str(i + 1)
        for s in series:
            xs, ys = downsample(s.x, s.y, max_points)
            gaps = gaps or s.has_gaps
            label = esc(platform_name(s.label, lang))
            traces.append(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=label,
                    legendgroup=s.label,
                    showlegend=s.label not in shown,
                    connectgaps=False,
                    line={"color": PLATFORM_COLOURS.get(s.label), "width": 1.5},
                    hovertemplate=f"{label}: %{{y:,.0f}}<extra></extra>",
                    xaxis=f"x{suffix}",
                    yaxis=f"y{suffix}",
                )
            )
            shown.add(s.label)
        shapes += [
            {
                "type": "line",
                "xref": f"x{suffix}",
                "yref": f"y{suffix} domain",
                "x0": at,
                "x1": at,
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dot", "width": 1, "color": "#aaaaaa"},
            }
            for at in event_days
        ]
    fig.add_traces(traces)
    fig.update_layout(shapes=shapes)
    fig.update_layout(
        height=170 * rows + 80,
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        template="plotly_white",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        hovermode="x unified",
    )
    fig.update_annotations(font_size=11)
    if gaps:
        _gap_note(fig, lang)
    return fig


def milestones_figure(
    milestones: Sequence[Milestone],
    names: Mapping[int, str],
    lang: str = "de",
    title: str | None = None,
) -> go.Figure:
    """Learning milestones over time: one row per kind, one dot per milestone, the person and
    platform in the hover text."""
    fig = go.Figure()
    for kind in MILESTONE_KINDS:
        found = [m for m in milestones if m.kind == kind]
        if not found:
            continue
        label = esc(explain_milestone(kind, None, lang).title)
        fig.add_trace(
            go.Scatter(
                x=[m.at.isoformat() for m in found],
                y=[label] * len(found),
                mode="markers",
                name=label,
                marker={"size": 9, "opacity": 0.7},
                text=[
                    esc(
                        f"{names.get(m.person_id, m.person_id)} · {platform_name(m.platform, lang)}"
                    )
                    for m in found
                ],
                hovertemplate="%{text}<br>%{x|%d.%m.%Y}<extra></extra>",
                showlegend=False,
            )
        )
    return _layout(fig, title, "", height=320)


def figure_size(fig: go.Figure) -> int:
    """Bytes of the figure's JSON, as sent to a browser."""
    return len(fig.to_json())
