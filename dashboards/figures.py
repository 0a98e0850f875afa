"""Plotly figures of the progress view, as plain dicts (cheap to build, small to send).

Programme events are labelled vertical lines; a missing value is ``None`` so the line breaks
(``connectgaps`` off) instead of falling to 0. Every text that comes from a person (event
titles) is HTML-escaped, because Plotly reads a subset of HTML in labels.
"""

from __future__ import annotations

from html import escape
from typing import Any

from dashboards.i18n import platform_label, t
from dashboards.progress_data import EventMark, Line

Figure = dict[str, Any]

COLOURS = {
    "facebook": "#3b5998",
    "instagram": "#c13584",
    "x": "#222222",
    "blog": "#e07b00",
    "bluesky": "#1185fe",
    "mastodon": "#6364ff",
    "manual": "#5f7f3f",
    "demo": "#777777",
}
EVENT_COLOURS = {
    "kickoff": "#2e7d32",
    "workshop": "#8e24aa",
    "midpoint": "#ef6c00",
    "closing": "#c62828",
    "other": "#616161",
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def _base(lang: str, y_title: str, height: int = 340) -> Figure:
    return {
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 56, "b": 40},
        "font": {"family": FONT, "size": 13, "color": "#263238"},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "separators": ",." if lang == "de" else ".,",
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.18},
        "xaxis": {
            "type": "date",
            "gridcolor": "#eceff1",
            "tickformat": "%d.%m.%Y" if lang == "de" else "%d %b %Y",
            "hoverformat": "%d.%m.%Y" if lang == "de" else "%d %b %Y",
        },
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#eceff1", "rangemode": "tozero"},
    }


def event_marks(events: tuple[EventMark, ...]) -> tuple[list[Figure], list[Figure]]:
    """Vertical lines and their labels for the programme's events."""
    shapes, notes = [], []
    for ev in events:
        colour = EVENT_COLOURS.get(ev.kind, EVENT_COLOURS["other"])
        day = ev.day.isoformat()
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": day,
                "x1": day,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "width": 1.5, "dash": "dot"},
            }
        )
        notes.append(
            {
                "x": day,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "xanchor": "left",
                "text": escape(ev.title),
                "showarrow": False,
                "textangle": -20,
                "font": {"size": 11, "color": colour},
            }
        )
    return shapes, notes


def _empty(fig: Figure, lang: str) -> Figure:
    fig["layout"]["annotations"].append(
        {
            "text": t("chart.no_data", lang),
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 14, "color": "#78909c"},
        }
    )
    return fig


def line_figure(
    lines: tuple[Line, ...],
    events: tuple[EventMark, ...],
    lang: str,
    y_title: str,
    kind: str = "lines",
) -> Figure:
    """One line (or bar series) per platform with the events marked."""
    shapes, notes = event_marks(events)
    layout = _base(lang, y_title)
    layout["shapes"] = shapes
    layout["annotations"] = notes
    if kind == "bar":
        layout["barmode"] = "stack"
    data = []
    seen: set[str] = set()
    for line in lines:
        label = platform_label(line.platform)
        trace: Figure = {
            "x": list(line.x),
            "y": list(line.y),
            "name": label,
            "legendgroup": line.platform,
            "showlegend": line.platform not in seen,
            "marker": {"color": COLOURS.get(line.platform, "#455a64")},
        }
        seen.add(line.platform)
        if kind == "bar":
            trace["type"] = "bar"
        else:
            trace.update(
                type="scatter",
                mode="lines+markers" if len(line.x) < 40 else "lines",
                connectgaps=False,
                line={"width": 2.5, "color": COLOURS.get(line.platform, "#455a64")},
            )
        data.append(trace)
    fig: Figure = {"data": data, "layout": layout}
    if not data:
        return _empty(fig, lang)
    return fig


def sparkline(line: Line | None, events: tuple[EventMark, ...], title: str, lang: str) -> Figure:
    """A small chart of one mentee's followers for the programme's small multiples."""
    shapes, _notes = event_marks(events)
    layout = _base(lang, "", height=160)
    layout.update(
        margin={"l": 40, "r": 8, "t": 28, "b": 24},
        title={"text": escape(title), "font": {"size": 12}, "x": 0.02},
        showlegend=False,
        shapes=shapes,
        annotations=[],
    )
    layout["xaxis"]["tickformat"] = "%m/%y"
    data = []
    if line is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": list(line.x),
                "y": list(line.y),
                "connectgaps": False,
                "line": {"color": COLOURS.get(line.platform, "#455a64"), "width": 2},
                "name": platform_label(line.platform),
            }
        )
    fig: Figure = {"data": data, "layout": layout}
    return fig if data else _empty(fig, lang)
