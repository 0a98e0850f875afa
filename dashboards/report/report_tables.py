"""The impact report as tidy tables: one row per observation, empty cells for unknown values.

Written as CSV files (German Excel by default in German, or machine-readable) or as one Excel
workbook with real number and date cells. By default people appear under pseudonyms only
(``naming``); the named version for the programme team adds names, keys, handles and goal
titles, and its first row says that it is internal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dashboards.i18n import t
from dashboards.report.naming import Naming, naming
from dashboards.table_labels import Table, header, headers, readable_rows, write_tables
from tracker.cohort.cohort_summary import CohortSummary, PersonSummary
from tracker.explain import evidence_text
from tracker.metrics import Growth
from tracker.tabular import Sheet, flavour_for, workbook_bytes
from tracker.tabular.csv_writer import DEFAULT_TIMEZONE

logger = logging.getLogger(__name__)

GROWTH_COLUMNS = (
    "start_at",
    "start_value",
    "end_at",
    "end_value",
    "absolute",
    "percent",
    "weekly_percent",
    "late_start",
    "early_end",
    "gaps",
)
# What a ``kind`` column holds, per table (for its words in readable tables).
KINDS = {"milestones": {"kind": "milestone"}, "event_effects": {"kind": "event"}}


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _platforms(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def _growth_cols(prefix: str, g: Growth | None) -> dict[str, Any]:
    if g is None:
        return {f"{prefix}{n}": None for n in GROWTH_COLUMNS}
    return {
        f"{prefix}start_at": g.start_at,
        f"{prefix}start_value": g.start_value,
        f"{prefix}end_at": g.end_at,
        f"{prefix}end_value": g.end_value,
        f"{prefix}absolute": g.absolute,
        f"{prefix}percent": _r(g.percent),
        f"{prefix}weekly_percent": _pct(g.weekly),
        f"{prefix}late_start": g.late_start,
        f"{prefix}early_end": g.early_end,
        f"{prefix}gaps": len(g.gaps),
    }


def _who(names: Naming, person_id: int | None) -> dict[str, Any]:
    """The columns that say who a row is about: key and name, or the pseudonym alone."""
    if names.named:
        return {"person_key": names.key(person_id), "name": names.label(person_id)}
    return {"person": names.label(person_id)}


def _table(dicts: list[dict[str, Any]], columns: tuple[str, ...] = ()) -> Table:
    cols = tuple(dicts[0]) if dicts else columns
    return Table(cols, [tuple(d.get(c) for c in cols) for d in dicts])


def _people_rows(people: Iterable[PersonSummary], names: Naming) -> list[dict[str, Any]]:
    return [
        {
            **_who(names, p.person.id),
            "role": p.person.role,
            "platforms_kickoff": len(p.platforms_kickoff),
            "platforms_kickoff_list": _platforms(p.platforms_kickoff),
            "platforms_closing": len(p.platforms_closing),
            "platforms_closing_list": _platforms(p.platforms_closing),
            "posts_per_week_baseline": _r(p.posts_per_week_baseline),
            "posts_per_week_last_month": _r(p.posts_per_week_last_month),
            "posts_per_week_followup": _r(p.posts_per_week_followup),
            "followers_latest": p.followers_latest,
            "follower_growth_percent": _pct(p.follower_growth),
            "weekly_at_start": p.weekly_at_start,
            "weekly_at_end": p.weekly_at_end,
            "weekly_now": p.weekly_now,
            "goals_reached": p.goals_reached,
            "goals_total": len(p.goals),
            "milestones": len(p.milestones),
        }
        for p in people
    ]


def tables(summary: CohortSummary, lang: str = "de", named: bool = False) -> dict[str, Table]:
    """Every table of the report, by name (pseudonymous unless ``named``)."""
    names = naming(summary, lang, named)
    people = (*summary.mentees, *summary.comparison)
    roles = {p.person.id: p.person.role for p in people}
    per = summary.periods
    notice = t("report.internal" if named else "report.pseudonymous", lang)
    overview: list[tuple[str, Any]] = [
        ("notice", notice),
        ("cohort", summary.data.key),
        ("cohort_name", summary.data.name),
        ("kickoff", per.kickoff),
        ("closing", per.closing),
        ("reference_day", per.reference),
        ("closed", summary.closed),
        ("generated_on", summary.today),
        ("mentees", len(summary.mentees)),
        ("comparison_people", len(summary.comparison)),
        ("mean_platforms_kickoff", _r(summary.mean_platforms("kickoff"))),
        ("mean_platforms_closing", _r(summary.mean_platforms("closing"))),
        ("share_posting_weekly_start", _r(summary.share_weekly_start)),
        ("share_posting_weekly_end", _r(summary.share_weekly_end)),
        ("share_posting_weekly_now", _r(summary.share_weekly_now)),
        ("goals_reached", summary.goals_reached),
        ("goals_total", len(summary.goals)),
    ]
    handle = (lambda h: {"handle": h}) if named else (lambda h: {})
    growth = [
        {
            **_who(names, a.person_id),
            "role": roles[a.person_id],
            "platform": a.platform,
            **handle(a.handle),
            **_growth_cols("", a.growth),
            "coverage": _r(a.growth.coverage),
            **_growth_cols("followup_", a.followup),
        }
        for p in people
        for a in p.accounts
    ]
    platform_growth = [
        {
            "role": g.role,
            "platform": g.platform,
            "accounts": g.accounts,
            "measured": g.measured,
            "late_start": g.late_start,
            "with_gaps": g.with_gaps,
            "median_absolute": _r(g.median_absolute),
            "median_percent": _r(g.median_percent),
            "median_weekly_percent": _pct(g.median_weekly),
            "followup_weekly_percent": _pct(g.followup_weekly),
            "people": g.people,
            "posts_per_week_baseline": _r(g.posts_per_week_baseline),
            "posts_per_week_last_month": _r(g.posts_per_week_last_month),
            "engagement_baseline": _r(g.engagement_baseline),
            "engagement_baseline_people": g.engaged_baseline,
            "engagement_last_month": _r(g.engagement_last_month),
            "engagement_last_month_people": g.engaged_last_month,
        }
        for g in summary.platform_growth
    ]
    platform_posting = [
        {
            **_who(names, p.person.id),
            "role": p.person.role,
            "platform": f.platform,
            "posts_per_week_baseline": _r(f.posts_per_week_baseline),
            "posts_per_week_last_month": _r(f.posts_per_week_last_month),
            "engagement_baseline": _r(f.engagement_baseline),
            "engagement_last_month": _r(f.engagement_last_month),
        }
        for p in people
        for f in p.per_platform
    ]
    effects = [
        {
            "event_date": e.event_date,
            "kind": e.kind,
            "title": e.title,
            "metric": e.metric,
            "platform": e.platform,
            "before": _r(e.before),
            "after": _r(e.after),
            "change": _r(None if e.before is None or e.after is None else e.after - e.before),
            "people": e.people,
            "with_gaps": e.with_gaps,
            "complete": e.complete,
        }
        for e in summary.effects
    ]
    goals = [
        {
            **_who(names, g.mentee_id),
            # Goal titles are free text the tandem wrote: only in the internal version.
            **({"tandem_id": g.tandem_id, "title": g.title} if named else {}),
            "goal_id": g.goal_id,
            "kind": g.kind,
            "metric": g.metric,
            "platform": g.platform,
            "target": g.target,
            "weeks": g.weeks,
            "due": g.due,
            "status": g.status,
            "reached_on": g.reached_on,
            "evidence": "; ".join(evidence_text(e, lang) for e in g.evidence),
        }
        for g in summary.goals
    ]
    milestones = [
        {
            **_who(names, m.person_id),
            "kind": m.kind,
            "at": m.at,
            "platform": m.platform,
            "value": m.value,
        }
        for p in summary.mentees
        for m in p.milestones
    ]
    quality = [
        {
            **_who(names, a.person_id),
            "role": roles[a.person_id],
            "platform": a.platform,
            **handle(a.handle),
            "state": a.state,
            "first_seen": a.first_seen,
            "last_seen": a.last_seen,
            "coverage": _r(a.coverage),
            "gaps": a.gaps,
            "longest_gap_days": _r(a.longest_gap_days, 2),
            "attempts": a.attempts,
            "failed_attempts": a.failed,
            "last_outcome": a.last_outcome,
            "in_error": a.in_error,
        }
        for a in summary.accounts
    ]
    return {
        "summary": Table(("measure", "value"), list(overview)),
        "people": _table(_people_rows(people, names)),
        "growth": _table(growth),
        "platform_growth": _table(platform_growth),
        "platform_posting": _table(platform_posting),
        "event_effects": _table(effects),
        "goals": _table(goals),
        "milestones": _table(milestones),
        "data_quality": _table(quality),
    }


def _readable(name: str, table: Table, lang: str) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows for people: headings and codes in words."""
    rows = readable_rows(table, lang, KINDS.get(name))
    if name == "summary":
        rows = [[header(measure, lang), value] for measure, value in rows]
    return headers(table.columns, lang, True), rows


def write_csv(
    summary: CohortSummary,
    directory: Path,
    lang: str = "de",
    *,
    named: bool = False,
    machine: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[Path]:
    """One CSV file per table in ``directory`` (created); returns the paths. German readers get
    German Excel's dialect unless ``machine``."""
    directory.mkdir(parents=True, exist_ok=True)
    flavour = flavour_for(lang, machine, timezone)
    paths = write_tables(
        directory,
        tables(summary, lang, named),
        flavour,
        lambda name, table: _readable(name, table, lang),
    )
    logger.info("wrote %d tables to %s", len(paths), directory)
    return paths


def write_xlsx(
    summary: CohortSummary,
    path: Path,
    lang: str = "de",
    *,
    named: bool = False,
    timezone: str = DEFAULT_TIMEZONE,
) -> Path:
    """One workbook with a sheet per table: headings and states in words, real dates and
    numbers; the first sheet's first row says who may read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sheets = []
    for name, table in tables(summary, lang, named).items():
        head, rows = _readable(name, table, lang)
        sheets.append(Sheet(t(f"sheet.{name}", lang), head, rows))
    path.write_bytes(workbook_bytes(sheets, lang, timezone))
    return path
