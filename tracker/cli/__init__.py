"""The ``tracker`` command. Each area registers its commands from its own module."""

from __future__ import annotations

import importlib
import logging
import sys

import click
import typer

from connectors.errors import ConnectorError
from tracker.cli.command_context import State
from tracker.errors import TrackerError

app = typer.Typer(
    name="tracker",
    help="Track how mentees in a reverse-mentoring programme grow on social media.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Command modules, each with ``register(app)``; the order is the order of --help.
COMMAND_MODULES = (
    "tracker.cli.setup_commands",
    "tracker.cli.poll_commands",
    "tracker.cli.record_commands",
    "tracker.cli.report_commands",
    "tracker.cli.web_commands",
    "tracker.cli.privacy_commands",
    "tracker.cli.backup_commands",
)


@app.callback()
def _root(
    ctx: typer.Context,
    config: str = typer.Option(
        None, "--config", envvar="TRACKER_CONFIG", help="Config file [default: ./config.toml]."
    ),
    db: str = typer.Option(
        None,
        "--db",
        envvar="TRACKER_DATABASE_URL",
        help="SQLAlchemy database URL [default: from the config, else sqlite:///data/tracker.db].",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log what happens."),
) -> None:
    """Track how mentees in a reverse-mentoring programme grow on social media."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = State(config_path=config, db_url=db)


# A command module that fails to import fails the whole CLI loudly: never a missing command.
for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one line and exit non-zero, never a traceback."""
    try:
        result = app(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.TyperException as exc:
        # Newer typer carries its own copy of click: its BadParameter is not click's.
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            click.echo(f"error: {exc}", err=True)
        return int(getattr(exc, "exit_code", 2))
    except TrackerError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except ConnectorError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
