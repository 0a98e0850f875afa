"""The look shared by every chart: palette, fonts, texts, escaping and the base layout."""

from __future__ import annotations

import html
import json
from typing import Any

from tracker.text import language, text
from tracker.text.formatting import CHART_DATE_FORMATS

Figure = dict[str, Any]


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
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
GRID = "#eceff1"


def esc(text: object) -> str:
    """Text escaped for a Plotly label (hover, legend, title, annotation)."""
    return html.escape(str(text), quote=True)


def _t(lang: str, key: str) -> str:
    return text(f"figure.{key}", lang)


def _axis(lang: str, **extra: Any) -> Figure:
    day = CHART_DATE_FORMATS[language(lang)]
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


def _note(fig: Figure, text: str, y: float, size: int = 13) -> None:
    fig["layout"]["annotations"].append(
        {
            "text": esc(text),
            "xref": "paper",
            "yref": "paper",
            "x": 0 if y < 0 else 0.5,
            "y": y,
            "xanchor": "left" if y < 0 else "center",
            "showarrow": False,
            "font": {"size": size, "color": "#4f6571"},
        }
    )


def figure_size(fig: Figure) -> int:
    """Bytes of the figure's JSON, as sent to a browser."""
    return len(json.dumps(fig, separators=(",", ":")))
