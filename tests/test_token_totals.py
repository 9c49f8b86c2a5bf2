"""The token totals `recall stats` reads (schema v8) are kept by triggers on the reviews: after any mix of
reviews recorded and undone, and after migrating a database that already holds reviews, they equal the
sum over the reviews themselves."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, datetime, timezone
from pathlib import Path

import sqlite_utils

from recall import stats
from recall.schema import MIGRATIONS, SCHEMA_VERSION
from recall.store import ReviewInput, Store

TODAY = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
CARDS = ("nn.saturation", "nn.softmax", "nn.overfitting")


def summed(store: Store) -> list[dict]:
    """The totals as a sum over every review gives them, in token_usage's order."""
    return store.read_dicts(
        "SELECT grader, model, COUNT(*) AS reviews, SUM(input_tokens) AS input_tokens, "
        "SUM(output_tokens) AS output_tokens, SUM(cache_creation_tokens) AS cache_creation_tokens, "
        "SUM(cache_read_tokens) AS cache_read_tokens FROM reviews WHERE model IS NOT NULL "
        "GROUP BY grader, model ORDER BY reviews DESC, grader, model")


def graded(card_id: str, grader: str | None, model: str | None, tokens: int) -> ReviewInput:
    return ReviewInput(card_id, 4, grader=grader, model=model, input_tokens=tokens, output_tokens=2 * tokens,
                       cache_creation_tokens=tokens // 2, cache_read_tokens=3 * tokens)


MIXED = [graded("nn.saturation", "claude", "m1", 100), graded("nn.softmax", "claude", "m1", 7),
         graded("nn.overfitting", "claude", "m2", 40), graded("nn.saturation", None, "m1", 9),
         graded("nn.softmax", "offline", None, 0), graded("nn.overfitting", "claude", "m1", 1)]


def test_totals_equal_the_sum_after_reviews_of_several_graders_and_models(store):
    for review in MIXED:
        store.record_review(review, TODAY, NOON)
    assert stats.token_usage(store) == summed(store)
    assert [(row["grader"], row["model"], row["reviews"], row["input_tokens"]) for row in stats.token_usage(store)] \
        == [("claude", "m1", 3, 108), (None, "m1", 1, 9), ("claude", "m2", 1, 40)]


def test_an_undo_takes_its_tokens_back_and_the_last_review_of_a_model_its_row(store):
    records = [store.record_review(review, TODAY, NOON) for review in MIXED]
    store.undo_review(records[-1].id, NOON)  # claude m1, 1 token
    assert stats.token_usage(store)[0] == {"grader": "claude", "model": "m1", "reviews": 2, "input_tokens": 107,
                                           "output_tokens": 214, "cache_creation_tokens": 53,
                                           "cache_read_tokens": 321}
    store.undo_review(records[2].id, NOON)  # the only m2 review
    store.undo_review(records[4].id, NOON)  # offline: no model, no totals
    assert stats.token_usage(store) == summed(store)
    assert [row["model"] for row in stats.token_usage(store)] == ["m1", "m1"]


def test_a_database_migrated_with_reviews_starts_with_their_totals(tmp_path: Path, store):
    for review in MIXED:
        store.record_review(review, TODAY, NOON)
    expected = summed(store)
    old = tmp_path / "old.db"
    with closing(sqlite3.connect(old, isolation_level=None)) as conn:
        for step in MIGRATIONS[:SCHEMA_VERSION - 1]:
            step(sqlite_utils.Database(conn))
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
        conn.execute("ATTACH DATABASE ? AS source", [str(store.path)])
        for table in ("cards", "reviews"):
            columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM source.{table}")
        conn.execute("DETACH DATABASE source")
    with Store(old) as migrated:
        assert stats.token_usage(migrated) == expected
        migrated.record_review(graded("nn.softmax", "claude", "m2", 5), TODAY, NOON)
        assert stats.token_usage(migrated) == summed(migrated)
        assert [row["reviews"] for row in stats.token_usage(migrated) if row["model"] == "m2"] == [2]
