"""Polling commands: ``tracker poll`` (one pass now) and ``tracker run`` (long-running)."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from connectors.base import utcnow
from tracker.cli.command_context import console, state
from tracker.errors import NotFoundError, TrackerError
from tracker.polling.engine import OUTCOME_COLUMNS, AccountJob, Engine, PassSummary

HEADINGS = {
    "ok": "ok",
    "not_found": "not found",
    "unavailable": "unavailable",
    "rate_limited": "rate limited",
    "auth_failed": "auth failed",
    "error": "errors",
    "deferred": "deferred",
}


def summary_table(summary: PassSummary) -> Table:
    """One row per platform, one column per outcome, and a total row."""
    table = Table(title="Polls per platform")
    table.add_column("platform")
    for outcome in OUTCOME_COLUMNS:
        table.add_column(HEADINGS[outcome], justify="right")
    for platform in sorted(summary.counts):
        counts = summary.counts[platform]
        table.add_row(platform, *(str(counts[o]) for o in OUTCOME_COLUMNS))
    table.add_row("all", *(str(summary.total(o)) for o in OUTCOME_COLUMNS), style="bold")
    return table


def poll(
    ctx: typer.Context,
    platform: str = typer.Option(None, "--platform", help="Only accounts on this platform."),
    person: str = typer.Option(None, "--person", help="Only this person's accounts (key)."),
    account: int = typer.Option(None, "--account", help="Only this account (id)."),
) -> None:
    """Poll the accounts once now (profile and posts) and show what happened per platform."""
    from tracker.polling.workers import claim, poll_claimed, worker_name

    st = state(ctx)
    db, config = st.db, st.config
    worker = worker_name("poll")
    engine = Engine.from_config(db, config, worker=worker)
    claimed = claim(
        db,
        worker,
        utcnow(),
        schedule=engine.schedule,
        force=True,
        platform=platform,
        person=person,
        account=account,
    )
    if not claimed.jobs:
        if claimed.no_consent:
            console.print(f"{claimed.no_consent} account(s) not polled: no consent recorded")
            return
        what = " ".join(
            f"{k} {v}"
            for k, v in (("platform", platform), ("person", person), ("account", account))
            if v is not None
        )
        raise NotFoundError(
            f"no account to poll{' for ' + what if what else ''} (see `tracker status`; "
            "accounts polled by another process right now are skipped)"
        )
    with Progress(
        TextColumn("polling"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(claimed.jobs))

        def advance(job: AccountJob) -> None:
            progress.update(task, advance=1, description=job.platform)

        summary = poll_claimed(engine, claimed, worker, advance)
    console.print(summary_table(summary))
    if claimed.no_consent:
        console.print(f"{claimed.no_consent} account(s) not polled: no consent recorded")
    if summary.total("auth_failed"):
        console.print("credentials need action: see `tracker status`")


def run(
    ctx: typer.Context,
    worker: bool = typer.Option(
        False,
        "--worker",
        help="Only claim and poll due accounts (PostgreSQL; beside one scheduler).",
    ),
    tick: float = typer.Option(30.0, "--tick", help="Seconds between looks for due accounts."),
    exit_when_idle: bool = typer.Option(
        False, "--exit-when-idle", hidden=True, help="Worker: stop when nothing is due."
    ),
    batch: int = typer.Option(50, "--batch", hidden=True, help="Worker: accounts per claim."),
) -> None:
    """Run the scheduler: poll due accounts, keep a heartbeat, purge expired data daily.

    Stops cleanly on SIGTERM or Ctrl-C after the requests in flight.
    """
    from tracker.polling.scheduler import run_scheduler, run_worker

    st = state(ctx)
    db, config = st.db, st.config
    if worker:
        if db.dialect != "postgresql":
            raise TrackerError(
                "--worker shares the work through PostgreSQL; with SQLite run `tracker run` "
                "alone (it polls by itself)"
            )
        polled = run_worker(
            db, config, batch=batch, idle=min(tick, 5.0), exit_when_idle=exit_when_idle
        )
        console.print(f"worker stopped after polling {polled} account(s)")
        return
    console.print(f"scheduler running on {db.engine.url.render_as_string()} (Ctrl-C stops)")
    run_scheduler(db, config, tick_seconds=tick)
    console.print("scheduler stopped")


def register(app: typer.Typer) -> None:
    app.command()(poll)
    app.command()(run)
