"""Review history out (export) and Anki notes in (import)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from recall.cli.base import UserError, as_text, context, global_options
from recall.cli.output import say, tell

@click.command("export")
@global_options
# recall.export.FORMATS, spelled out: importing recall.export here would cost every command ~20 ms.
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl", "fsrs", "anki"]), default="csv",
              show_default=True, help="Output format.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write, atomically (default: stdout; required for anki).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First study day to include (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last study day to include (YYYY-MM-DD).")
@click.option("--card", "card_id", callback=as_text, help="Only this card.")
@click.option("--deck", callback=as_text, help="Only this deck (its name).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None, since: datetime | None,
                   until: datetime | None, card_id: str | None, deck: str | None, **options: object) -> None:
    """Export the review history (csv, json, jsonl, the FSRS optimizer's log, or an Anki package)."""
    from recall.export import ExportError, ExportFilter, export_reviews

    state = context(ctx, **options)
    if card_id:
        state.card(card_id)
    filters = ExportFilter(since.date() if since else None, until.date() if until else None, card_id, deck)
    with ProgressReporter(enabled=output is not None and sys.stderr.isatty()) as progress:
        try:
            written = export_reviews(state.store, fmt, filters, output, stream=sys.stdout, progress=progress,
                                     today=state.today)
        except ExportError as exc:
            raise UserError(str(exc)) from None
    if output is not None:
        say(f"exported {written} review(s) to {output}", err=True)


class ProgressReporter:
    """A click progress bar on stderr, created on the first report (when the total is known)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="exporting", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@click.command("import")
@global_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--deck", callback=as_text, help="Name of the new deck (default: from the file).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the deck (default: recall's decks directory).")
@click.pass_context
def import_command(ctx: click.Context, file: Path, deck: str | None, output: Path | None, **options: object) -> None:
    """Turn an Anki package (.apkg, .colpkg) or "Notes in Plain Text" export into a new TOML deck."""
    from recall.atomic_file import FileWriteError, TargetExistsError, write_atomically
    from recall.config import user_decks_dir
    from recall.importer import PACKAGE_SUFFIXES, AnkiImportError, import_anki_notes, import_anki_package

    context(ctx, **options)
    read = import_anki_package if file.suffix.lower() in PACKAGE_SUFFIXES else import_anki_notes
    try:
        result = read(file, deck)
    except AnkiImportError as exc:
        raise UserError(str(exc)) from None
    for line, reason in result.skipped:
        tell(f"skipped {'note' if read is import_anki_package else 'line'} {line}: {reason}", hang=2)
    if result.cards == 0:
        raise UserError(f"no note in {file} could be imported ({len(result.skipped)} skipped)")
    target = output or user_decks_dir() / result.file_name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:  # whole or absent, never over an existing file: a kill or a full disk leaves no cut-off deck
        write_atomically(target, lambda handle: handle.write(result.toml_text.encode("utf-8")), replace=False)
    except TargetExistsError:
        raise UserError(f"{target} already exists; choose another path with --output") from None
    except FileWriteError as exc:
        raise UserError(str(exc)) from None
    say(f"imported {result.cards} card(s) into {target} ({len(result.skipped)} skipped)")
    if output is not None:
        say(f"study it with: recall --cards {target}")

