"""Report and goal commands: ``tracker report``, ``tracker goals add/list/done``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from tracker.cli.command_context import State, console, state
from tracker.errors import NotFoundError
from tracker.text import LANGUAGES, plural, text

REPORT_FORMATS = ("html", "csv", "xlsx")


def _language(st: State, given: str | None, document: bool = False) -> str:
    """The command's --lang, else the config's ``[tracker] language`` for a document (the
    report), the language of messages for a table on the terminal."""
    if given is None:
        return st.config.tracker.language if document else st.lang
    if given not in LANGUAGES:
        raise typer.BadParameter(st.t("bad_lang"), param_hint="--lang")
    return given


def report(
    ctx: typer.Context,
    cohort: str = typer.Option(None, "--cohort", help="Key of the cohort."),
    cohorts: str = typer.Option(
        None,
        "--cohorts",
        help="Compare cohorts side by side instead: their keys, comma-separated "
        "(e.g. 2025,2026), aligned on each kickoff, with the follow-up of those that ended.",
    ),
    out: Path = typer.Option(
        ..., "--out", help="HTML or XLSX file to write; a directory for --format csv."
    ),
    fmt: str = typer.Option("html", "--format", help="html, csv or xlsx."),
    lang: str = typer.Option(
        None, "--lang", help="de or en [default: tracker.language of the config]."
    ),
    today: str = typer.Option(
        None, "--today", help="Report as of this day (YYYY-MM-DD) [default: today]."
    ),
    named: bool = typer.Option(
        False,
        "--named",
        help="Internal version for the programme team: names, keys, accounts and goal titles "
        "(marked internal). Without it people appear as pseudonyms (Mentee A, B, ...).",
    ),
    machine: bool = typer.Option(
        False,
        "--machine",
        help="CSV for programs: ',' separator, ISO times in UTC, English column names "
        "[default in German: CSV for German Excel].",
    ),
) -> None:
    """Write the cohort's impact report: one self-contained HTML file, CSV tables or a workbook.

    By default the report is for funders: cohort figures and pseudonyms, no names. With
    --cohorts it compares cohorts instead (cohort figures only)."""
    if (cohort is None) == (cohorts is None):
        raise typer.BadParameter(
            "give either --cohort KEY or --cohorts KEY,KEY", param_hint="--cohort"
        )
    if cohorts is not None and named:
        raise typer.BadParameter("the comparison holds no names", param_hint="--named")
    if fmt not in REPORT_FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(REPORT_FORMATS)}", param_hint="--format")
    ctx_state = state(ctx)
    lang = _language(ctx_state, lang, document=True)
    day = ctx_state.day(today, "--today")
    # Lazy: the tracker package imports dashboards only inside the commands that render.
    from dashboards.report.html_report import write_report

    common: dict[str, Any] = {
        "fmt": fmt,
        "lang": lang,
        "today": day,
        "machine": machine,
        "timezone": ctx_state.config.tracker.timezone,
        "questionnaire": ctx_state.config.self_assessment,
    }
    if cohorts is not None:
        from dashboards.report.cohort_report import write_cohorts_report

        paths = write_cohorts_report(ctx_state.db, cohorts.split(","), out, **common)
        for path in paths:
            console.print(f"wrote {escape(str(path))}")
        return
    paths = write_report(ctx_state.db, cohort, out, named=named, **common)
    for path in paths:
        console.print(escape(text("cli.report.wrote", lang, path=path)))


def goals_add(
    ctx: typer.Context,
    tandem: str = typer.Option(..., "--tandem", help="Mentee key or tandem id."),
    title: str = typer.Option(..., "--title", help="What the goal is, in words."),
    metric: str = typer.Option(
        None,
        "--metric",
        help="Checked from the data: posts_per_week, followers or start_platform. "
        "Without it the goal is ticked by hand.",
    ),
    platform: str = typer.Option(None, "--platform", help="Platform of a metric goal."),
    target: float = typer.Option(None, "--target", help="Posts a week, or followers."),
    weeks: int = typer.Option(None, "--weeks", help="Weeks running (posts_per_week)."),
    due: str = typer.Option(
        None, "--due", help="Due day YYYY-MM-DD [followers: the cohort's closing]."
    ),
    by: str = typer.Option(None, "--by", help="Who set the goal (person key or email)."),
) -> None:
    """Add a goal to a tandem."""
    from tracker.programme.goals import add_goal, find_tandem

    st = state(ctx)
    due_day = st.day(due, "--due")
    with st.db.write() as session:
        found = find_tandem(session, tandem)
        goal = add_goal(
            session,
            tandem_id=found.id,
            title=title,
            metric=metric,
            platform=platform,
            target=target,
            weeks=weeks,
            due=due_day,
            created_by=by,
        )
        console.print(escape(st.t("goals.added", goal=goal.id, tandem=found.id, title=goal.title)))


def goals_list(
    ctx: typer.Context,
    cohort: str = typer.Option(None, "--cohort", help="Only this cohort."),
    tandem: str = typer.Option(None, "--tandem", help="Only this tandem (mentee key or id)."),
    lang: str = typer.Option(
        None, "--lang", help="de or en [default: tracker.language of the config]."
    ),
    today: str = typer.Option(None, "--today", help="Status as of YYYY-MM-DD [default: today]."),
) -> None:
    """List goals with their status and evidence."""
    from tracker.explain import evidence_text, format_date, status_label
    from tracker.programme.goals import GoalSpec, check_goals, find_tandem
    from tracker.store.models import Cohort, Goal, Person, Tandem

    st = state(ctx)
    lang = _language(st, lang)
    day = st.day(today, "--today") or date.today()
    with st.db.session() as session:
        stmt = (
            select(Goal, Tandem.mentee_id, Person.key)
            .join(Tandem, Tandem.id == Goal.tandem_id)
            .join(Person, Person.id == Tandem.mentee_id)
            .order_by(Goal.tandem_id, Goal.id)
        )
        if cohort:
            found = session.scalar(select(Cohort).where(Cohort.key == cohort))
            if found is None:
                raise NotFoundError(f"no cohort with key {cohort!r}")
            stmt = stmt.where(Tandem.cohort_id == found.id)
        if tandem:
            stmt = stmt.where(Tandem.id == find_tandem(session, tandem).id)
        rows = session.execute(stmt).all()
        keys = {int(mentee): key for _, mentee, key in rows}
        goals = [(GoalSpec.of(goal), int(mentee)) for goal, mentee, _ in rows]
        # Each mentee's rows are read and checked in turn, never the whole cohort's at once.
        statuses = check_goals(session, goals, day)
    table = Table(title=text("cli.goals.title", lang))
    for col in ("id", "mentee", "goal", "status", "evidence"):
        table.add_column(text(f"cli.goals.col.{col}", lang))
    for s in statuses:
        label = status_label(s.status, lang).title
        if s.reached_on:
            label += f" ({format_date(s.reached_on, lang)})"
        table.add_row(
            str(s.goal_id),
            escape(keys[s.mentee_id]),
            escape(s.title),
            label,
            escape("; ".join(evidence_text(e, lang) for e in s.evidence)),
        )
    console.print(table)
    console.print(plural("cli.goals.count", len(statuses), lang))


def goals_done(
    ctx: typer.Context,
    goal_id: int = typer.Argument(..., help="Id of the manual goal (see `tracker goals list`)."),
    by: str = typer.Option(..., "--by", help="Who ticks it (person key or email)."),
) -> None:
    """Tick a manual goal as reached."""
    from tracker.programme.goals import mark_done

    st = state(ctx)
    with st.db.write() as session:
        goal = mark_done(session, goal_id, by)
        console.print(escape(st.t("goals.done", goal=goal.id, title=goal.title)))


def register(app: typer.Typer) -> None:
    app.command()(report)
    goals_app = typer.Typer(help="Tandem goals.", no_args_is_help=True)
    goals_app.command("add")(goals_add)
    goals_app.command("list")(goals_list)
    goals_app.command("done")(goals_done)
    app.add_typer(goals_app, name="goals")
