"""Schema migrations: every older version reaches the current one with its data, after a backup that
never replaces an earlier one; a failed migration changes nothing; two recalls migrate once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import replace
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


TABLES = ("cards", "reviews", "drafts")
# The columns each version added to a table that already existed: a row migrated from before them
# holds these values.
ADDED_COLUMNS = {3: {"cards": {"core": None, "misconceptions": "[]"}},
                 4: {"cards": {"stability": None, "difficulty": None, "suspended": 0}}}


def build_database(path: Path, version: int, source: Path | None = None) -> None:
    """A database as a recall of schema `version` left it: its migrations only, in WAL mode, holding
    the cards, reviews and drafts of `source` in the columns that version has (and, from version 2,
    its deck-file cache)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for step in MIGRATIONS[:version]:
            step(sqlite_utils.Database(conn))
        conn.execute(f"PRAGMA user_version = {version}")
        if source is not None and version > 0:
            conn.execute("ATTACH DATABASE ? AS source", [str(source)])
            for table in TABLES + (("deck_files",) if version >= 2 else ()):
                columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
                conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM source.{table}")
            conn.execute("DETACH DATABASE source")


def contents(path: Path) -> dict[str, list[dict]]:
    """The rows of cards, reviews and drafts, each as {column: value} (none for a table not created yet)."""
    with closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found = {}
        for table in TABLES:
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY 1") if table in tables else None
            names = [column[0] for column in cursor.description] if cursor else []
            found[table] = [dict(zip(names, row)) for row in cursor.fetchall()] if cursor else []
        return found


def migrated(rows: dict[str, list[dict]], version: int) -> dict[str, list[dict]]:
    """The rows a database at `version` holds, as the current schema holds them: with every column a
    later version added, at its value for a migrated row."""
    added: dict[str, dict] = {}
    for later in range(version + 1, SCHEMA_VERSION + 1):
        for table, columns in ADDED_COLUMNS.get(later, {}).items():
            added.setdefault(table, {}).update(columns)
    return {table: [{**row, **added.get(table, {})} for row in table_rows] for table, table_rows in rows.items()}


@pytest.fixture
def marked_deck(write_deck) -> Path:
    """Three cards, the first marking its core key point and two misconceptions."""
    first = {"id": "nn.saturation", "core": 1, "misconceptions": ["a saturated neuron is right", "σ′ is 0 there"]}
    return write_deck("small.toml", first, "nn.softmax", "nn.overfitting", deck="Small")


@pytest.fixture
def history(tmp_path: Path, marked_deck: Path) -> Path:
    """A current database with a few reviews, undone ones and a draft: the rows older versions hold."""
    path = tmp_path / "history.db"
    with Store(path) as store:
        store.sync_decks([marked_deck])
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
    assert contents(path) == migrated(before, version)
    if version == 0:
        assert backup is None
        return
    assert backup == tmp_path / f"recall.db.v{version}.bak"
    assert contents(backup) == before
    with closing(sqlite3.connect(backup)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_cli_says_where_the_backup_is_and_keeps_every_card_state(tmp_path, history, marked_deck):
    path = tmp_path / "recall.db"
    build_database(path, 1, history)
    config = tmp_path / "config.toml"
    config.touch()
    result = subprocess.run([sys.executable, "-m", "recall", "--db", str(path), "--cards", str(marked_deck),
                             "--config", str(config), "cards", "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"recall: upgraded the database; the old one is backed up at {tmp_path / 'recall.db.v1.bak'}")
    listed = json.loads(result.stdout)
    assert [card["id"] for card in listed] == ["nn.saturation", "nn.softmax", "nn.overfitting"]
    assert [(card["reviews"], card["interval"]) for card in listed] == [(2, 6), (1, 1), (0, 0)]
    with Store(path) as store:
        assert store.review_count() == 3 and store.drafts() == {"nn.overfitting": "memorises"}


def test_cards_from_unchanged_deck_files_get_their_core_and_misconceptions_after_the_upgrade(
        tmp_path, history, marked_deck):
    """Version 3 stores `core` and `misconceptions`. A version 2 recall had read the same deck file
    (ignoring those fields, so the card's hash left them out) and cached it: the migration forgets the
    cache, so the first sync parses the unchanged file and writes them."""
    path = tmp_path / "recall.db"
    build_database(path, 2, history)
    card = next(card for card in load_decks([marked_deck]).cards if card.id == "nn.saturation")
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE cards SET content_hash = ? WHERE id = ?",
                     [replace(card, core=None, misconceptions=()).content_hash, card.id])
        assert conn.execute("SELECT COUNT(*) FROM deck_files").fetchone()[0] == 1
    with Store(path) as store:
        assert store.card(card.id).core is None and store.card(card.id).misconceptions == ()
        synced = store.sync_decks([marked_deck])
        assert (synced.parsed_files, synced.report.updated, synced.problems) == (1, 1, [])
        row = store.card(card.id)
        assert (row.core, row.misconceptions) == (1, ("a saturated neuron is right", "σ′ is 0 there"))
        assert row.to_card() == replace(card, source=marked_deck)
        assert (row.reviews, row.interval) == (2, 6)
        assert store.sync_decks([marked_deck]).parsed_files == 0


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


# A second recall, as its own process: it imports the store, says it is ready, waits for the word, opens
# the database and prints the backup its migration made (None if it found the work done).
OPEN_STORE = """
import sys
from recall.store import Store
print("ready", flush=True)
sys.stdin.readline()
with Store(sys.argv[1]) as store:
    print(store.migration_backup, store.schema_version, flush=True)
"""


def test_two_recalls_opening_an_old_database_at_once_migrate_it_once(tmp_path, history):
    """Two processes, each with its own connection and import of recall, released together: one migrates
    (after the backup), the other waits for the write lock and finds the work done."""
    path = tmp_path / "recall.db"
    build_database(path, 1, history)
    before = contents(path)
    recalls = [subprocess.Popen([sys.executable, "-c", OPEN_STORE, str(path)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for process in recalls:
            assert process.stdout.readline() == "ready\n", process.stderr.read()
        for process in recalls:  # both are past their imports: release them as close together as possible
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=60) for process in recalls]
    finally:
        for process in recalls:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert [process.returncode for process in recalls] == [0, 0], [err for _out, err in outputs]
    reported = sorted(out.rstrip("\n").rsplit(" ", 1) for out, _err in outputs)
    assert reported == sorted([["None", str(SCHEMA_VERSION)],
                               [str(tmp_path / "recall.db.v1.bak"), str(SCHEMA_VERSION)]])
    assert sorted(p.name for p in tmp_path.glob("recall.db.v*")) == ["recall.db.v1.bak"]
    assert contents(path) == migrated(before, 1)
    assert contents(tmp_path / "recall.db.v1.bak") == before
