"""The weekly letter: ``tracker mail preview|send|optin|optout|history``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tracker.cli.command_context import console, state
from tracker.cli.privacy_commands import operator
from tracker.errors import MailError


def _week(text: str | None, ctx: typer.Context):  # type: ignore[no-untyped-def]
    from connectors.base import utcnow
    from tracker.mail.weeks import current_week, parse_week

    config = state(ctx).config
    if text is None:
        return current_week(utcnow(), config.mail, config.tracker.timezone)
    return parse_week(text, config.mail)


def preview(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's key."),
    week: str = typer.Option(
        None, "--week", help="ISO week such as 2026-W48 [default: this week]."
    ),
    out: Path = typer.Option(..., "--out", help="HTML file to write (the chart is embedded)."),
) -> None:
    """Write a person's letter as an HTML file, without sending or recording anything."""
    import os

    from tracker.mail.compose import preview_html
    from tracker.mail.delivery import preview as compose_preview

    st = state(ctx)
    lw = _week(week, ctx)
    secret = os.environ.get(st.config.web.secret_key_env) or None
    letter = compose_preview(st.db, st.config, person, lw, secret)
    if letter is None:
        raise MailError(f"{person!r} has nothing to report for {lw.label} (no cohort or tandem)")
    out.write_text(preview_html(letter), encoding="utf-8")
    console.print(f"{escape(letter.subject)}: written to {escape(str(out))}")


def send(
    ctx: typer.Context,
    week: str = typer.Option(
        None, "--week", help="ISO week such as 2026-W48 [default: this week]."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Say who would get a letter; send nothing."
    ),
) -> None:
    """Send the week's letters to everyone who agreed (each letter once, whatever happens)."""
    from tracker.mail.delivery import dry_run as plan_only
    from tracker.mail.delivery import send_week
    from tracker.mail.smtp import SmtpTransport
    from tracker.mail.tokens import letter_secret

    st = state(ctx)
    lw = _week(week, ctx)
    if dry_run:
        table = Table(title=f"Wochenbrief {lw.label} ({lw.start} to {lw.last_day})")
        for col in ("person", "role", "letter"):
            table.add_column(col)
        for key, role, what in plan_only(st.db, st.config, lw):
            table.add_row(escape(key), role, what)
        console.print(table)
        return
    transport = SmtpTransport.from_config(st.config)
    report = send_week(st.db, st.config, transport, letter_secret(st.config), lw)
    console.print(
        f"{lw.label}: {report.planned} recorded, {len(report.sent)} sent, "
        f"{len(report.failed)} failed (retried by `tracker run`), "
        f"{len(report.given_up)} given up, {len(report.skipped)} skipped"
    )
    if report.failed or report.given_up:
        raise typer.Exit(1)


def optin(ctx: typer.Context, person: str = typer.Argument(..., help="The person's key.")) -> None:
    """Record that a person agreed to receive the weekly letter."""
    from tracker.mail.optin import give_optin

    changed = give_optin(state(ctx).db, person, operator())
    console.print(f"{escape(person)}: weekly letter on" + ("" if changed else " (already)"))


def optout(ctx: typer.Context, person: str = typer.Argument(..., help="The person's key.")) -> None:
    """Record that a person wants no more letters: the next one is not sent."""
    from tracker.mail.optin import withdraw_optin

    changed = withdraw_optin(state(ctx).db, person, operator())
    console.print(f"{escape(person)}: weekly letter off" + ("" if changed else " (already)"))


def history(
    ctx: typer.Context, person: str = typer.Argument(..., help="The person's key.")
) -> None:
    """A person's opt-in history for the weekly letter."""
    from tracker.mail.optin import optin_history

    for entry in optin_history(state(ctx).db, person):
        by = escape(entry.recorded_by or "–")
        console.print(f"{entry.recorded_at:%Y-%m-%d %H:%M} UTC {entry.action} by {by}")


def register(app: typer.Typer) -> None:
    mail_app = typer.Typer(help="The weekly letter (Wochenbrief) by e-mail.", no_args_is_help=True)
    mail_app.command("preview")(preview)
    mail_app.command("send")(send)
    mail_app.command("optin")(optin)
    mail_app.command("optout")(optout)
    mail_app.command("history")(history)
    app.add_typer(mail_app, name="mail")
