"""Backup and restore: ``tracker backup --out FILE`` and ``tracker restore FILE``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tracker.cli.command_context import console, state
from tracker.text.formatting import fmt_int


def _passphrase(ctx: typer.Context, env_name: str | None) -> str | None:
    from tracker.ops.backup import passphrase_from

    return passphrase_from(env_name or state(ctx).config.backup.passphrase_env)


def backup(
    ctx: typer.Context,
    out: Path = typer.Option(
        ...,
        "--out",
        help="Backup file to write (0600), or a directory for a file named by the time.",
    ),
    passphrase_env: str = typer.Option(
        None,
        "--passphrase-env",
        help="Environment variable with the passphrase that encrypts the backup "
        "[default: backup.passphrase_env of the config; none: unencrypted].",
    ),
    keep: int = typer.Option(
        None, "--keep", help="Then keep only the newest N backups in that directory."
    ),
    keep_days: int = typer.Option(
        None, "--keep-days", help="Then delete backups there older than N days."
    ),
) -> None:
    """Back up the database while the poller and the dashboard run."""
    from tracker.ops.backup import prune, take_backup

    st = state(ctx)
    result = take_backup(st.db, out, _passphrase(ctx, passphrase_env))
    m = result.manifest
    lang = st.lang
    console.print(
        escape(
            st.t(
                "backup.written",
                path=result.path,
                size=fmt_int(result.size_bytes, lang),
                schema=m.schema_revision,
                rows=fmt_int(sum(m.tables.values()), lang),
                tables=len(m.tables),
                encrypted=st.t("backup.encrypted" if result.encrypted else "backup.not_encrypted"),
                sha=m.sha256,
            )
        )
    )
    if keep is not None or keep_days is not None:
        gone = prune(result.path.parent, keep or 0, keep_days or 0)
        for path in gone:
            console.print(escape(st.t("backup.deleted_old", path=path)))


def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A backup file written by `tracker backup`."),
    force: bool = typer.Option(
        False, "--force", help="Overwrite a database that already holds data."
    ),
    passphrase_env: str = typer.Option(
        None,
        "--passphrase-env",
        help="Environment variable with the passphrase of an encrypted backup "
        "[default: backup.passphrase_env of the config].",
    ),
    erasure_log: list[Path] = typer.Option(
        [],
        "--erasure-log",
        help="Another erasure-log.jsonl whose erasures to re-apply (the one beside the "
        "backup file and the target database's own log are always read).",
    ),
) -> None:
    """Restore a backup: checks it, migrates it to the newest schema, re-applies erasures."""
    from tracker.ops.backup_file import is_encrypted
    from tracker.ops.restore import restore_backup

    st = state(ctx)
    passphrase = None
    if file.is_file() and is_encrypted(file):
        passphrase = _passphrase(ctx, passphrase_env)
    db = st.raw_db()
    result = restore_backup(
        file, db, passphrase=passphrase, force=force, erasure_logs=tuple(erasure_log)
    )
    m = result.manifest
    lang = st.lang
    table = Table(title=escape(st.t("restore.title", file=file, taken=m.taken_at)))
    table.add_column(st.t("restore.col.table"))
    table.add_column(st.t("restore.col.in_backup"), justify="right")
    table.add_column(st.t("restore.col.now"), justify="right")
    for name in sorted(set(m.tables) | set(result.counts)):
        table.add_row(
            name, fmt_int(m.tables.get(name), lang), fmt_int(result.counts.get(name, 0), lang)
        )
    console.print(table)
    if m.schema_revision != result.schema_revision:
        console.print(
            escape(st.t("restore.migrated", old=m.schema_revision, new=result.schema_revision))
        )
    console.print(
        st.n("restore.erased_again", result.erased_again)
        if result.erased_again
        else st.t("restore.no_erasure")
    )


def register(app: typer.Typer) -> None:
    app.command()(backup)
    app.command()(restore)
