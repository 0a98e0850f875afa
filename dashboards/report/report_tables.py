"""The impact report as tidy tables: one row per observation, English column names, empty
cells for unknown values. Written as CSV files or one Excel workbook."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from tracker.cohort.cohort_summary import CohortSummary, PersonSummary
from tracker.explain import evidence_text
from tracker.metrics import Growth

logger = logging.getLogger(__name__)

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _iso(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.isoformat()


def _platforms(values: Iterable[str]) -> str:
    return ";".join(sorted(values))


def _growth_cols(prefix: str, g: Growth | None) -> dict[str, Any]:
    if g is None:
        return {}
    return {
        f"{prefix}start_at": _iso(g.start_at),
        f"{prefix}start_value": g.start_value,
        f"{prefix}end_at": _iso(g.end_at),
        f"{prefix}end_value": g.end_value,
        f"{prefix}absolute": g.absolute,
        f"{prefix}percent": _r(g.percent),
        f"{prefix}weekly_percent": _pct(g.weekly),
        f"{prefix}late_start": g.late_start,
        f"{prefix}early_end": g.early_end,
        f"{prefix}gaps": len(g.gaps),
    }


def _people_rows(people: Iterable[PersonSummary]) -> list[dict[str, Any]]:
    return [
        {
            "person_key": p.person.key,
            "name": p.person.name,
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


def tables(summary: CohortSummary, lang: str = "de") -> dict[str, pd.DataFrame]:
    """Every table of the report, by name."""
    people = (*summary.mentees, *summary.comparison)
    keys = {p.person.id: p.person.key for p in people}
    roles = {p.person.id: p.person.role for p in people}
    per = summary.periods
    overview = [
        ("cohort", summary.data.key),
        ("cohort_name", summary.data.name),
        ("kickoff", per.kickoff.isoformat()),
        ("closing", per.closing.isoformat()),
        ("reference_day", per.reference.isoformat()),
        ("closed", summary.closed),
        ("generated_on", summary.today.isoformat()),
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
    growth = [
        {
            "person_key": keys[a.person_id],
            "role": roles[a.person_id],
            "platform": a.platform,
            "handle": a.handle,
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
            "person_key": p.person.key,
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
            "event_date": e.event_date.isoformat(),
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
            "person_key": keys.get(g.mentee_id),
            "tandem_id": g.tandem_id,
            "goal_id": g.goal_id,
            "title": g.title,
            "kind": g.kind,
            "metric": g.metric,
            "platform": g.platform,
            "target": g.target,
            "weeks": g.weeks,
            "due": _iso(g.due),
            "status": g.status,
            "reached_on": _iso(g.reached_on),
            "evidence": "; ".join(evidence_text(e, lang) for e in g.evidence),
        }
        for g in summary.goals
    ]
    milestones = [
        {
            "person_key": keys[m.person_id],
            "kind": m.kind,
            "at": m.at.isoformat(),
            "platform": m.platform,
            "value": m.value,
        }
        for p in summary.mentees
        for m in p.milestones
    ]
    quality = [
        {
            "person_key": keys[a.person_id],
            "role": roles[a.person_id],
            "platform": a.platform,
            "handle": a.handle,
            "state": a.state,
            "first_seen": _iso(a.first_seen),
            "last_seen": _iso(a.last_seen),
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
        "summary": pd.DataFrame(overview, columns=["measure", "value"]),
        "people": pd.DataFrame(_people_rows(people)),
        "growth": pd.DataFrame(growth),
        "platform_growth": pd.DataFrame(platform_growth),
        "platform_posting": pd.DataFrame(platform_posting),
        "event_effects": pd.DataFrame(effects),
        "goals": pd.DataFrame(goals),
        "milestones": pd.DataFrame(milestones),
        "data_quality": pd.DataFrame(quality),
    }


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_safe_cell)
    return out


def write_csv(summary: CohortSummary, directory: Path, lang: str = "de") -> list[Path]:
    """One CSV file per table in ``directory`` (created); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tables(summary, lang).items():
        path = directory / f"{name}.csv"
        _safe(frame).to_csv(path, index=False)
        paths.append(path)
    logger.info("wrote %d tables to %s", len(paths), directory)
    return paths


def write_xlsx(summary: CohortSummary, path: Path, lang: str = "de") -> Path:
    """One workbook with a sheet per table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables(summary, lang).items():
            _safe(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return path
