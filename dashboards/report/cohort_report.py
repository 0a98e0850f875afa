"""Cohorts side by side, as the coordinator page shows them and as ``tracker report --cohorts``
writes them: one self-contained HTML file, CSV tables or one workbook.

Every figure comes from ``tracker.cohort.cohort_comparison`` (the single-cohort summary's
definitions, week by week from each kickoff and at the follow-up points); this module only
arranges and formats them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from plotly.offline import get_plotlyjs

from dashboards.charts.cohort_lines import CohortLine, cohorts_figure, items_figure
from dashboards.charts.layout import Figure
from dashboards.i18n import fmt_date, fmt_decimal, fmt_int, fmt_percent, t
from dashboards.report.html_report import _chart, _environment
from dashboards.static_files import plotly_locale_script
from dashboards.table_labels import Table, headers, readable_rows, write_tables
from tracker.cohort.cohort_comparison import CohortComparison, Figures, FollowUp, compare
from tracker.explain import platform_name
from tracker.programme.questionnaire import Questionnaire
from tracker.store.db import Database
from tracker.tabular import Sheet, flavour_for, workbook_bytes
from tracker.tabular.csv_writer import DEFAULT_TIMEZONE
from tracker.text import Section, language

logger = logging.getLogger(__name__)

FIGURE_COLUMNS = (
    "cohort",
    "cohort_name",
    "phase",
    "week",
    "months_after_closing",
    "day",
    "as_of_today",
    "mentees",
    "share_posting_weekly",
    "platforms_per_mentee",
    "goals_reached",
    "goals_total",
    "followed",
    "not_followed",
)
GROWTH_COLUMNS = (
    "cohort",
    "phase",
    "week",
    "months_after_closing",
    "day",
    "platform",
    "role",
    "median_percent",
    "n",
)


@dataclass(frozen=True)
class TextTable:
    """A table of formatted cells for people: headings, rows, and its id on the page."""

    ident: str
    heads: list[str]
    rows: list[list[str]]


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _followup_week(c: CohortComparison, f: FollowUp) -> float:
    return round((f.day - c.kickoff).days / 7, 2)


# -- tables for files --------------------------------------------------------------------------


def tables(comparisons: Sequence[CohortComparison]) -> dict[str, Table]:
    """The comparison as tidy tables: figures per cohort and week (and follow-up point),
    growth per platform and role, the self-assessment's change per item, events per cohort."""
    figures: list[tuple[Any, ...]] = []
    growth: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []

    def add(
        c: CohortComparison,
        phase: str,
        week: float,
        months: int | None,
        f: Figures,
        followed: tuple[int | None, int | None],
    ) -> None:
        as_of = phase == "programme" and not c.ended and f.day == c.today
        figures.append(
            (
                c.key,
                c.name,
                phase,
                week,
                months,
                f.day,
                as_of,
                f.mentees,
                _share(f.share_weekly),
                _r(f.platforms_per_mentee),
                f.goals_reached,
                f.goals_total,
                *followed,
            )
        )
        for g in f.growth:
            growth.append(
                (c.key, phase, week, months, f.day, g.platform, g.role, _r(g.median_percent), g.n)
            )

    for c in comparisons:
        for w in c.weeks:
            add(c, "programme", round(w.week, 2), None, w.figures, (None, None))
        for fu in c.followups:
            if fu.figures is not None:
                add(
                    c,
                    "followup",
                    _followup_week(c, fu),
                    fu.months,
                    fu.figures,
                    (fu.followed, fu.not_followed),
                )
        for item in c.self_assessment or ():
            changes.append(
                (
                    c.key,
                    item.item,
                    _r(item.median_start),
                    _r(item.median_end),
                    _r(item.median_change),
                    item.n,
                )
            )
        for e in c.events:
            events.append((c.key, round(e.week, 2), e.day, e.kind, e.title))
    return {
        "cohort_figures": Table(FIGURE_COLUMNS, figures),
        "cohort_growth": Table(GROWTH_COLUMNS, growth),
        "cohort_self_assessment": Table(
            ("cohort", "item", "median_start", "median_end", "median_change", "n"), changes
        ),
        "cohort_events": Table(("cohort", "week", "event_date", "kind", "title"), events),
    }


def _readable(name: str, table: Table, lang: str) -> tuple[list[str], list[list[Any]]]:
    rows = readable_rows(table, lang, {"kind": "event"} if name == "cohort_events" else None)
    if "phase" in table.columns:
        i = table.columns.index("phase")
        for row in rows:
            row[i] = t(f"compare.phase_{row[i]}", lang)
    return headers(table.columns, lang, True), rows


def write_csv(
    comparisons: Sequence[CohortComparison],
    directory: Path,
    lang: str = "de",
    *,
    machine: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[Path]:
    """One CSV file per table in ``directory`` (created); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    flavour = flavour_for(lang, machine, timezone)
    return write_tables(
        directory, tables(comparisons), flavour, lambda name, table: _readable(name, table, lang)
    )


def write_xlsx(
    comparisons: Sequence[CohortComparison],
    path: Path,
    lang: str = "de",
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> Path:
    """One workbook with a sheet per table, headings and codes in words."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sheets = []
    for name, table in tables(comparisons).items():
        head, rows = _readable(name, table, lang)
        sheets.append(Sheet(t(f"sheet.{name}", lang), head, rows))
    path.write_bytes(workbook_bytes(sheets, lang, timezone))
    return path


# -- what people read: the page and the HTML file ----------------------------------------------


def state_line(c: CohortComparison, lang: str) -> str:
    """ "Auftakt – Abschluss · abgeschlossen am …" or "… · Stand TT.MM.JJJJ"."""
    span = f"{fmt_date(c.kickoff, lang)} – {fmt_date(c.closing, lang)}"
    if c.ended:
        return f"{span} · {t('compare.ended', lang, day=fmt_date(c.closing, lang))}"
    return f"{span} · {t('report.as_of', lang, day=fmt_date(c.today, lang))}"


def _column_head(c: CohortComparison, lang: str) -> str:
    return f"{c.name} ({t('report.n', lang)} = {fmt_int(c.mentees, lang)})"


def _figure_cells(f: Figures | None, lang: str) -> list[str]:
    if f is None:
        return ["–"] * 3
    return [
        fmt_percent(f.share_weekly, lang),
        fmt_decimal(f.platforms_per_mentee, lang, 1),
        f"{fmt_int(f.goals_reached, lang)} {t('report.of', lang)} {fmt_int(f.goals_total, lang)}",
    ]


def _figure_labels(lang: str) -> list[str]:
    return [t("report.weekly", lang), t("compare.platforms", lang), t("compare.goals", lang)]


def final_table(comparisons: Sequence[CohortComparison], lang: str) -> TextTable:
    """Figures down, cohorts across: at the closing, or "Stand" today for a running cohort."""
    heads = ["", *(_column_head(c, lang) for c in comparisons)]
    # Each cohort's period and state ("Stand …") stand above the table (``state_line``).
    columns = [_figure_cells(c.final, lang) for c in comparisons]
    labels = _figure_labels(lang)
    rows = [[label, *(col[i] for col in columns)] for i, label in enumerate(labels)]
    return TextTable("cohorts-final", heads, rows)


def _all_platforms(comparisons: Sequence[CohortComparison]) -> list[str]:
    return sorted({p for c in comparisons for p in c.platforms})


def _measured_platforms(comparisons: Sequence[CohortComparison]) -> list[str]:
    """Platforms with a follower growth in some cohort (blogs tell no follower counts)."""
    return sorted(
        {
            g.platform
            for c in comparisons
            for f in (
                *(w.figures for w in c.weeks),
                *(fu.figures for fu in c.followups if fu.figures),
            )
            for g in f.growth
            if g.n
        }
    )


def _growth_cell(f: Figures | None, platform: str, role: str, lang: str) -> str:
    g = f.growth_on(platform, role) if f is not None else None
    if g is None or g.n == 0:
        return "–"
    value = "–" if g.median_percent is None else f"{fmt_decimal(g.median_percent, lang, 1)} %"
    return f"{value} ({t('report.n', lang)} = {g.n})"


def growth_table(comparisons: Sequence[CohortComparison], lang: str) -> TextTable:
    """Median follower growth per platform since the kickoff, mentees and comparison group."""
    heads = ["", *(_column_head(c, lang) for c in comparisons)]
    rows = []
    for platform in _all_platforms(comparisons):
        name = platform_name(platform, lang)
        rows.append([name, *(_growth_cell(c.final, platform, "mentee", lang) for c in comparisons)])
        if any(c.final.growth_on(platform, "comparison") for c in comparisons):
            rows.append(
                [
                    f"{name}: {t('compare.comparison_group', lang)}",
                    *(_growth_cell(c.final, platform, "comparison", lang) for c in comparisons),
                ]
            )
    return TextTable("cohorts-growth", heads, rows)


def followup_table(comparisons: Sequence[CohortComparison], lang: str) -> TextTable | None:
    """Per ended cohort and follow-up point: who is still followed, and the figures over them
    (growth since the closing). None when no cohort has ended."""
    ended = [c for c in comparisons if c.followups]
    if not ended:
        return None
    platforms = _measured_platforms(ended)
    heads = [
        t("compare.cohort", lang),
        t("compare.followup", lang),
        t("compare.followed", lang),
        t("compare.not_followed", lang),
        *_figure_labels(lang),
        *(
            t("compare.growth_since_closing", lang, platform=platform_name(p, lang))
            for p in platforms
        ),
    ]
    rows = []
    for c in ended:
        for f in c.followups:
            when = t("compare.months_after", lang, months=f.months)
            if not f.reached:
                rows.append(
                    [
                        c.name,
                        when,
                        t("compare.not_yet", lang, day=fmt_date(f.day, lang)),
                        *([""] * (len(heads) - 3)),
                    ]
                )
                continue
            rows.append(
                [
                    c.name,
                    f"{when} ({fmt_date(f.day, lang)})",
                    fmt_int(f.followed, lang),
                    fmt_int(f.not_followed, lang),
                    *_figure_cells(f.figures, lang),
                    *(_growth_cell(f.figures, p, "mentee", lang) for p in platforms),
                ]
            )
    return TextTable("cohorts-followup", heads, rows)


def events_table(comparisons: Sequence[CohortComparison], lang: str) -> TextTable:
    from dashboards.charts import event_label

    heads = [t("compare.cohort", lang), t("compare.week", lang), t("table.day", lang), ""]
    rows = [
        [
            c.name,
            fmt_decimal(e.week, lang, 1),
            fmt_date(e.day, lang),
            event_label(e.kind, e.title, lang),
        ]
        for c in comparisons
        for e in c.events
    ]
    return TextTable("cohorts-events", heads, rows)


def self_assessment_table(
    comparisons: Sequence[CohortComparison], lang: str, questionnaire: Questionnaire
) -> TextTable | None:
    """Median change per statement (n) per cohort; None when no cohort has one."""
    having = [c for c in comparisons if c.self_assessment]
    if not having:
        return None
    labels = {i.id: i.text(lang) for i in questionnaire.items}
    items = list(dict.fromkeys(ch.item for c in having for ch in c.self_assessment or ()))
    heads = [t("table.item", lang), *(_column_head(c, lang) for c in comparisons)]
    rows = []
    for item in items:
        cells = []
        for c in comparisons:
            ch = next((x for x in c.self_assessment or () if x.item == item), None)
            cells.append(
                "–"
                if ch is None or ch.median_change is None
                else f"{fmt_decimal(ch.median_change, lang, 1)} ({t('report.n', lang)} = {ch.n})"
            )
        number = items.index(item) + 1
        rows.append([f"{number}. {labels.get(item, item)}", *cells])
    return TextTable("cohorts-self-assessment", heads, rows)


def charts(
    comparisons: Sequence[CohortComparison], lang: str, questionnaire: Questionnaire
) -> list[tuple[str, Figure]]:
    """(title, figure) per figure: one line per cohort over the weeks since its kickoff."""
    x_title = t("compare.weeks_axis", lang)
    followup_name = t("compare.followup_series", lang)

    def lines(value: Any, followup: bool = True) -> list[CohortLine]:
        out = []
        for c in comparisons:
            reached = [f for f in c.followups if f.figures is not None] if followup else []
            out.append(
                CohortLine(
                    c.name,
                    [w.week for w in c.weeks],
                    [value(w.figures) for w in c.weeks],
                    [_followup_week(c, f) for f in reached],
                    [value(f.figures) for f in reached],
                )
            )
        return out

    out: list[tuple[str, Figure]] = []
    specs: list[tuple[str, str, Any, bool]] = [
        (
            t("compare.share_weekly", lang),
            "%",
            lambda f: None if f.share_weekly is None else round(f.share_weekly * 100, 1),
            True,
        ),
        (t("compare.platforms", lang), "", lambda f: f.platforms_per_mentee, True),
        (t("compare.goals", lang), "", lambda f: f.goals_reached, True),
    ]
    for platform in _measured_platforms(comparisons):

        def growth(f: Figures, p: str = platform) -> float | None:
            g = f.growth_on(p)
            return None if g is None or g.median_percent is None else round(g.median_percent, 1)

        # Follow-up growth counts from the closing: not drawn on the since-kickoff line.
        specs.append(
            (
                t("compare.growth_on", lang, platform=platform_name(platform, lang)),
                t("compare.growth_axis", lang),
                growth,
                False,
            )
        )
    for title, y_title, value, followup in specs:
        fig = cohorts_figure(lines(value, followup), lang, y_title, x_title, followup_name)
        out.append((title, fig))
    having = [c for c in comparisons if c.self_assessment]
    if having:
        # Statements by their number in the self-assessment table: whole sentences do not fit
        # under a chart on a phone.
        items = list(dict.fromkeys(ch.item for c in having for ch in c.self_assessment or ()))
        labels = {item: str(i + 1) for i, item in enumerate(items)}
        out.append(
            (
                t("compare.self_assessment", lang),
                items_figure(
                    [
                        (
                            c.name,
                            [labels.get(x.item, x.item) for x in c.self_assessment or ()],
                            [x.median_change for x in c.self_assessment or ()],
                        )
                        for c in having
                    ],
                    lang,
                    t("compare.change_axis", lang),
                    t("table.item", lang),
                ),
            )
        )
    return out


def render_html(
    comparisons: Sequence[CohortComparison], lang: str, questionnaire: Questionnaire
) -> str:
    """The comparison as one HTML document (plotly.js embedded, nothing loaded from outside)."""
    lang = language(lang)
    context = {
        "lang": lang,
        "t": Section("compare", lang),
        "cohorts": [(c, state_line(c, lang)) for c in comparisons],
        "final": final_table(comparisons, lang),
        "growth": growth_table(comparisons, lang),
        "followup": followup_table(comparisons, lang),
        "events": events_table(comparisons, lang),
        "self_assessment": self_assessment_table(comparisons, lang, questionnaire),
        "charts": [(title, _chart(fig)) for title, fig in charts(comparisons, lang, questionnaire)],
        "plotlyjs": get_plotlyjs() + plotly_locale_script(lang),
        "generated": fmt_date(comparisons[0].today, lang) if comparisons else "",
    }
    return _environment().get_template("cohorts.html").render(**context)


def write_cohorts_report(
    db: Database,
    keys: Sequence[str],
    out: Path,
    fmt: str = "html",
    lang: str = "de",
    today: date | None = None,
    *,
    machine: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
    questionnaire: Questionnaire | None = None,
) -> list[Path]:
    """Compare the cohorts ``keys`` and write ``html`` (one file), ``csv`` (a directory of
    tables) or ``xlsx`` (one workbook); returns the paths. Raises ValueError for an unknown
    format and NotFoundError for an unknown cohort."""
    if fmt not in ("html", "csv", "xlsx"):
        raise ValueError(f"unknown report format {fmt!r}")
    questionnaire = questionnaire or Questionnaire()
    with db.session() as session:
        found = compare(session, keys, today, questionnaire)
    if fmt == "csv":
        return write_csv(found, out, lang, machine=machine, timezone=timezone)
    if fmt == "xlsx":
        return [write_xlsx(found, out, lang, timezone=timezone)]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(found, lang, questionnaire), encoding="utf-8")
    logger.info("cohort comparison written to %s", out)
    return [out]
