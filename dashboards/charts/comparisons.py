"""Comparison charts: before/after an event, baseline against last month, milestones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from dashboards.charts.event_marks import event_label
from dashboards.charts.layout import GRID, Figure, _axis, _base, _t, esc
from tracker.explain import explain_milestone, platform_name
from tracker.metrics.milestones import MILESTONE_KINDS, Milestone


class EffectLike(Protocol):
    """An event effect: ``tracker.metrics.EventEffect`` or
    ``tracker.cohort.cohort_summary.CohortEffect``."""

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
