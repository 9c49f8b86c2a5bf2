"""`recall backup` and `recall restore`: a copy of the database now, and putting one back."""

from __future__ import annotations

from pathlib import Path

import click

from recall.cli.base import UserError, context, global_options
from recall.cli.output import say


@click.command()
@global_options
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the copy (default: today's copy in the backups folder).")
@click.pass_context
def backup(ctx: click.Context, output: Path | None, **options: object) -> None:
    """Back up the database now (safe while recall runs elsewhere)."""
    from recall.backup import back_up_now

    state = context(ctx, **options)
    settings = state.settings
    if not settings.db_path.is_file():
        raise UserError(f"there is no database at {settings.db_path} to back up yet")
    if output is not None and output.exists():
        raise UserError(f"{output} already exists; choose another path with --output")
    target = back_up_now(settings.db_path, state.today, settings.keep_daily_backups,
                         settings.keep_weekly_backups, output)
    say(f"backed up {settings.db_path} to {target}")


@click.command()
@global_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def restore(ctx: click.Context, file: Path, **options: object) -> None:
    """Replace the database with FILE, a backup, after checking it; the current database is backed up first."""
    from recall.backup import restore as restore_backup
    from recall.clock import utc_now

    settings = context(ctx, **options).settings
    saved = restore_backup(file, settings.db_path, utc_now().astimezone())
    say(f"restored {settings.db_path} from {file}"
        + (f"; the database as it was is at {saved}" if saved else ""))
