"""Rules of the schema and its migrations (recall/schema.py), one test each, found by mutation testing
(bench/mutation.py schema): what a new database holds, what a migration copies aside and what it refuses."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from recall.database_file import StoreError
from recall.schema import SCHEMA_VERSION, back_up
from recall.store import Store

# Every table and index of a new database as SQLite keeps its definition (whitespace collapsed): the
# columns, types, NOT NULL constraints and defaults the store's queries and inserts rely on.
LATEST_SCHEMA = [
    'CREATE TABLE "cards" ( "id" TEXT PRIMARY KEY, "deck" TEXT NOT NULL, "prompt" TEXT NOT NULL, "answer" TEXT '
    'NOT NULL, "key_points" TEXT NOT NULL, "tags" TEXT NOT NULL DEFAULT \'[]\', "demo" TEXT, "source" TEXT, '
    '"position" INTEGER DEFAULT 0, "content_hash" TEXT NOT NULL, "retired" INTEGER DEFAULT 0, "added_at" TEXT, '
    '"easiness_centi" INTEGER DEFAULT 250, "repetitions" INTEGER DEFAULT 0, "interval" INTEGER DEFAULT 0, '
    '"due" TEXT, "lapses" INTEGER DEFAULT 0, "reviews" INTEGER DEFAULT 0, "last_reviewed_at" TEXT , "core" '
    'INTEGER, "misconceptions" TEXT NOT NULL DEFAULT \'[]\', "stability" REAL, "difficulty" REAL, "suspended" '
    'INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE "deck_files" ( "path" TEXT PRIMARY KEY, "size" INTEGER NOT NULL, "mtime_ns" INTEGER, '
    '"content_hash" TEXT NOT NULL, "cards" INTEGER NOT NULL, "parser" TEXT NOT NULL, "ordinal" INTEGER NOT NULL )',
    'CREATE TABLE "drafts" ( "card_id" TEXT PRIMARY KEY, "text" TEXT, "updated_at" TEXT )',
    'CREATE TABLE "llm_usage" ( "id" INTEGER PRIMARY KEY, "at" TEXT NOT NULL, "purpose" TEXT NOT NULL, "model" '
    'TEXT NOT NULL, "input_tokens" INTEGER DEFAULT 0, "output_tokens" INTEGER DEFAULT 0, "cache_creation_tokens" '
    'INTEGER DEFAULT 0, "cache_read_tokens" INTEGER DEFAULT 0 )',
    'CREATE TABLE "meta" ( "key" TEXT PRIMARY KEY, "value" TEXT NOT NULL )',
    'CREATE TABLE review_token_totals (grader TEXT, model TEXT NOT NULL, reviews INTEGER NOT NULL, input_tokens '
    'INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL, cache_read_tokens '
    'INTEGER NOT NULL)',
    'CREATE TABLE "reviews" ( "id" INTEGER PRIMARY KEY, "card_id" TEXT NOT NULL REFERENCES "cards"("id"), '
    '"reviewed_at" TEXT NOT NULL, "study_day" TEXT NOT NULL, "kind" TEXT NOT NULL, "quality" INTEGER NOT NULL, '
    '"suggested_quality" INTEGER, "was_new" INTEGER DEFAULT 0, "easiness_before" INTEGER, "easiness_after" '
    'INTEGER, "interval_before" INTEGER, "interval_after" INTEGER, "repetitions_before" INTEGER, '
    '"repetitions_after" INTEGER, "due_before" TEXT, "due_after" TEXT, "lapses_before" INTEGER, '
    '"last_reviewed_before" TEXT, "duration_ms" INTEGER DEFAULT 0, "grader" TEXT, "model" TEXT, "prompt_version" '
    'TEXT, "input_tokens" INTEGER DEFAULT 0, "output_tokens" INTEGER DEFAULT 0, "cache_creation_tokens" INTEGER '
    'DEFAULT 0, "cache_read_tokens" INTEGER DEFAULT 0, "answer" TEXT DEFAULT \'\', "feedback" TEXT DEFAULT \'\' )',
    'CREATE INDEX idx_cards_added_at ON cards (added_at)',
    'CREATE INDEX idx_cards_hardest ON cards (retired, lapses DESC, easiness_centi, id) WHERE lapses > 0',
    'CREATE INDEX idx_cards_learned_spread ON cards (retired, interval, easiness_centi) WHERE reviews > 0',
    'CREATE INDEX idx_cards_retired_deck_due_reviews_suspended_position ON cards (retired, deck, due, reviews, '
    'suspended, position)',
    'CREATE INDEX "idx_cards_retired_due_position_id" ON "cards" ("retired", "due", "position", "id")',
    'CREATE INDEX "idx_cards_retired_position_id" ON "cards" ("retired", "position", "id")',
    "CREATE UNIQUE INDEX idx_review_token_totals_group ON review_token_totals (ifnull(grader, ''), model)",
    'CREATE INDEX "idx_reviews_card_id_id" ON "reviews" ("card_id", "id")',
    'CREATE INDEX "idx_reviews_reviewed_at" ON "reviews" ("reviewed_at")',
    'CREATE INDEX idx_reviews_study_day_progress ON reviews (study_day, kind, repetitions_before, quality, '
    'duration_ms)',
]


def test_a_new_database_has_every_column_default_and_index_of_the_latest_schema(tmp_path: Path) -> None:
    with Store(tmp_path / "new.db") as store:
        definitions = [" ".join(sql.split()) for (sql,) in store.conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('table', 'index') "
            "ORDER BY type DESC, name")]
        assert definitions == LATEST_SCHEMA
        assert store.schema_version == SCHEMA_VERSION
        assert store.conn.execute("SELECT key, value FROM meta").fetchall() == [("scheduler", "sm2")]


def test_a_database_file_is_kept_in_wal_mode_so_readers_never_wait(tmp_path: Path) -> None:
    Store(tmp_path / "wal.db").close()
    with closing(sqlite3.connect(tmp_path / "wal.db")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_from_a_newer_recall_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    content = path.read_bytes()
    with pytest.raises(StoreError) as refused:
        Store(path)
    assert str(refused.value) == (f"database {path} was written by a newer recall (schema {SCHEMA_VERSION + 1}, "
                                  f"this one knows {SCHEMA_VERSION}); upgrade recall, nothing was changed")
    assert path.read_bytes() == content
    assert sorted(item.name for item in tmp_path.iterdir()) == ["newer.db"]


def test_a_current_or_new_database_is_not_copied_aside(tmp_path: Path) -> None:
    for _opening in range(2):
        with Store(tmp_path / "current.db") as store:
            assert store.migration_backup is None
    assert sorted(item.name for item in tmp_path.iterdir() if ".bak" in item.name) == []


def test_each_backup_takes_the_next_free_number(tmp_path: Path) -> None:
    path = tmp_path / "recall.db"
    Store(path).close()
    copies = [back_up(path, 3) for _copy in range(3)]
    assert [copy.name for copy in copies] == ["recall.db.v3.bak", "recall.db.v3.2.bak", "recall.db.v3.3.bak"]
    with closing(sqlite3.connect(copies[2])) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_backup_that_fails_leaves_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "recall.db"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        back_up(path, 1)
    assert sorted(item.name for item in tmp_path.iterdir()) == ["recall.db"]
