"""The cohort summary (``tracker.cohort.cohort_summary``) shaped for the programme page: table
rows per mentee, one small line per mentee, and the sort order of the table.

Every figure here comes from the summary, computed once in ``tracker`` for the page, the impact
report and the CLI alike; this module only picks and orders them for display."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboards.charts import EventMark, Line, events_of
from dashboards.report.html_report import small_line
from tracker.cohort.cohort_summary import CohortSummary, PersonSummary
from tracker.metrics import as_moment
from tracker.store.read_arrays import AccountData


@dataclass(frozen=True)
class MenteeRow:
    key: str
    name: str
    platforms: int
    followers: int | None
    growth: float | None  # fraction since the kickoff, over accounts known at both ends
    posts_week: float | None  # the last month
    goals_reached: int
    goals_total: int
    problems: int  # accounts that need attention


@dataclass(frozen=True)
class CohortView:
    summary: CohortSummary
    rows: tuple[MenteeRow, ...]
    lines: tuple[tuple[str, Line | None], ...]  # (mentee name, her largest account's line)
    events: tuple[EventMark, ...]


def _row(p: PersonSummary, today: date) -> MenteeRow:
    return MenteeRow(
        key=p.person.key,
        name=p.person.name,
        platforms=len(p.accounts),
        followers=p.followers_latest,
        growth=p.follower_growth,
        posts_week=p.posts_per_week_last_month,
        goals_reached=p.goals_reached,
        goals_total=len(p.goals),
        problems=p.attention(today),
    )


def _largest_line(
    p: PersonSummary, rows: dict[int, AccountData], start: int, end: int
) -> Line | None:
    """The daily line of her account with the most followers at last count (None: no count)."""
    best: tuple[int, Line | None] = (-1, None)
    for a in p.accounts:
        acc = rows.get(a.account_id)
        counts = acc.counts() if acc is not None else None
        if counts is None or not len(counts.values) or int(counts.values[-1]) <= best[0]:
            continue
        best = (int(counts.values[-1]), small_line(counts, start, end, a.platform))
    return best[1]


def cohort_view(summary: CohortSummary) -> CohortView:
    """The summary's mentees as table rows and small lines from 28 days before the kickoff to
    the reference day (or today, after the closing)."""
    per = summary.periods
    start = int(as_moment(per.baseline[0]).as_unit("ns").value)
    end = int(as_moment((per.followup or per.cohort)[1]).as_unit("ns").value)
    rows = {a.account_id: a for a in summary.data.rows}
    mentees = summary.mentees
    return CohortView(
        summary,
        tuple(_row(p, summary.today) for p in mentees),
        tuple((p.person.name, _largest_line(p, rows, start, end)) for p in mentees),
        events_of(summary.data.events),
    )


SORT_KEYS = ("name", "followers", "growth", "posts_week", "goals", "problems")


def sort_rows(rows: tuple[MenteeRow, ...], key: str) -> list[MenteeRow]:
    """Rows by ``key``: names A-Z, numbers largest first, unknown values last."""
    if key == "name" or key not in SORT_KEYS:
        return sorted(rows, key=lambda r: r.name.casefold())

    def value(row: MenteeRow) -> float | None:
        if key == "goals":
            return float(row.goals_reached)
        raw = getattr(row, key)
        return None if raw is None else float(raw)

    known = [r for r in rows if value(r) is not None]
    unknown = [r for r in rows if value(r) is None]
    return sorted(known, key=lambda r: value(r) or 0.0, reverse=True) + unknown
