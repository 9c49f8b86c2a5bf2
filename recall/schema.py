"""The database schema and its forward migrations, each version a function of its own.

`migrate` brings an open store's file to SCHEMA_VERSION inside one write transaction, after copying an
older file aside (`<db>.v<N>.bak`, never over an earlier copy), so a failed migration changes nothing.
sqlite-utils is imported only when a migration runs (through `Store.db`).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from recall.database_file import StoreError
from recall.scheduler import INITIAL_EASINESS_CENTI

if TYPE_CHECKING:
    import sqlite_utils

    from recall.store import Store


def _schema_v1(db: sqlite_utils.Database) -> None:
    db["cards"].create({
        "id": str, "deck": str, "prompt": str, "answer": str, "key_points": str, "tags": str,
        "demo": str, "source": str, "position": int, "content_hash": str, "retired": int,
        "added_at": str, "easiness_centi": int, "repetitions": int, "interval": int, "due": str,
        "lapses": int, "reviews": int, "last_reviewed_at": str,
    }, pk="id", not_null={"deck", "prompt", "answer", "key_points", "tags", "content_hash"},
        defaults={"retired": 0, "easiness_centi": INITIAL_EASINESS_CENTI, "repetitions": 0,
                  "interval": 0, "lapses": 0, "reviews": 0, "tags": "[]", "position": 0})
    db["reviews"].create({
        "id": int, "card_id": str, "reviewed_at": str, "study_day": str, "kind": str,
        "quality": int, "suggested_quality": int, "was_new": int,
        "easiness_before": int, "easiness_after": int, "interval_before": int, "interval_after": int,
        "repetitions_before": int, "repetitions_after": int, "due_before": str, "due_after": str,
        "lapses_before": int, "last_reviewed_before": str, "duration_ms": int,
        "grader": str, "model": str, "prompt_version": str, "input_tokens": int, "output_tokens": int,
        "cache_creation_tokens": int, "cache_read_tokens": int, "answer": str, "feedback": str,
    }, pk="id", foreign_keys=[("card_id", "cards", "id")],
        not_null={"card_id", "reviewed_at", "study_day", "kind", "quality"},
        defaults={"input_tokens": 0, "output_tokens": 0, "cache_creation_tokens": 0,
                  "cache_read_tokens": 0, "duration_ms": 0, "answer": "", "feedback": "", "was_new": 0})
    db["drafts"].create({"card_id": str, "text": str, "updated_at": str}, pk="card_id")
    db["cards"].create_index(["retired", "due"])
    db["reviews"].create_index(["card_id", "id"])
    db["reviews"].create_index(["study_day"])
    db["reviews"].create_index(["reviewed_at"])


def _schema_v2(db: sqlite_utils.Database) -> None:
    """The deck-file cache, so a start with unchanged deck files neither parses nor writes them; and
    indexes for what `due`, `cards` and `stats` read, measured on 100k cards and 1M reviews."""
    db["deck_files"].create({
        "path": str, "size": int, "mtime_ns": int, "content_hash": str, "cards": int, "parser": str,
        "ordinal": int,
    }, pk="path", not_null={"size", "content_hash", "cards", "parser", "ordinal"})
    db.execute("DROP INDEX idx_cards_retired_due")
    db["cards"].create_index(["retired", "due", "position", "id"])  # due and new cards, already in order
    db["cards"].create_index(["retired", "position", "id"])  # every card in deck order
    db["cards"].create_index(["retired", "deck", "due", "reviews", "position"])  # counts, read from the index
    db.execute("CREATE INDEX idx_reviews_token_usage ON reviews (grader, model, input_tokens, output_tokens, "
               "cache_creation_tokens, cache_read_tokens) WHERE model IS NOT NULL")


def _schema_v3(db: sqlite_utils.Database) -> None:
    """Each card's `core` (the number of the key point that carries the mechanism, or NULL) and its
    `misconceptions` (a JSON list of strings). The deck-file cache is emptied, so the next sync parses
    every deck file again and writes the new fields of cards whose files have not changed since."""
    db["cards"].add_column("core", int)
    db["cards"].add_column("misconceptions", str, not_null_default="[]")
    db.execute("DELETE FROM deck_files")


def _schema_v4(db: sqlite_utils.Database) -> None:
    """FSRS's memory state beside SM-2's (`stability`, `difficulty`, NULL under SM-2); `suspended`, which
    deck syncs never touch, so a suspended card keeps its history and stays out of sessions; and `meta`,
    which names the scheduler that computed the stored states (every state so far is SM-2's)."""
    db["cards"].add_column("stability", float)
    db["cards"].add_column("difficulty", float)
    db["cards"].add_column("suspended", int, not_null_default=0)
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"})
    db["meta"].insert({"key": "scheduler", "value": "sm2"})


def _schema_v5(db: sqlite_utils.Database) -> None:
    """Indexes for the progress charts of `recall stats`, so each reads an index instead of every card's
    text or every review: measured on 100k cards and 1M reviews. The reviews' study-day index grows into
    one that also covers what the daily activity and retention read."""
    db.execute("CREATE INDEX idx_cards_learned_spread ON cards (retired, interval, easiness_centi) WHERE reviews > 0")
    db.execute("CREATE INDEX idx_cards_hardest ON cards (retired, lapses DESC, easiness_centi, id) WHERE lapses > 0")
    db.execute("CREATE INDEX idx_cards_added_at ON cards (added_at)")
    db.execute("DROP INDEX idx_reviews_study_day")
    db.execute("CREATE INDEX idx_reviews_study_day_progress ON reviews "
               "(study_day, kind, repetitions_before, quality, duration_ms)")


def _schema_v6(db: sqlite_utils.Database) -> None:
    """Tokens spent outside grading (drafting cards and key points), one row a request, so `recall stats`
    counts their cost beside the reviews'."""
    db["llm_usage"].create({
        "id": int, "at": str, "purpose": str, "model": str, "input_tokens": int, "output_tokens": int,
        "cache_creation_tokens": int, "cache_read_tokens": int,
    }, pk="id", not_null={"at", "purpose", "model"},
        defaults={"input_tokens": 0, "output_tokens": 0, "cache_creation_tokens": 0, "cache_read_tokens": 0})


def _schema_v7(db: sqlite_utils.Database) -> None:
    """The card counts (the dashboard's, `recall stats`') read `suspended` since schema v4; without it in
    their covering index each count read every card's text instead: a scan of the whole cards table,
    seconds at 100k cards when it is not cached."""
    db.execute("DROP INDEX idx_cards_retired_deck_due_reviews_position")
    db.execute("CREATE INDEX idx_cards_retired_deck_due_reviews_suspended_position ON cards "
               "(retired, deck, due, reviews, suspended, position)")


TOKEN_COLUMNS = ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens")


def _schema_v8(db: sqlite_utils.Database) -> None:
    """Token totals per grader and model kept beside the reviews by triggers (a review added counts in,
    one deleted by an undo counts out), filled from the reviews already there. `recall stats` read them
    by summing some 700k index entries at a million reviews (0.5-0.7 s); now it reads a few rows. The
    index that sum read goes. A NULL grader is its own group, as in GROUP BY; a total that falls to
    zero reviews is removed, so the table holds exactly the groups the sum would give."""
    db.execute("DROP INDEX idx_reviews_token_usage")
    db.execute(f"CREATE TABLE review_token_totals (grader TEXT, model TEXT NOT NULL, reviews INTEGER NOT NULL, "
               f"{', '.join(f'{column} INTEGER NOT NULL' for column in TOKEN_COLUMNS)})")
    db.execute("CREATE UNIQUE INDEX idx_review_token_totals_group ON review_token_totals (ifnull(grader, ''), model)")
    sums = ", ".join(f"ifnull(SUM({column}), 0)" for column in TOKEN_COLUMNS)
    db.execute(f"INSERT INTO review_token_totals SELECT grader, model, COUNT(*), {sums} FROM reviews "
               "WHERE model IS NOT NULL GROUP BY grader, model")
    added = ", ".join(f"ifnull(new.{column}, 0)" for column in TOKEN_COLUMNS)
    plus = ", ".join(f"{column} = {column} + excluded.{column}" for column in TOKEN_COLUMNS)
    db.execute(f"CREATE TRIGGER review_token_totals_insert AFTER INSERT ON reviews WHEN new.model IS NOT NULL "
               f"BEGIN INSERT INTO review_token_totals VALUES (new.grader, new.model, 1, {added}) "
               f"ON CONFLICT (ifnull(grader, ''), model) DO UPDATE SET reviews = reviews + 1, {plus}; END")
    minus = ", ".join(f"{column} = {column} - ifnull(old.{column}, 0)" for column in TOKEN_COLUMNS)
    group = "grader IS old.grader AND model = old.model"
    db.execute(f"CREATE TRIGGER review_token_totals_delete AFTER DELETE ON reviews WHEN old.model IS NOT NULL "
               f"BEGIN UPDATE review_token_totals SET reviews = reviews - 1, {minus} WHERE {group}; "
               f"DELETE FROM review_token_totals WHERE {group} AND reviews = 0; END")


# Forward migrations: MIGRATIONS[n] takes a database at version n to version n + 1.
MIGRATIONS = [_schema_v1, _schema_v2, _schema_v3, _schema_v4, _schema_v5, _schema_v6, _schema_v7, _schema_v8]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(store: Store) -> Path | None:
    """Bring the store's file to SCHEMA_VERSION (WAL mode for a file); returns the copy of an older
    file made first, if any. Refuses, changing nothing, a file from a newer recall."""
    version = schema_version(store.conn)
    if version > SCHEMA_VERSION:
        raise StoreError(f"database {store.path} was written by a newer recall (schema {version}, this one "
                         f"knows {SCHEMA_VERSION}); upgrade recall, nothing was changed")
    if not store.in_memory:
        store.conn.execute("PRAGMA journal_mode = WAL")
    if version == SCHEMA_VERSION:
        return None
    backup = None
    with store.transaction():
        version = schema_version(store.conn)  # another recall may have migrated it while this one waited
        if version == SCHEMA_VERSION:
            return None
        if version > 0 and not store.in_memory:
            backup = back_up(store.path, version)
        for step in MIGRATIONS[version:]:
            step(store.db)
        store.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return backup


def back_up(path: Path, version: int) -> Path:
    """A consistent copy of the database at `version`, beside it, never over an earlier copy. It is
    read through a second connection: the store's holds the write lock (so nothing changes meanwhile),
    and SQLite's backup cannot read from a connection inside a write transaction."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    copies = 1
    while backup.exists():
        copies += 1
        backup = path.with_name(f"{path.name}.v{version}.{copies}.bak")
    with closing(sqlite3.connect(str(path))) as source, closing(sqlite3.connect(str(backup))) as target:
        try:
            source.backup(target)
        except BaseException:
            backup.unlink(missing_ok=True)
            raise
    return backup
