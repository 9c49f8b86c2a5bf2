"""Schema migrations: every older version reaches the current one with its data, after a backup that
never replaces an earlier one; a failed migration changes nothing; two recalls migrate once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlite_utils

import recall.schema
from recall.deck import load_decks
from recall.database_file import StoreError
from recall.schema import MIGRATIONS, SCHEMA_VERSION
from recall.store import ReviewInput, Store

TODAY = date(2026, 3, 1)


def build_database(path: Path, version: int, source: Path | None = None) -> None:
    """A database as a recall of schema `version` left it: its migrations only, in WAL mode, holding
    the cards, reviews and drafts of `source` (same columns in every version so far)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for step in MIGRATIONS[:version]:
            step(sqlite_utils.Database(conn))
        conn.execute(f"PRAGMA user_version = {version}")
        if source is not None and version > 0:
            conn.execute("ATTACH DATABASE ? AS source", [str(source)])
            for table in ("cards", "reviews", "drafts"):
                conn.execute(f"INSERT INTO {table} SELECT * FROM source.{table}")
            conn.execute("DETACH DATABASE source")


def contents(path: Path) -> dict[str, list[tuple]]:
    """The rows of cards, reviews and drafts (none for a table not created yet)."""
    with closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() if table in tables else []
                for table in ("cards", "reviews", "drafts")}


@pytest.fixture
def history(tmp_path: Path, small_deck: Path) -> Path:
    """A current database with a few reviews, undone ones and a draft: the rows older versions hold."""
    path = tmp_path / "history.db"
    with Store(path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        for days, (quality, card_id) in enumerate([(4, "nn.saturation"), (2, "nn.softmax"), (5, "nn.saturation")]):
            store.record_review(ReviewInput(card_id, quality, answer=f"said {quality}"), TODAY + timedelta(days=days))
        store.save_draft("nn.overfitting", "memorises")
    return path


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_every_older_version_is_migrated_after_a_backup(tmp_path, history, version):
    path = tmp_path / "recall.db"
    build_database(path, version, history)
    before = contents(path)
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        backup = store.migration_backup
    assert contents(path) == before
    if version == 0:
        assert backup is None
        return
    assert backup == tmp_path / f"recall.db.v{version}.bak"
    assert contents(backup) == before
    with closing(sqlite3.connect(backup)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_cli_says_where_the_backup_is_and_keeps_every_card_state(tmp_path, history, small_deck):
    path = tmp_path / "recall.db"
    build_database(path, 1, history)
    config = tmp_path / "config.toml"
    config.touch()
    result = subprocess.run([sys.executable, "-m", "recall", "--db", str(path), "--cards", str(small_deck),
                             "--config", str(config), "cards", "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"recall: upgraded the database; the old one is backed up at {tmp_path / 'recall.db.v1.bak'}")
    listed = json.loads(result.stdout)
    assert [card["id"] for card in listed] == ["nn.saturation", "nn.softmax", "nn.overfitting"]
    assert [(card["reviews"], card["interval"]) for card in listed] == [(2, 6), (1, 1), (0, 0)]
    with Store(path) as store:
        assert store.review_count() == 3 and store.drafts() == {"nn.overfitting": "memorises"}


def test_a_backup_never_replaces_an_earlier_one(tmp_path, history):
    path = tmp_path / "recall.db"
    build_database(path, 1, history)
    earlier = tmp_path / "recall.db.v1.bak"
    earlier.write_bytes(b"an earlier backup")
    with Store(path) as store:
        assert store.migration_backup == tmp_path / "recall.db.v1.2.bak"
    assert earlier.read_bytes() == b"an earlier backup"


def test_a_failed_migration_changes_nothing(tmp_path, history, monkeypatch):
    path = tmp_path / "recall.db"
    build_database(path, 1, history)
    before = contents(path)

    def half_done(db: sqlite_utils.Database) -> None:
        db["deck_files"].create({"path": str}, pk="path")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(recall.schema, "MIGRATIONS", [MIGRATIONS[0], half_done])
    with pytest.raises(StoreError, match="recall.db: disk I/O error"):
        Store(path)
    assert contents(path) == before
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'deck_files'").fetchall() == []


def test_two_recalls_opening_an_old_database_at_once_migrate_it_once(tmp_path, history):
    path = tmp_path / "recall.db"
    build_database(path, 1, history)
    start = threading.Barrier(2)
    backups: list[Path | None] = []

    def open_store() -> None:
        start.wait()
        with Store(path) as store:
            backups.append(store.migration_backup)

    threads = [threading.Thread(target=open_store) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(backups, key=str) == sorted([None, tmp_path / "recall.db.v1.bak"], key=str)
    assert sorted(p.name for p in tmp_path.glob("recall.db.v*")) == ["recall.db.v1.bak"]
