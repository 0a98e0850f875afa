"""Data-protection commands: ``tracker consent give|withdraw|list`` and
``tracker privacy export|erase|purge|audit``."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tracker.cli.command_context import State, console, err_console, state
from tracker.errors import PrivacyError
from tracker.text.formatting import fmt_int


def operator() -> str:
    """Who runs the command, as recorded in the consent history and the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in some containers
        return "cli"


def _day(text: str | None, ctx: typer.Context) -> date:
    """An ISO date from the command line, or today in the programme's time zone."""
    from tracker.privacy.retention import local_today

    if text is None:
        return local_today(state(ctx).config)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PrivacyError(state(ctx).t("consent.bad_day", value=repr(text))) from None


def _platforms(text: str | None) -> list[str] | None:
    return None if text is None else text.split(",")


def _platform_label(st: State, platforms: tuple[str, ...] | None) -> str:
    return st.t("all") if platforms is None else ",".join(platforms)


def consent_give(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's key."),
    on: str = typer.Option(None, "--on", help="Date consent was given [default: today]."),
    platforms: str = typer.Option(
        None, "--platforms", help="Comma-separated platforms it covers [default: all]."
    ),
) -> None:
    """Record that a person consents to being tracked (from --on, for --platforms)."""
    from tracker.privacy import give_consent

    st = state(ctx)
    status = give_consent(st.db, person, _day(on, ctx), _platforms(platforms), operator())
    platform_label = _platform_label(st, status.platforms)
    console.print(
        escape(
            st.t(
                "consent.given",
                person=status.person_key,
                day=status.given,
                platforms=platform_label,
            )
        )
    )


def consent_withdraw(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's key."),
    on: str = typer.Option(None, "--on", help="Date of the withdrawal [default: today]."),
) -> None:
    """Record that a person withdraws consent: polling her accounts stops from that day."""
    from tracker.privacy import withdraw_consent

    st = state(ctx)
    status = withdraw_consent(st.db, person, _day(on, ctx), operator())
    console.print(escape(st.t("consent.withdrawn", person=status.person_key, day=status.withdrawn)))


def consent_list(ctx: typer.Context) -> None:
    """Everyone's consent: given, withdrawn, platforms, and whether polling runs today."""
    from tracker.privacy import consent_list as list_consent

    st = state(ctx)
    from tracker.privacy.retention import local_today

    today = local_today(st.config)
    table = Table(title=st.t("consent.title"))
    for col in ("person", "name", "role", "cohort", "given", "withdrawn", "platforms", "polled"):
        # Keys and dates stay whole on a narrow terminal; the name wraps instead.
        table.add_column(st.t(f"consent.col.{col}"), no_wrap=col != "name")
    rows = list_consent(st.db)
    for r in rows:
        table.add_row(
            escape(r.person_key),
            escape(r.display_name),
            r.role,
            escape(r.cohort_key or "–"),
            str(r.given or "–"),
            str(r.withdrawn or "–"),
            _platform_label(st, r.platforms) if r.given else "–",
            st.t("yes") if r.active_on(today) else st.t("no"),
        )
    console.print(table)
    active = fmt_int(sum(r.active_on(today) for r in rows), st.lang)
    console.print(st.n("consent.count", len(rows), active=active))


def privacy_export(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's key."),
    out: Path = typer.Option(..., "--out", help="The ZIP file to write."),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
) -> None:
    """Write every row about a person into a ZIP (JSON and CSV per table, README inside)."""
    from tracker.privacy import write_export

    st = state(ctx)
    size = write_export(
        st.db,
        person,
        out,
        overwrite=force,
        viewer=operator(),
        viewer_role="coordinator",
        surface="cli:privacy export",
    )
    console.print(
        escape(st.t("privacy.exported", file=out, person=person, size=fmt_int(size, st.lang)))
    )


def _counts_table(
    st: State, title: str, deleted: dict[str, int], rewritten: dict[str, int]
) -> Table:
    table = Table(title=escape(title))
    table.add_column(st.t("privacy.col.table"))
    table.add_column(st.t("privacy.col.rows"), justify="right")
    for name, n in deleted.items():
        table.add_row(name, fmt_int(n, st.lang))
    for name, n in rewritten.items():
        table.add_row(st.t("privacy.pseudonymised", table=name), fmt_int(n, st.lang))
    return table


def privacy_erase(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's key."),
    yes: bool = typer.Option(False, "--yes", help="Really delete; without it, only show what."),
) -> None:
    """Delete every row about a person; without --yes, show what would be deleted."""
    from tracker.privacy import erase_person

    st = state(ctx)
    plan = erase_person(st.db, person, dry_run=not yes, by=operator())
    title = st.t(
        "privacy.would_delete" if plan.dry_run else "privacy.deleted",
        name=plan.display_name,
        person=plan.person_key,
    )
    console.print(_counts_table(st, title, dict(plan.deleted), dict(plan.pseudonymised)))
    if plan.dry_run:
        console.print(escape(st.n("privacy.dry_run", plan.total_deleted, person=person)))
    else:
        console.print(escape(st.n("privacy.erased", plan.total_deleted, pseudonym=plan.pseudonym)))
        _mirror_erasure_log(ctx)


def _mirror_erasure_log(ctx: typer.Context) -> None:
    """Copy the erasure log beside the backups, so a restore after losing the database still
    erases her again; a failure is a warning, the erasure itself stands."""
    from tracker.errors import BackupError
    from tracker.ops.erasure_log import mirror_to_file

    st = state(ctx)
    if not st.config.backup.directory:
        return
    try:
        mirror_to_file(st.db, Path(st.config.backup.directory))
    except BackupError as exc:
        err_console.print(escape(st.t("warning", warning=exc)))


def privacy_purge(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be deleted only."),
) -> None:
    """Delete the people of cohorts past retention (retention.months_after_cohort)."""
    from tracker.privacy import purge_expired

    st = state(ctx)
    report = purge_expired(st.db, st.config, dry_run=dry_run, by=operator())
    for cohort in report.cohorts:
        console.print(
            escape(
                st.t(
                    "privacy.cohort_kept", cohort=cohort.key, end=cohort.end, kept=cohort.kept_until
                )
            )
        )
    if not report.people:
        console.print(st.n("privacy.nothing_expired", report.months, day=report.today))
        return
    key = "privacy.purge_would" if dry_run else "privacy.purge_did"
    title = st.n(key, len(report.people))
    console.print(_counts_table(st, title, dict(report.deleted), dict(report.pseudonymised)))
    console.print(escape(st.t("privacy.people", people=", ".join(report.people))))
    if dry_run:
        console.print(st.t("privacy.dry_run_purge"))
    else:
        _mirror_erasure_log(ctx)


def privacy_audit(
    ctx: typer.Context,
    person: str = typer.Option(None, "--person", help="Only entries about this person."),
    viewer: str = typer.Option(None, "--viewer", help="Only entries by this viewer."),
    limit: int = typer.Option(200, "--limit", min=1, help="Show at most this many entries."),
) -> None:
    """Read the audit log: who viewed whose data, where and when (newest first)."""
    from tracker.privacy import audit_entries

    st = state(ctx)
    rows = audit_entries(st.db, person_key=person, viewer=viewer, limit=limit)
    table = Table(title=st.t("audit.title"))
    for col in ("time", "viewer", "role", "person", "surface", "action"):
        table.add_column(st.t(f"audit.col.{col}"), no_wrap=col in ("time", "person"))
    for r in rows:
        table.add_row(
            f"{r.at:%Y-%m-%d %H:%M:%S}",
            escape(r.viewer),
            escape(r.viewer_role or "–"),
            escape(r.person_key or "–"),
            escape(r.surface),
            escape(r.action),
        )
    console.print(table)
    entries = st.n("audit.count", len(rows))
    if len(rows) == limit:
        entries = st.t("audit.at_most", entries=entries, limit=fmt_int(limit, st.lang))
    console.print(entries)


def register(app: typer.Typer) -> None:
    consent_app = typer.Typer(help="Consent per person.", no_args_is_help=True)
    consent_app.command("give")(consent_give)
    consent_app.command("withdraw")(consent_withdraw)
    consent_app.command("list")(consent_list)
    app.add_typer(consent_app, name="consent")
    privacy_app = typer.Typer(
        help="Export, erase and purge personal data; read the audit log.", no_args_is_help=True
    )
    privacy_app.command("export")(privacy_export)
    privacy_app.command("erase")(privacy_erase)
    privacy_app.command("purge")(privacy_purge)
    privacy_app.command("audit")(privacy_audit)
    app.add_typer(privacy_app, name="privacy")
