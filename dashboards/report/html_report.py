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
from dashboards.report.report_tables import write_csv, write_xlsx
from dashboards.static_files import plotly_locale_script
from tracker.cohort.cohort_summary import CohortSummary, PersonSummary, summarise
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
from tracker.store.db import Database
from tracker.store.read_cohort import load_cohort

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

TEXT: dict[str, dict[str, str]] = {
    "de": {
        "title": "Wirkungsbericht",
        "summary": "Zusammenfassung",
        "mentees": "Mentees",
        "platforms": "Aktive Plattformen je Mentee (Durchschnitt)",
        "at_kickoff": "beim Auftakt",
        "at_closing": "zum Abschluss",
        "weekly": "Anteil der Mentees, die wöchentlich posten",
        "at_start": "zu Beginn",
        "at_end": "am Ende",
        "goals_reached": "Erreichte Ziele",
        "of": "von",
        "growth_by_platform": "Follower-Wachstum je Plattform (Median)",
        "platform": "Plattform",
        "accounts": "Konten",
        "late": "davon später begonnen",
        "abs": "Zuwachs",
        "pct": "Prozent",
        "weekly_rate": "pro Woche",
        "comparison": "Vergleichsgruppe",
        "cohort": "Kohorte",
        "before_after": "Vorher und nachher",
        "before_after_intro": "Die vier Wochen vor dem Auftakt im Vergleich mit dem letzten Monat.",
        "effects": "Wirkung der Veranstaltungen",
        "goals": "Ziele der Tandems",
        "goal": "Ziel",
        "status": "Stand",
        "evidence": "Belege",
        "milestones": "Lernschritte im Zeitverlauf",
        "per_mentee": "Entwicklung je Mentee",
        "person": "Person",
        "followup": "Nach dem Programm: Hält das Wachstum?",
        "followup_intro": "Wachstum pro Woche während des Programms und seit dem Abschluss.",
        "during": "während",
        "since": "seit Abschluss",
        "quality": "Datenqualität",
        "quality_intro": "Wie vollständig die Zahlen sind. Fehlende Tage werden nicht geschätzt.",
        "coverage": "Abdeckung",
        "gaps": "Lücken",
        "errors": "Konten mit Fehlern",
        "state": "Zustand",
        "last_outcome": "letzter Abruf",
        "none": "keine",
        "explanations": "Was die Zahlen bedeuten",
        "generated": "Erstellt am",
        "period": "Zeitraum",
        "posts_per_week": "Beiträge pro Woche",
        "engagement": "Interaktionsrate (Median, %)",
        "baseline": "vor dem Auftakt",
        "last_month": "letzter Monat",
        "no_goals": "Noch keine Ziele eingetragen.",
        "no_data": "Keine Daten",
        "partial": "Zeitraum noch nicht vorbei",
        "handle": "Konto",
        "measure": "Kennzahl",
        "cohort_median": "Median der Kohorte",
        "metric_followers": "Follower-Wachstum pro Woche (%)",
    },
    "en": {
        "title": "Impact report",
        "summary": "Summary",
        "mentees": "Mentees",
        "platforms": "Active platforms per mentee (mean)",
        "at_kickoff": "at kickoff",
        "at_closing": "at closing",
        "weekly": "Share of mentees posting weekly",
        "at_start": "at the start",
        "at_end": "at the end",
        "goals_reached": "Goals reached",
        "of": "of",
        "growth_by_platform": "Follower growth per platform (median)",
        "platform": "Platform",
        "accounts": "Accounts",
        "late": "of them started later",
        "abs": "Gained",
        "pct": "Percent",
        "weekly_rate": "per week",
        "comparison": "Comparison group",
        "cohort": "Cohort",
        "before_after": "Before and after",
        "before_after_intro": "The four weeks before the kickoff against the last month.",
        "effects": "Effect of the events",
        "goals": "Tandem goals",
        "goal": "Goal",
        "status": "Status",
        "evidence": "Evidence",
        "milestones": "Learning milestones over time",
        "per_mentee": "Each mentee",
        "person": "Person",
        "followup": "After the programme: did the growth hold?",
        "followup_intro": "Weekly growth during the programme and since the closing.",
        "during": "during",
        "since": "since closing",
        "quality": "Data quality",
        "quality_intro": "How complete the counts are. Missing days are never estimated.",
        "coverage": "Coverage",
        "gaps": "Gaps",
        "errors": "Accounts in error",
        "state": "State",
        "last_outcome": "last poll",
        "none": "none",
        "explanations": "What the figures mean",
        "generated": "Generated on",
        "period": "Period",
        "posts_per_week": "Posts per week",
        "engagement": "Engagement rate (median, %)",
        "baseline": "before kickoff",
        "last_month": "last month",
        "no_goals": "No goals set yet.",
        "no_data": "No data",
        "partial": "period not over yet",
        "handle": "Account",
        "measure": "Measure",
        "cohort_median": "Cohort median",
        "metric_followers": "Weekly follower growth (%)",
    },
}


@dataclass(frozen=True)
class Chart:
    """A figure's HTML fragment (a div and the script that draws it, no plotly.js)."""

    html: str


def build_summary(db: Database, cohort_key: str, today: date | None = None) -> CohortSummary:
    """Load the cohort and compute every figure; raises NotFoundError for an unknown cohort."""
    today = today or date.today()
    with db.session() as session:
        data = load_cohort(session, cohort_key)
    return summarise(data, today)


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
    summary: CohortSummary, people: Sequence[PersonSummary]
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
        panels.append((p.person.name, lines))
    return panels


def _ns(moment: pd.Timestamp) -> int:
    return int(as_moment(moment).as_unit("ns").value)


def charts(summary: CohortSummary, lang: str) -> dict[str, Any]:
    """The report's figures as HTML fragments."""
    text = TEXT[lang]
    mentees = summary.mentees
    cohort_rows = [
        (
            text["posts_per_week"],
            _median([p.posts_per_week_baseline for p in mentees]),
            _median([p.posts_per_week_last_month for p in mentees]),
        ),
        (
            text["engagement"],
            _median([p.engagement_baseline for p in mentees]),
            _median([p.engagement_last_month for p in mentees]),
        ),
        (
            TEXT[lang]["platforms"],
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
                    (p.person.name, p.posts_per_week_baseline, p.posts_per_week_last_month)
                    for p in mentees
                ],
                lang,
                title=text["posts_per_week"],
            )
        )
        out["before_after_engagement"] = _chart(
            before_after_figure(
                [(p.person.name, p.engagement_baseline, p.engagement_last_month) for p in mentees],
                lang,
                title=text["engagement"],
            )
        )
    out["effects"] = [
        _chart(event_effects_figure(summary.effects, metric, lang, title=title))
        for metric, title in (
            ("posts_per_week", text["posts_per_week"]),
            ("follower_growth", text["metric_followers"]),
            ("engagement", text["engagement"]),
        )
    ]
    names = {p.person.id: p.person.name for p in mentees}
    out["milestones"] = _chart(milestones_figure(summary.milestones, names, lang))
    panels = _panels(summary, mentees)
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
    """Per event: its label, day, whether the window after it has passed, and its effects."""
    rows: dict[tuple[date, str, str], dict[str, Any]] = {}
    complete: dict[tuple[date, str, str], bool] = {}
    for e in summary.effects:
        key = (e.event_date, e.kind, e.title)
        rows.setdefault(key, {})[e.metric] = e
        complete[key] = e.complete
    return [
        (event_label(kind, title, lang), day, complete[(day, kind, title)], metrics)
        for (day, kind, title), metrics in rows.items()
    ]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def render_html(summary: CohortSummary, lang: str = "de") -> str:
    """The whole report as one HTML document."""
    lang = lang if lang in TEXT else "de"
    context = {
        "lang": lang,
        "t": TEXT[lang],
        "s": summary,
        "per": summary.periods,
        "charts": charts(summary, lang),
        "plotlyjs": get_plotlyjs() + plotly_locale_script(lang),
        "num": _num(lang),
        "pct": lambda v, d=1: _percent(v, lang, d),
        "day": lambda d: "–" if d is None else format_date(d, lang),
        "platform": lambda p: platform_name(p, lang),
        "status": lambda s: status_label(s, lang).title,
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
        "names": {p.person.id: p.person.name for p in (*summary.mentees, *summary.comparison)},
        "growth_rows": _growth_rows(summary),
        "effect_rows": _effect_rows(summary, lang),
        "problems": [a for a in summary.accounts if a.in_error or a.gaps],
        "mean_coverage": _median([a.coverage for a in summary.accounts]),
        "few": len(summary.mentees) <= PER_PERSON_BARS_UP_TO,
    }
    env = _environment()
    env.filters["platform_name"] = lambda p: platform_name(p, lang)
    env.filters["evidence_text"] = lambda e: evidence_text(e, lang)
    return env.get_template("report.html").render(**context)


def write_report(
    db: Database,
    cohort_key: str,
    out: Path,
    fmt: str = "html",
    lang: str = "de",
    today: date | None = None,
) -> list[Path]:
    """Build the report and write it as ``html`` (one file), ``csv`` (a directory of tables)
    or ``xlsx`` (one workbook); returns the paths written. Raises ValueError for an unknown
    format and NotFoundError for an unknown cohort."""
    if fmt not in ("html", "csv", "xlsx"):
        raise ValueError(f"unknown report format {fmt!r}")
    summary = build_summary(db, cohort_key, today)
    if fmt == "csv":
        return write_csv(summary, out, lang)
    if fmt == "xlsx":
        return [write_xlsx(summary, out, lang)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(summary, lang), encoding="utf-8")
    logger.info("report written to %s", out)
    return [out]
