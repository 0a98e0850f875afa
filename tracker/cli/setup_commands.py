"""Set-up commands: check, db upgrade, roster, demo, status."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from connectors.base import utcnow
from tracker.cli.command_context import State, console, state
from tracker.programme.roster import import_roster, read_roster_file
from tracker.store.db import Database
from tracker.text.formatting import fmt_int


def check(
    ctx: typer.Context,
    live: bool = typer.Option(
        False,
        "--live",
        help="Also call each enabled platform once: reachable, authenticated, rate limit left.",
    ),
) -> None:
    """Check the config file and the database, and say what to fix."""
    st = state(ctx)
    config = st.config
    console.print(escape(st.t("check.config", source=config.source or st.t("check.no_config"))))
    problem = st.raw_db().check()
    url = st.raw_db().engine.url.render_as_string()
    if problem:
        console.print(escape(st.t("check.database_problem", url=url, problem=problem)))
        raise typer.Exit(3)
    console.print(escape(st.t("check.database_ok", url=url)))
    from tracker.ops.backup_schedule import backup_status, backup_warnings

    for warning in backup_warnings(backup_status(st.raw_db(), config), st.lang):
        console.print(f"[yellow]{escape(st.t('check.backup_warning', warning=warning))}[/yellow]")
    from tracker.mail.smtp import mail_problems

    mail = mail_problems(config)
    for line in mail:
        console.print(f"mail: {escape(line)}")
    if mail:
        raise typer.Exit(2)
    if live:
        from tracker.polling.livecheck import live_check

        def mark(value: bool | None) -> str:
            return "–" if value is None else (st.t("yes") if value else f"[red]{st.t('no')}[/red]")

        table = Table(title=st.t("check.live_title"))
        for col in ("platform", "reachable", "authenticated", "rate", "message"):
            table.add_column(st.t(f"check.col.{col}"))
        rows = live_check(config)
        for row in rows:
            table.add_row(
                row.platform,
                mark(row.reachable),
                mark(row.authenticated),
                "–" if row.rate_remaining is None else str(row.rate_remaining),
                escape(row.message),
            )
        console.print(table)
        if any(r.reachable is False or r.authenticated is False for r in rows):
            raise typer.Exit(1)


def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database schema to the newest version."""
    st = state(ctx)
    db = st.raw_db()
    db.upgrade()
    console.print(escape(st.t("db.up_to_date", url=db.engine.url.render_as_string())))


def roster_import(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ...,
        help="CSV with key, name, role, email, cohort, partner, "
        "consent and one column per platform (German or English headers).",
    ),
) -> None:
    """Import people, tandems, consent and handles from a roster CSV (idempotent)."""
    rows = read_roster_file(file)
    st = state(ctx)
    with st.db.write() as session:
        changes = import_roster(session, rows, str(file))
    console.print(escape(st.n("roster.imported", len(rows), file=file, changes=changes.summary())))


def roster_sync(ctx: typer.Context) -> None:
    """Write the config's cohorts, people and tandems into the database (idempotent)."""
    from tracker.programme.structure import apply_config

    st = state(ctx)
    with st.db.write() as session:
        changes = apply_config(session, st.config)
    console.print(
        escape(
            st.t("roster.synced", source=st.config.source or "config", changes=changes.summary())
        )
    )


DEMO_DIR = Path("data")


def demo(
    ctx: typer.Context,
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard after."),
    seed: int = typer.Option(7, "--seed", help="Seed of the simulation (same seed, same demo)."),
    port: int = typer.Option(8050, "--port", help="Port of the dashboard."),
) -> None:
    """Build a fictional demo programme (14 tandems, final weeks) and serve its dashboard."""
    from tracker.demo import demo_programme as demo_mod
    from tracker.store.db import Database

    st = state(ctx)
    url = st.db_url
    if url is None:
        DEMO_DIR.mkdir(exist_ok=True)
        target = DEMO_DIR / "demo.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{target}"
    db = Database(url)
    db.upgrade()
    profiles = DEMO_DIR / "demo-profiles.json"
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("polling the simulated history", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        plan, changes = demo_mod.build(db, seed=seed, profiles_file=profiles, progress=tick)
    config_file = DEMO_DIR / "demo.toml"
    demo_mod.write_demo_config(config_file, url, profiles, seed, port)
    console.print(f"demo built in {url}: {changes.summary()}")
    console.print(
        f"cohort {plan.cohort.name!r}: {plan.cohort.start} to {plan.cohort.end}, "
        f"{len(plan.tandems)} tandems, {len(plan.accounts)} accounts"
    )
    console.print(f"config for further commands: --config {config_file}")
    _demo_letters(db, config_file)
    if serve:
        from tracker.cli.web_commands import (
            serve_demo,  # lazy: tracker imports dashboards only here
        )

        serve_demo(db, config_file, port)


def _demo_letters(db: Database, config_file: Path) -> None:
    """Previews of this week's letters: a mentee's, her mentor's and the coordinator's."""
    from tracker.config import load_config
    from tracker.mail.delivery import write_previews
    from tracker.mail.weeks import current_week

    config = load_config(config_file)
    week = current_week(utcnow(), config.mail, config.tracker.timezone)
    paths = write_previews(
        db, config, week, DEMO_DIR / "letters", ("mentee-01", "mentor-01", "coordinator")
    )
    for path in paths:
        console.print(f"weekly letter preview: {path.resolve().as_uri()}")


def status(ctx: typer.Context) -> None:
    """People, accounts, state and last snapshot; what needs action."""
    from tracker.polling.poll_status import account_statuses, people_without_accounts

    st = state(ctx)
    with st.db.session() as session:
        rows = account_statuses(session, utcnow())
        lonely = people_without_accounts(session)
    table = Table(title=st.t("status.title"), show_lines=False)
    for col in (
        "person",
        "platform",
        "handle",
        "state",
        "consent",
        "followers",
        "last_snapshot",
        "last_poll",
    ):
        table.add_column(st.t(f"status.col.{col}"))
    never = st.t("never")
    for r in rows:
        table.add_row(
            escape(r.person_key),
            r.platform,
            escape(r.handle),
            r.state,
            st.t("yes") if r.consent else st.t("no"),
            fmt_int(r.followers, st.lang),
            r.last_snapshot.strftime("%Y-%m-%d %H:%M") if r.last_snapshot else never,
            f"{r.last_attempt:%Y-%m-%d %H:%M} {r.last_outcome}" if r.last_attempt else never,
        )
    console.print(table)
    actions = [r for r in rows if r.action]
    if actions:
        console.print(f"[bold]{escape(st.t('status.needs_action'))}[/bold]")
        for r in actions:
            why = f" ({r.state_reason})" if r.state in ("auth_failed", "paused") else ""
            console.print(
                escape(f"- {r.person_key} {r.platform} {r.handle}: {r.action}{why}"), soft_wrap=True
            )
    for person in lonely:
        console.print(escape(st.t("status.no_accounts", person=person.key)))
    _print_engine_state(st)
    width = shutil.get_terminal_size().columns
    console.print(st.n("status.accounts", len(rows))[:width])


def _print_engine_state(st: State) -> None:
    """Paused platforms and the scheduler's heartbeat, under the status table."""
    from tracker.polling.heartbeat import read_health
    from tracker.polling.poll_status import platform_pauses

    db = st.db
    now = utcnow()
    with db.session() as session:
        pauses = platform_pauses(session, now)
    for p in pauses:
        until = f"{p.until:%Y-%m-%d %H:%M}"
        console.print(escape(st.t("status.paused", scope=p.scope, until=until, reason=p.reason)))
    health = read_health(db, now)
    if health.heartbeat_age_seconds is None:
        console.print(escape(st.t("status.no_scheduler")))
    else:
        seconds = f"{health.heartbeat_age_seconds:.0f}"
        console.print(escape(st.t("status.heartbeat", seconds=seconds, status=health.status)))


def register(app: typer.Typer) -> None:
    app.command()(check)
    db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade)
    app.add_typer(db_app, name="db")
    roster_app = typer.Typer(help="People, tandems and accounts.", no_args_is_help=True)
    roster_app.command("import")(roster_import)
    roster_app.command("sync")(roster_sync)
    app.add_typer(roster_app, name="roster")
    app.command()(demo)
    app.command()(status)
