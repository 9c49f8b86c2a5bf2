"""Opening the collection: the database, migrated if it is older, with its cards synced to the deck files.

Both front ends start here (the CLI on first use of the store, the TUI on its store thread); each tells
the user about the `OpenReport` in its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recall.backup import BackupError, back_up_before_first_write
from recall.clock import study_day, utc_now
from recall.config import Settings
from recall.scheduler import scheduler_named
from recall.store import Store


@dataclass(frozen=True)
class OpenReport:
    """What the user should hear about after the store opened and the decks were synced."""

    deck_problems: tuple[str, ...]
    migration_backup: Path | None
    backup_problem: str | None = None  # why today's rolling backup could not be made


def sync_decks(store: Store, settings: Settings) -> tuple[str, ...]:
    """Bring the store up to date with the deck files (at start, and after the user edited one; only
    changed files are parsed); returns what the learner must hear of, each naming its file and card: the
    errors, and the warnings about a whole file or folder skipped (an unreadable folder, a name that is not
    UTF-8), whose cards are retired until it is fixed."""
    synced = store.sync_decks(settings.card_paths)
    return tuple(str(problem) for problem in synced.problems
                 if problem.severity == "error" or problem.card_index is None)


def daily_backup(store: Store, settings: Settings) -> str | None:
    """Today's rolling backup, made before anything else writes today (see `recall.backup`); returns
    what went wrong, if anything: a failed backup is reported, it does not stop the learner."""
    if store.in_memory:
        return None
    try:
        back_up_before_first_write(store.conn, store.path, study_day(utc_now(), settings.day_starts_at),
                                   settings.keep_daily_backups, settings.keep_weekly_backups)
    except BackupError as error:
        return str(error)
    return None


def open_collection(settings: Settings) -> tuple[Store, OpenReport]:
    """Open the database with the configured scheduler (replaying every card's log if the states were
    another's), back it up once a study day, and make its cards match the deck files; the store is
    closed if syncing fails."""
    store = Store(settings.db_path, scheduler_named(settings.scheduler, settings.desired_retention))
    try:
        backup_problem = daily_backup(store, settings)
        problems = sync_decks(store, settings)
    except BaseException:
        store.close()
        raise
    return store, OpenReport(problems, store.migration_backup, backup_problem)
