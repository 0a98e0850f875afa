"""The impact report of a cohort: one self-contained HTML file (plotly.js embedded once,
nothing loaded from the internet), or tidy CSV tables, or one Excel workbook.

German by default, English with ``lang="en"``. Every name, handle and title is escaped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.offline import get_plotlyjs

from dashboards.charts import (
    SMALL_POINTS,
    Figure,
    Line,
    before_after_figure,
    event_effects_figure,
    event_label,
    events_of,
    kept_points,
    milestones_figure,
    small_multiples_figure,
)
from dashboards.i18n import t
from dashboards.report.naming import Naming, naming
from dashboards.report.report_tables import write_csv, write_xlsx
from dashboards.static_files import plotly_locale_script
from tracker.cohort.cohort_summary import CohortSummary, PersonSummary, load_summary
from tracker.cohort.event_effects import effect_key, effect_platforms, effects_by_event
from tracker.cohort.self_assessment_change import ItemChange
from tracker.cohort.self_assessment_view import cohort_change_span
from tracker.explain import (
    describe_milestone,
    evidence_text,
    explain_metric,
    explain_milestone,
    format_date,
    format_number,
    platform_name,
    status_label,
)
from tracker.metrics import Counts, as_moment, median_or_none, on_grid
from tracker.programme.questionnaire import Questionnaire
from tracker.store.db import Database
from tracker.tabular.csv_writer import DEFAULT_TIMEZONE
from tracker.text import Section, language, text_or

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent.parent / "templates"
SMALL_MULTIPLES_PER_FIGURE = 24
PER_PERSON_BARS_UP_TO = 40
# Save as PNG and reset only: nothing that could send the data elsewhere.
PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "modeBarButtons": [["toImage", "resetScale2d"]],
}
DAY_NS = 86_400 * 10**9


@dataclass(frozen=True)
class Chart:
    """A figure's HTML fragment (a div and the script that draws it, no plotly.js)."""

    html: str


def build_summary(db: Database, cohort_key: str, today: date | None = None) -> CohortSummary:
    """Load the cohort and compute every figure; raises NotFoundError for an unknown cohort."""
    with db.session() as session:
        return load_summary(session, cohort_key, today)


def _chart(fig: Figure) -> Chart:
    # The figure is a plain dict built by dashboards.charts: embedded as it is, unvalidated.
    return Chart(
        pio.to_html(
            fig, include_plotlyjs=False, full_html=False, config=PLOT_CONFIG, validate=False
        )
    )


def _median(values: Sequence[float | None]) -> float | None:
    return median_or_none(values)


def _num(lang: str) -> Callable[..., str]:
    def fmt(value: float | None, digits: int = 1) -> str:
        return format_number(value, lang, digits)

    return fmt


def _percent(value: float | None, lang: str, digits: int = 1) -> str:
    return "–" if value is None else f"{format_number(value * 100, lang, digits)} %"


def thin(values: np.ndarray, max_points: int = SMALL_POINTS) -> np.ndarray:
    """Positions of the points ``charts.downsample`` keeps of a series (NaN = gap) with
    ``max_points`` (the same code: ``charts.kept_points``). Thinning the grid before any label
    is made keeps the figure the same while the full daily line is never built."""
    return kept_points(np.isnan(values), max_points)


def small_line(counts: Counts, start: int, end: int, platform: str) -> Line:
    """Daily follower counts from ``start`` to ``end`` (int64 ns), as few points as the small
    multiples draw (None = no known count that day)."""
    grid, values = on_grid(counts, DAY_NS, start, end)
    keep = thin(values)
    days = grid[keep].astype("datetime64[ns]").astype("datetime64[D]").astype(str).tolist()
    ys = [None if v != v else v for v in values[keep].tolist()]  # NaN is the only v != v
    return Line(platform, tuple(days), tuple(ys))


def _panels(
    summary: CohortSummary, people: Sequence[PersonSummary], names: Naming
) -> list[tuple[str, list[Line]]]:
    per = summary.periods
    start = _ns(per.baseline[0])
    end = _ns(per.followup[1] if per.followup else per.cohort[1])
    rows = {a.account_id: a for a in summary.data.rows}
    panels = []
    for p in people:
        lines = []
        for a in p.accounts:
            acc = rows.get(a.account_id)
            counts = acc.counts() if acc is not None else None
            if counts is None or not len(counts.times):
                continue
            lines.append(small_line(counts, start, end, a.platform))
        panels.append((names.label(p.person.id), lines))
    return panels


def _ns(moment: pd.Timestamp) -> int:
    return int(as_moment(moment).as_unit("ns").value)


def end_label(summary: CohortSummary, lang: str) -> str:
    """ "zum Abschluss" once the closing has come, "Stand TT.MM.JJJJ" (today) before."""
    text = Section("report", lang)
    if summary.closed:
        return text["at_closing"]
    return text["as_of"].format(day=format_date(summary.today, lang))


def charts(summary: CohortSummary, lang: str, names: Naming | None = None) -> dict[str, Any]:
    """The report's figures as HTML fragments; people shown as ``names`` says (pseudonyms by
    default)."""
    names = names or naming(summary, lang)
    text = Section("report", lang)
    mentees = summary.mentees
    growth = [g for g in summary.platform_growth if g.role == "mentee"]
    cohort_rows = [
        (
            text["posts_per_week"],
            summary.median("posts_per_week_baseline")[0],
            summary.median("posts_per_week_last_month")[0],
        ),
        *(
            (
                text["engagement_on"].format(platform=platform_name(g.platform, lang)),
                g.engagement_baseline,
                g.engagement_last_month,
            )
            for g in growth
            if g.engaged_baseline or g.engaged_last_month
        ),
        (
            text["platforms"],
            summary.mean_platforms("kickoff"),
            summary.mean_platforms("closing"),
        ),
    ]
    out: dict[str, Any] = {
        "before_after_cohort": _chart(
            before_after_figure(cohort_rows, lang, title=text["cohort_median"])
        )
    }
    if len(mentees) <= PER_PERSON_BARS_UP_TO:
        out["before_after_posts"] = _chart(
            before_after_figure(
                [
                    (
                        names.label(p.person.id),
                        p.posts_per_week_baseline,
                        p.posts_per_week_last_month,
                    )
                    for p in mentees
                ],
                lang,
                title=text["posts_per_week"],
            )
        )
    out["effects"] = [
        _chart(event_effects_figure(summary.effects, metric, lang, title=title))
        for metric, title in (
            ("posts_per_week", text["posts_per_week"]),
            ("follower_growth", text["metric_followers"]),
        )
    ]
    # Engagement per platform, never pooled: one chart per platform measured.
    for platform in effect_platforms(summary.effects):
        on = [e for e in summary.effects if e.metric == "engagement" and e.platform == platform]
        title = text["engagement_on"].format(platform=platform_name(platform, lang))
        out["effects"].append(_chart(event_effects_figure(on, "engagement", lang, title=title)))
    labels = {p.person.id: names.label(p.person.id) for p in mentees}
    out["milestones"] = _chart(milestones_figure(summary.milestones, labels, lang))
    panels = _panels(summary, mentees, names)
    events = events_of(summary.data.events)
    out["small_multiples"] = [
        # The lines are thinned already (max_points=0: drawn as they are).
        _chart(
            small_multiples_figure(
                panels[i : i + SMALL_MULTIPLES_PER_FIGURE], events, lang, max_points=0
            )
        )
        for i in range(0, len(panels), SMALL_MULTIPLES_PER_FIGURE)
    ]
    return out


def _growth_rows(summary: CohortSummary) -> list[tuple[str, Any, Any]]:
    """Per platform: the cohort's and the comparison group's growth, side by side."""
    mentee = {g.platform: g for g in summary.platform_growth if g.role == "mentee"}
    other = {g.platform: g for g in summary.platform_growth if g.role == "comparison"}
    return [(p, mentee.get(p), other.get(p)) for p in sorted(set(mentee) | set(other))]


def _effect_rows(summary: CohortSummary, lang: str) -> list[tuple[str, date, bool, dict[str, Any]]]:
    """Per event: its label, day, whether the window after it has passed, and its effects by
    :func:`effect_key`."""
    return [
        (event_label(e.kind, e.title, lang), e.event_date, e.complete, e.by_key)
        for e in effects_by_event(summary.effects)
    ]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def self_assessment_rows(
    db: Database, summary: CohortSummary, questionnaire: Questionnaire
) -> tuple[str, list[tuple[str, ItemChange]]] | None:
    """The later round compared with the kickoff (the closing, or the midpoint before the
    closing round has begun, as on the programme page) and the cohort's median change per
    self-assessment item (no names, no free text); None when the questionnaire is off."""
    with db.session() as session:
        span = cohort_change_span(session, questionnaire, summary.data.cohort_id, summary.today)
    if span is None:
        return None
    end, changes = span
    return end, [(c.item, c) for c in changes]


def render_html(
    summary: CohortSummary,
    lang: str = "de",
    named: bool = False,
    self_assessment: Sequence[tuple[str, ItemChange]] | None = None,
    questionnaire: Questionnaire | None = None,
    self_assessment_end: str = "closing",
) -> str:
    """The whole report as one HTML document: pseudonyms only, unless ``named`` (the
    programme team's internal version, marked as such at its top); with ``self_assessment``
    (item id and change, from ``self_assessment_rows``) it holds the cohort's median change per
    item."""
    lang = language(lang)
    names = naming(summary, lang, named)
    items = {i.id: i for i in (questionnaire or Questionnaire()).items}
    labelled = (
        None
        if self_assessment is None
        else [(items[k].text(lang) if k in items else k, c) for k, c in self_assessment]
    )
    context = {
        "named": named,
        "notice": t("report.internal" if named else "report.pseudonymous", lang),
        "lang": lang,
        "t": Section("report", lang),
        "s": summary,
        "per": summary.periods,
        "charts": charts(summary, lang, names),
        "plotlyjs": get_plotlyjs() + plotly_locale_script(lang),
        "num": _num(lang),
        "pct": lambda v, d=1: _percent(v, lang, d),
        "day": lambda d: "–" if d is None else format_date(d, lang),
        "platform": lambda p: platform_name(p, lang),
        "status": lambda s: status_label(s, lang).title,
        "state": lambda s: text_or("state", s, lang),
        "outcome": lambda s: text_or("outcome", s, lang),
        "evidence": lambda e: evidence_text(e, lang),
        "milestone": lambda m: describe_milestone(m, lang),
        "event_label": lambda kind, title: event_label(kind, title, lang),
        "explain_metric": lambda k: explain_metric(k, lang),
        "explain_milestone": lambda k: explain_milestone(k, None, lang),
        "metric_keys": (
            "follower_growth",
            "posts_per_week",
            "engagement",
            "adoption",
            "consistency",
            "posting_weekly",
            "event_effect",
            "coverage",
            "gap",
        ),
        "names": names.labels,
        "growth_rows": _growth_rows(summary),
        "effect_rows": _effect_rows(summary, lang),
        "effect_platforms": effect_platforms(summary.effects),
        "end_label": end_label(summary, lang),
        "problems": [a for a in summary.accounts if a.in_error or a.gaps],
        "mean_coverage": _median([a.coverage for a in summary.accounts]),
        "few": len(summary.mentees) <= PER_PERSON_BARS_UP_TO,
        "self_assessment": labelled,
        "sa_midpoint": self_assessment_end == "midpoint",
    }
    env = _environment()
    env.filters["platform_name"] = lambda p: platform_name(p, lang)
    env.filters["evidence_text"] = lambda e: evidence_text(e, lang)
    env.filters["effect_column"] = lambda p: effect_key("engagement", p)
    return env.get_template("report.html").render(**context)


def report_html(
    db: Database,
    summary: CohortSummary,
    lang: str,
    questionnaire: Questionnaire,
    *,
    named: bool = False,
) -> str:
    """The whole report as one HTML document, with the cohort's self-assessment changes."""
    span = self_assessment_rows(db, summary, questionnaire)
    end, rows = span if span is not None else ("closing", None)
    return render_html(
        summary,
        lang,
        named=named,
        self_assessment=rows,
        questionnaire=questionnaire,
        self_assessment_end=end,
    )


def write_report(
    db: Database,
    cohort_key: str,
    out: Path,
    fmt: str = "html",
    lang: str = "de",
    today: date | None = None,
    *,
    named: bool = False,
    machine: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
    questionnaire: Questionnaire | None = None,
) -> list[Path]:
    """Build the report and write it as ``html`` (one file), ``csv`` (a directory of tables)
    or ``xlsx`` (one workbook); returns the paths written. Pseudonymous unless ``named``;
    CSV for German Excel in German unless ``machine``. Raises ValueError for an unknown
    format and NotFoundError for an unknown cohort."""
    if fmt not in ("html", "csv", "xlsx"):
        raise ValueError(f"unknown report format {fmt!r}")
    summary = build_summary(db, cohort_key, today)
    if fmt == "csv":
        return write_csv(summary, out, lang, named=named, machine=machine, timezone=timezone)
    if fmt == "xlsx":
        return [write_xlsx(summary, out, lang, named=named, timezone=timezone)]
    out.parent.mkdir(parents=True, exist_ok=True)
    questionnaire = questionnaire or Questionnaire()
    out.write_text(report_html(db, summary, lang, questionnaire, named=named), encoding="utf-8")
    logger.info("report written to %s", out)
    return [out]
