"""Rolling backups of the database, and restoring one.

A copy is made with SQLite's backup API (consistent while another recall writes, WAL pages included)
into `<database folder>/backups/recall-YYYY-MM-DD.db`, once per study day before the first write, and old
copies are pruned by `kept_backup_days`: the newest copies of the last few days with one, and the newest
copy of each of the last few weeks with one. Counting copies rather than calendar days means a month
away from studying never deletes every copy. A restore checks the file first and backs up the database
it replaces.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import closing, suppress
from datetime import date, datetime
from pathlib import Path

from recall.database_file import SQLITE_MAGIC, StoreError
from recall.schema import SCHEMA_VERSION

BACKUP_NAME = re.compile(r"recall-(\d{4}-\d{2}-\d{2})\.db")
REQUIRED_TABLES = frozenset({"cards", "reviews"})


class BackupError(StoreError):
    """A backup that cannot be made, or a file that cannot be restored; the message is one sentence."""


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def daily_backup_path(db_path: Path, day: date) -> Path:
    return backups_dir(db_path) / f"recall-{day.isoformat()}.db"


def kept_backup_days(days: Iterable[date], today: date, daily: int, weekly: int) -> set[date]:
    """Which daily copies to keep: the newest `daily` of them, the newest of each of the newest `weekly`
    ISO weeks that have one, and any dated after `today` (a clock set back: never pruned by guesswork)."""
    ordered = sorted(set(days), reverse=True)
    kept = set(ordered[:daily]) | {day for day in ordered if day > today}
    newest_of_week: dict[tuple[int, int], date] = {}
    for day in ordered:
        newest_of_week.setdefault(day.isocalendar()[:2], day)
    kept |= set(list(newest_of_week.values())[:weekly])
    return kept


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of the database at `source` written to `target` whole or not at all (through a
    temporary file of this process beside it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")  # two recalls opening at once: each its own
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reader, \
                closing(sqlite3.connect(str(partial))) as writer:
            reader.backup(writer)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with suppress(OSError):
            partial.unlink()
        raise BackupError(f"could not back up {source} to {target}: {exc}") from None


def daily_backups(db_path: Path) -> dict[date, Path]:
    """The daily copies in the backups folder, by day."""
    found = {}
    with suppress(FileNotFoundError):
        for path in backups_dir(db_path).iterdir():
            match = BACKUP_NAME.fullmatch(path.name)
            if match:
                with suppress(ValueError):
                    found[date.fromisoformat(match.group(1))] = path
    return found


def prune_backups(db_path: Path, today: date, daily: int, weekly: int) -> list[Path]:
    """Delete the daily copies `kept_backup_days` does not keep; returns them."""
    copies = daily_backups(db_path)
    kept = kept_backup_days(copies, today, daily, weekly)
    removed = [path for day, path in sorted(copies.items()) if day not in kept]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def back_up_now(db_path: Path, today: date, daily: int, weekly: int, output: Path | None = None) -> Path:
    """A copy of the database now: at `output`, or as today's daily copy (replacing an earlier one of
    today, then pruning the old ones)."""
    target = output or daily_backup_path(db_path, today)
    copy_database(db_path, target)
    if output is None:
        prune_backups(db_path, today, daily, weekly)
    return target


def back_up_before_first_write(conn: sqlite3.Connection, db_path: Path, today: date, daily: int,
                               weekly: int) -> Path | None:
    """Today's daily copy, unless there is one already, backups are off (`daily` and `weekly` both 0) or
    the database holds no review yet (nothing to lose). `conn` is an open connection to it."""
    if daily == weekly == 0 or daily_backup_path(db_path, today).exists():
        return None
    if conn.execute("SELECT 1 FROM reviews LIMIT 1").fetchone() is None:
        return None
    return back_up_now(db_path, today, daily, weekly)


def check_backup(path: Path) -> int:
    """Refuse, with one sentence, a file that is not a recall database in good order; returns how many
    reviews it holds."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file; give a backup made by `recall backup`")
    with path.open("rb") as file:
        is_database = file.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    if not is_database:
        raise BackupError(f"{path} is not an SQLite database; nothing was restored")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"{path} is damaged (integrity check: {verdict}); nothing was restored")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if not REQUIRED_TABLES <= tables or not 1 <= version:
                raise BackupError(f"{path} is an SQLite database but not recall's (no cards and reviews "
                                  "tables); nothing was restored")
            if version > SCHEMA_VERSION:
                raise BackupError(f"{path} was written by a newer recall (schema {version}, this one knows "
                                  f"{SCHEMA_VERSION}); upgrade recall to restore it")
            return conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be read as a database ({exc}); nothing was restored") from None


def restore(backup: Path, db_path: Path, now: datetime) -> Path | None:
    """Replace the database at `db_path` with the checked `backup`, after copying the current one to
    `backups/recall-before-restore-<time>.db` (returned; None when there was no database). The copy is
    made with SQLite's backup API into the live file, so the -wal beside it is overwritten consistently."""
    check_backup(backup)
    saved = None
    if db_path.exists():
        saved = backups_dir(db_path) / f"recall-before-restore-{now:%Y-%m-%dT%H%M%S}.db"
        try:
            copy_database(db_path, saved)
        except BackupError:  # a damaged database may not read: keep its bytes as they are
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db_path, saved)
    try:
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as reader, \
                closing(sqlite3.connect(str(db_path), timeout=15)) as writer:
            reader.backup(writer)
    except sqlite3.Error as exc:
        raise BackupError(f"could not restore {backup} into {db_path}: {exc}"
                          + (f"; the database as it was is at {saved}" if saved else "")) from None
    return saved
