"""``tracker record``: counts entered by hand, through the one manual-entry path
(``tracker.programme.manual_entry``) that the administration page's form takes as well."""

from __future__ import annotations

import typer
from rich.markup import escape

from connectors.base import utcnow
from tracker.cli.command_context import console, state
from tracker.programme.manual_entry import (
    ManualCounts,
    check_label,
    parse_moment,
    record_for_person,
)
from tracker.text.formatting import fmt_int


def record(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="Key of the person, as in `tracker status`."),
    platform: str = typer.Argument(
        ..., help="Platform label, e.g. tiktok, linkedin, whatsapp, threads."
    ),
    followers: int = typer.Option(..., "--followers", help="Followers (or subscribers) seen."),
    following: int = typer.Option(None, "--following", help="Accounts she follows, if shown."),
    posts: int = typer.Option(None, "--posts", help="Number of posts, if shown."),
    at: str = typer.Option(
        None, "--at", help="When the counts were read: 2025-03-14 or 2025-03-14T18:30 [now]."
    ),
) -> None:
    """Record counts read off a platform by hand (TikTok, LinkedIn, WhatsApp channels, ...)."""
    label = check_label(platform)
    st = state(ctx)
    now = utcnow()
    taken_at = parse_moment(at, st.config.tracker.timezone, now)
    counts = ManualCounts(followers, following, posts)
    with st.db.write() as session:
        account = record_for_person(session, person, label, taken_at, counts, now)
        handle = account.handle
    console.print(
        escape(
            st.t(
                "record.done",
                platform=label,
                person=person,
                handle=handle,
                followers=fmt_int(followers, st.lang),
                at=f"{taken_at:%Y-%m-%d %H:%M}",
            )
        )
    )


def register(app: typer.Typer) -> None:
    app.command()(record)
