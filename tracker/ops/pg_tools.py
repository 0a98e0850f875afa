"""``pg_dump`` and ``pg_restore`` (Debian's postgresql-client), called with the password in the
environment, never on the command line where ``ps`` shows it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url

from tracker.errors import BackupError

TIMEOUT_SECONDS = 6 * 3600


def libpq_target(url: URL | str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    parsed = make_url(url) if isinstance(url, str) else url
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    bare = parsed.set(drivername="postgresql", password=None)
    return bare.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; on Debian: `apt-get install postgresql-client`"
        )
    return path


def tool_major(name: str) -> int:
    """The major version of ``pg_dump`` or ``pg_restore``; raises BackupError when missing."""
    out = subprocess.run(  # noqa: S603 (a fixed tool path and fixed arguments, no shell)
        [_tool(name), "--version"], capture_output=True, text=True, check=False, timeout=60
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"cannot tell the version of {name} from {out.strip()!r}")
    return int(match.group(1))


def check_versions(conn: Connection, name: str) -> None:
    """Refuse a tool older than the server: pg_dump cannot read a newer server's catalogue."""
    server = int(str(conn.execute(text("SHOW server_version_num")).scalar())) // 10000
    tool = tool_major(name)
    if tool < server:
        raise BackupError(
            f"{name} {tool} is older than the PostgreSQL server ({server}); install "
            f"postgresql-client-{server} (Debian: from apt.postgresql.org)"
        )


def run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603 (tool path from PATH, no shell, our own values)
            args, capture_output=True, text=True, env=env, check=False, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what} took longer than {TIMEOUT_SECONDS} s") from exc
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        errors = [line for line in lines if "error:" in line.lower()]
        detail = (errors or lines or [f"exit code {result.returncode}"])[-1]
        raise BackupError(f"{what} failed: {detail}")


def dump(url: URL, schema: str, snapshot: str, out: Path) -> None:
    """``pg_dump --format=custom`` of ``schema`` as seen by the exported ``snapshot``."""
    target, env = libpq_target(url)
    run(
        [
            _tool("pg_dump"),
            "--format=custom",
            f"--schema={schema}",
            f"--snapshot={snapshot}",
            "--no-owner",
            "--no-privileges",
            f"--file={out}",
            f"--dbname={target}",
        ],
        env,
        "pg_dump",
    )


def listing(dump_file: Path) -> list[str]:
    """The table of contents of a custom-format dump (``pg_restore --list``)."""
    result = subprocess.run(  # noqa: S603 (a fixed tool path, our own file, no shell)
        [_tool("pg_restore"), "--list", str(dump_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump: {result.stderr.strip()}")
    return result.stdout.splitlines()


def dumped_tables(lines: list[str]) -> set[str]:
    """Names of the tables a dump's listing creates."""
    found = set()
    for line in lines:
        match = re.match(r"\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ", line)
        if match:
            found.add(match.group(1))
    return found


def restore(url: URL, dump_file: Path, lines: list[str], workdir: Path) -> None:
    """``pg_restore --clean`` of a dump into the schema of ``url``, in one transaction: when it
    fails, the tables it would have replaced are as they were. The schema itself already
    exists (it may be ``public``): its entries are left out."""
    target, env = libpq_target(url)
    schema_entry = re.compile(r"\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA )")
    keep = [line for line in lines if not schema_entry.match(line)]
    use_list = workdir / "restore.list"
    use_list.write_text("\n".join(keep) + "\n", encoding="utf-8")
    run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--use-list={use_list}",
            f"--dbname={target}",
            str(dump_file),
        ],
        env,
        "pg_restore",
    )
