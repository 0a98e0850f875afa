"""Web commands: serve the dashboard, manage logins. Dashboards are imported only inside the
commands, so the rest of the CLI works without loading the web stack."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import typer

from tracker.cli.command_context import console, state
from tracker.store.db import Database

DEMO_PASSWORD_BYTES = 12  # token_urlsafe(12) gives 16 characters


def serve(
    ctx: typer.Context,
    host: str = typer.Option(None, "--host", help="Address to listen on [default: from config]."),
    port: int = typer.Option(None, "--port", help="Port [default: from config, else 8050]."),
) -> None:
    """Serve the web dashboard (needs TRACKER_SECRET_KEY)."""
    from dashboards.app import create_app
    from dashboards.serve import serve as run

    st = state(ctx)
    config = st.config
    app = create_app(config, st.db, demo=False)
    bind_host, bind_port = host or config.web.host, port or config.web.port
    console.print(f"dashboard on http://{bind_host}:{bind_port} (Ctrl+C stops it)")
    run(app, bind_host, bind_port)


def users_add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="Login email address."),
    person: str = typer.Option(None, "--person", help="Key of the person (not for coordinators)."),
    role: str = typer.Option(..., "--role", help="mentee, mentor or coordinator."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Create a login, or set a new password for an existing one."""
    from tracker.programme.users import add_user

    if not password_stdin:
        raise typer.BadParameter(
            "pass --password-stdin and the password on standard input "
            "(or use `tracker users invite` so the person sets her own)"
        )
    password = sys.stdin.readline().rstrip("\r\n")
    with state(ctx).db.write() as session:
        user = add_user(session, email, person, role, password)
        console.print(f"login {user.email} ({user.role}) saved")


def users_invite(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="Email address of the invited person."),
    person: str = typer.Option(None, "--person", help="Key of the person (not for coordinators)."),
    role: str = typer.Option(..., "--role", help="mentee, mentor or coordinator."),
) -> None:
    """Print a one-time link with which the person sets her own password (valid 7 days)."""
    from tracker.programme.users import create_invite

    st = state(ctx)
    with st.db.write() as session:
        link = create_invite(session, email, person, role, st.config.web.base_url)
    console.print(f"one-time link for {email}, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
    print(link.url)


def demo_logins(db: Database) -> list[tuple[str, str, str]]:
    """Logins for the demo's coordinator, mentors and mentees with fresh random passwords."""
    from sqlalchemy import select

    from tracker.programme.users import add_user
    from tracker.store.models import Person

    out = []
    with db.write() as session:
        people = session.scalars(
            select(Person)
            .where(Person.role.in_(("coordinator", "mentor", "mentee")))
            .order_by(Person.role, Person.key)
        ).all()
        for person in people:
            email = person.email or f"{person.key}@demo.invalid"
            password = secrets.token_urlsafe(DEMO_PASSWORD_BYTES)
            add_user(session, email, person.key, person.role, password)
            out.append((person.key, email, password))
    return out


def serve_demo(db: Database, config_file: Path, port: int) -> None:
    """Create demo logins, print them, and serve the demo on 127.0.0.1 with a key made for
    this start only."""
    from dashboards.app import create_app
    from dashboards.serve import serve as run
    from tracker.config import load_config
    from tracker.polling.scheduler import start_in_background

    config = load_config(str(config_file))
    logins = demo_logins(db)
    console.print("demo logins (passwords are new at every start):")
    for key, email, password in logins:
        print(f"  {key:<14} {email:<30} {password}")
    app = create_app(config, db, demo=True, key=secrets.token_urlsafe(48))
    # The real scheduler keeps polling the simulated platforms while the demo is served.
    stop_scheduler = start_in_background(db, config)
    console.print(f"demo dashboard on http://127.0.0.1:{port} (Ctrl+C stops it)")
    try:
        run(app, "127.0.0.1", port)
    finally:
        stop_scheduler()


def register(app: typer.Typer) -> None:
    app.command()(serve)
    users_app = typer.Typer(help="Web logins.", no_args_is_help=True)
    users_app.command("add")(users_add)
    users_app.command("invite")(users_invite)
    app.add_typer(users_app, name="users")
