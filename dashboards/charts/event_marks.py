"""Programme events as the charts mark them: dotted vertical lines with a label."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboards.charts.layout import Figure, esc
from tracker.text import has_text, text

EVENT_COLOURS = {
    "kickoff": "#2e7d32",
    "workshop": "#8e24aa",
    "midpoint": "#ef6c00",
    "closing": "#c62828",
    "other": "#616161",
}


@dataclass(frozen=True)
class EventMark:
    """A programme event as the charts mark it."""

    day: date
    kind: str
    title: str


def event_label(kind: str, title: str, lang: str = "de") -> str:
    """Auftakt, Halbzeit, Abschluss; a workshop (or other event) by its title."""
    key = f"event.{kind}"
    return text(key, lang) if has_text(key) else title


def events_of(frame: pd.DataFrame) -> tuple[EventMark, ...]:
    """The events of a ``tracker.store.read_frames.events`` frame."""
    return tuple(EventMark(r.date, r.kind, r.title) for r in frame.itertuples(index=False))


def event_marks(
    events: Iterable[EventMark],
    lang: str,
    labels: bool = True,
    axis: str = "",
    numbered: bool = False,
) -> tuple[list[Figure], list[Figure]]:
    """A dotted vertical line per event and, with ``labels``, its label on top; ``axis`` is
    the subplot suffix ("", "2", ...). With ``numbered`` the label is the event's number (1, 2,
    ...) in 13 px: the page names the numbered events below the chart, so long or close
    names never overlap on a narrow screen."""
    shapes, notes = [], []
    for number, ev in enumerate(events, start=1):
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
        # a note above the plot at the event's day
        above = {"x": day, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom"}
        above["showarrow"] = False
        if labels and numbered:
            notes.append(
                {
                    **above,
                    "xanchor": "center",
                    "text": str(number),
                    "font": {"size": 13, "color": "#263238"},
                    "bgcolor": "#ffffff",
                    "bordercolor": colour,
                    "borderwidth": 2,
                    "borderpad": 1,
                }
            )
        elif labels:
            notes.append(
                {
                    **above,
                    "xanchor": "left",
                    "text": esc(event_label(ev.kind, ev.title, lang)),
                    "textangle": -20,
                    "font": {"size": 11, "color": colour},
                }
            )
    return shapes, notes
