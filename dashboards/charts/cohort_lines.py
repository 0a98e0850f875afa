"""Cohorts side by side: one line per cohort over the weeks since its kickoff, follow-up points
(months after the closing) as hollow markers on the same weeks axis; and the self-assessment's
median change per statement, one line per cohort."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboards.charts.layout import Figure, _base, _note, _t, esc

# Colour-blind safe (Okabe-Ito), oldest cohort first.
COHORT_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")


@dataclass(frozen=True)
class CohortLine:
    """One cohort's values (None = unknown, drawn as a gap) at weeks since its kickoff, and
    its follow-up values at their weeks."""

    name: str
    weeks: Sequence[float]
    values: Sequence[float | None]
    followup_weeks: Sequence[float] = ()
    followup_values: Sequence[float | None] = ()


def _colour(i: int) -> str:
    return COHORT_COLOURS[i % len(COHORT_COLOURS)]


def cohorts_figure(
    lines: Sequence[CohortLine],
    lang: str,
    y_title: str,
    x_title: str,
    followup_name: str = "{cohort}",
    title: str | None = None,
) -> Figure:
    """One line per cohort over the weeks since the kickoff; the y-axis starts at zero."""
    layout = _base(lang, y_title, height=320, title=title)
    layout["xaxis"] = {
        "type": "linear",
        "title": {"text": esc(x_title)},
        "gridcolor": layout["xaxis"]["gridcolor"],
        "rangemode": "tozero",
        "zeroline": False,
    }
    layout["hovermode"] = "closest"
    layout["legend"] = {"orientation": "h", "y": -0.3, "yanchor": "top", "x": 0}
    layout["margin"] = {**layout["margin"], "b": 80}
    data: list[Figure] = []
    for i, line in enumerate(lines):
        name = esc(line.name)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers" if len(line.weeks) < 40 else "lines",
                "x": list(line.weeks),
                "y": list(line.values),
                "name": name,
                "legendgroup": name,
                "connectgaps": False,
                "line": {"width": 2.5, "color": _colour(i)},
                "marker": {"color": _colour(i), "size": 5},
                "hovertemplate": f"{name}: %{{y}} (%{{x:.0f}})<extra></extra>",
            }
        )
        if line.followup_weeks:
            label = esc(followup_name.format(cohort=line.name))
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": list(line.followup_weeks),
                    "y": list(line.followup_values),
                    "name": label,
                    "legendgroup": name,
                    "connectgaps": False,
                    "line": {"width": 1.5, "color": _colour(i), "dash": "dot"},
                    "marker": {
                        "color": "white",
                        "size": 9,
                        "line": {"color": _colour(i), "width": 2},
                    },
                    "hovertemplate": f"{label}: %{{y}}<extra></extra>",
                }
            )
    fig: Figure = {"data": data, "layout": layout}
    if not any(v is not None for line in lines for v in line.values):
        _note(fig, _t(lang, "no_data"), 0.5, 14)
    return fig


def items_figure(
    lines: Sequence[tuple[str, Sequence[str], Sequence[float | None]]],
    lang: str,
    y_title: str,
    x_title: str = "",
    title: str | None = None,
) -> Figure:
    """Per cohort (name, item labels, values): one line of markers over the statements."""
    layout = _base(lang, y_title, height=340, title=title)
    layout["xaxis"] = {
        "type": "category",
        "automargin": True,
        "tickangle": 0,
        "title": {"text": esc(x_title)},
    }
    layout["hovermode"] = "closest"
    layout["legend"] = {"orientation": "h", "y": -0.35, "yanchor": "top", "x": 0}
    data: list[Figure] = []
    for i, (name, items, values) in enumerate(lines):
        label = esc(name)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": [esc(item) for item in items],
                "y": list(values),
                "name": label,
                "connectgaps": False,
                "line": {"width": 2, "color": _colour(i)},
                "marker": {"color": _colour(i), "size": 8},
                "hovertemplate": f"{label}: %{{y}}<extra></extra>",
            }
        )
    fig: Figure = {"data": data, "layout": layout}
    if not any(v is not None for _n, _i, values in lines for v in values):
        _note(fig, _t(lang, "no_data"), 0.5, 14)
    return fig
