"""The `recall` command line (click). `recall` with no command opens the TUI.

Errors a user can act on are one line on stderr and a non-zero exit, never a traceback. Heavy modules
(anthropic, numpy, textual, sqlite-utils) are imported inside the commands that need them.
"""

from __future__ import annotations

from pathlib import Path

import click

from recall import __version__
from recall.cli import authoring, backup, collection_commands, demo, explain, progress, recap, suspension, transfer
from recall.cli.base import RecallGroup, context, global_options, run_app


@click.group(cls=RecallGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(__version__, "--version", prog_name="recall")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, cards: tuple[str, ...], config: Path | None,
        demo_path: tuple[Path, ...]) -> None:
    """Learn a technical subject by explaining it: recall shows a concept, you explain it, a grader
    corrects you, SM-2 schedules the next review.

    With no command, opens the study app on its dashboard."""
    context(ctx, db, cards, config, demo_path)
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj, start="dashboard")



for command in (collection_commands.study, collection_commands.check, collection_commands.cards,
                collection_commands.due, explain.explain, recap.recap, demo.demo, progress.stats,
                collection_commands.doctor, transfer.export_command, transfer.import_command,
                backup.backup, backup.restore, authoring.add, authoring.draft, suspension.suspend,
                suspension.unsuspend):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="recall")
