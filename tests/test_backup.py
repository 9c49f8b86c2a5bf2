"""Rolling backups and restore (issue 15, section 5): one copy per study day, the retention rule, a
restore that round-trips, and a bad file refused with one sentence."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from recall.backup import (
    back_up_before_first_write, daily_backups, kept_backup_days, restore,
)
from recall.cli import cli
from recall.clock import study_day, utc_now
from recall.collection import open_collection
from recall.config import load_settings
from recall.store import ReviewInput, Store

DAY = date(2026, 3, 18)  # a Wednesday


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9).astimezone()


def days_back(*offsets: int) -> list[date]:
    return [DAY - timedelta(days=offset) for offset in offsets]


class TestRetentionRule:
    def test_keeps_the_newest_daily_copies_and_the_newest_copy_of_each_recent_week(self):
        every_day = days_back(*range(60))
        kept = kept_backup_days(every_day, DAY, daily=7, weekly=4)
        # The last 7 days (today and Sunday the 15th are also the newest of their weeks), plus the
        # Sundays closing the two weeks before.
        assert kept == set(days_back(*range(7))) | {date(2026, 3, 8), date(2026, 3, 1)}

    def test_counts_copies_not_calendar_days_so_a_long_break_deletes_nothing_needed(self):
        sparse = days_back(0, 40, 80, 120, 160, 200)
        assert kept_backup_days(sparse, DAY, daily=3, weekly=4) == set(days_back(0, 40, 80, 120))

    def test_a_copy_dated_after_today_is_kept_and_zero_keeps_none(self):
        assert kept_backup_days([DAY + timedelta(days=3), DAY], DAY, daily=0, weekly=0) == {DAY + timedelta(days=3)}

    def test_pruning_removes_only_what_the_rule_drops(self, store: Store):
        folder = store.path.parent / "backups"
        folder.mkdir()
        for day in days_back(*range(10)):
            (folder / f"recall-{day}.db").write_bytes(b"")
        (folder / "notes.txt").write_text("mine")
        store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
        back_up_before_first_write(store.conn, store.path, DAY + timedelta(days=1), daily=2, weekly=0)
        assert sorted(daily_backups(store.path)) == [DAY, DAY + timedelta(days=1)]
        assert (folder / "notes.txt").read_text() == "mine"


class TestDailyBackup:
    def test_one_copy_per_study_day_made_before_the_first_write(self, store: Store):
        assert back_up_before_first_write(store.conn, store.path, DAY, 7, 4) is None  # no review: nothing to lose
        store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
        first = back_up_before_first_write(store.conn, store.path, DAY, 7, 4)
        assert first == store.path.parent / "backups" / "recall-2026-03-18.db"
        store.record_review(ReviewInput("nn.saturation", 4), DAY, at(DAY))
        assert back_up_before_first_write(store.conn, store.path, DAY, 7, 4) is None  # one a day
        next_day = DAY + timedelta(days=1)
        assert back_up_before_first_write(store.conn, store.path, next_day, 7, 4) is not None
        assert sorted(daily_backups(store.path)) == [DAY, next_day]
        with closing(sqlite3.connect(first)) as copy:
            assert copy.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1  # as it was before the 2nd

    def test_turned_off_when_no_copy_is_kept(self, store: Store):
        store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
        assert back_up_before_first_write(store.conn, store.path, DAY, 0, 0) is None
        assert daily_backups(store.path) == {}

    def test_opening_the_collection_makes_todays_copy(self, tmp_path: Path, small_deck: Path):
        settings = load_settings({"db": tmp_path / "r.db", "cards": [str(small_deck)]}, env={})
        store, report = open_collection(settings)
        with store:
            store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
        store, report = open_collection(settings)
        store.close()
        assert report.backup_problem is None
        assert list(daily_backups(settings.db_path)) == [study_day(utc_now(), settings.day_starts_at)]


def reviews_in(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]


def dump(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.iterdump())


@pytest.fixture
def run(tmp_path: Path, small_deck: Path):
    config = tmp_path / "config.toml"
    config.write_text("")

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "--cards", str(small_deck),
                                        "--config", str(config), *args])
    return invoke


def test_a_restore_round_trips_and_keeps_the_database_it_replaces(tmp_path: Path, run):
    db = tmp_path / "r.db"
    assert run("cards").exit_code == 0  # creates and syncs the database
    with Store(db) as store:
        store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
    made = run("backup", "--output", str(tmp_path / "copy.db"))
    assert made.exit_code == 0, made.output
    assert made.stdout == f"backed up {db} to {tmp_path / 'copy.db'}\n"
    with Store(db) as store:
        store.record_review(ReviewInput("nn.saturation", 5), DAY, at(DAY))
    assert reviews_in(db) == 2
    restored = run("restore", str(tmp_path / "copy.db"))
    assert restored.exit_code == 0, restored.output
    assert reviews_in(db) == 1
    (saved,) = (tmp_path / "backups").glob("recall-before-restore-*.db")
    assert reviews_in(saved) == 2
    assert run("doctor").exit_code == 0


@pytest.mark.parametrize(("content", "message"), [
    (b"just some notes\n", "is not an SQLite database; nothing was restored"),
    (None, "is an SQLite database but not recall's"),
])
def test_a_bad_file_is_refused_with_one_sentence(tmp_path: Path, run, content, message):
    bad = tmp_path / "bad.db"
    if content is None:
        with closing(sqlite3.connect(bad)) as conn:
            conn.execute("CREATE TABLE notes (text)")
    else:
        bad.write_bytes(content)
    assert run("cards").exit_code == 0
    before = dump(tmp_path / "r.db")
    result = run("restore", str(bad))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("recall: error: ")
    assert message in result.stderr
    assert dump(tmp_path / "r.db") == before


def test_backup_refuses_to_overwrite_a_file(tmp_path: Path, run):
    assert run("cards").exit_code == 0
    (tmp_path / "taken.db").write_text("mine")
    result = run("backup", "--output", str(tmp_path / "taken.db"))
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert (tmp_path / "taken.db").read_text() == "mine"
