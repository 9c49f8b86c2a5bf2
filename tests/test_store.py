"""The SQLite store: schema, card sync, reviews and undo, drafts, transactions, refusing foreign files."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlite_utils

from recall.deck import load_decks
from recall.database_file import BUSY_TIMEOUT_MS, SQLITE_MAGIC, StoreError
from recall.deck_sync import SyncReport
from recall.schema import MIGRATIONS, SCHEMA_VERSION
from recall.store import ReviewInput, Store
from recall import stats

TODAY = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)
CARD = "nn.saturation"  # first in deck order
LAST = "nn.overfitting"  # last in deck order


def raw_card(store: Store, card_id: str) -> dict:
    """Every column of the card's row, including those CardRow leaves out."""
    return next(store.db.query("SELECT * FROM cards WHERE id = ?", [card_id]))


def review_rows(store: Store) -> list[dict]:
    return list(store.db.query("SELECT * FROM reviews ORDER BY id"))


def record(store: Store, quality: int, kind: str = "scheduled", card_id: str = CARD, today: date = TODAY,
           **fields) -> object:
    return store.record_review(ReviewInput(card_id, quality, kind, **fields), today, NOON)


def test_a_new_database_has_the_current_schema_wal_and_a_busy_timeout(store):
    assert store.schema_version == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert set(store.db.table_names()) >= {"cards", "reviews", "drafts"}


def test_reopening_keeps_everything(tmp_path, store):
    record(store, 4)
    store.close()
    with Store(tmp_path / "recall.db") as reopened:
        assert reopened.card(CARD).reviews == 1
        assert reopened.migration_backup is None


def test_an_in_memory_store_works(small_deck):
    with Store(":memory:") as memory:
        assert memory.sync_cards(load_decks([small_deck]).cards) == SyncReport(3, 0, 0, 0)


class TestSync:
    def test_first_sync_inserts_every_card_as_new(self, store):
        rows = store.cards()
        assert [r.id for r in rows] == ["nn.saturation", "nn.softmax", "nn.overfitting"]
        first = rows[0]
        assert (first.deck, first.tags, first.demo, first.retired) == ("Small", ("ch3",), "saturation", False)
        assert first.key_points[0] == "the derivative of the sigmoid is tiny when z is large in magnitude"
        assert (first.easiness_centi, first.repetitions, first.interval, first.due, first.lapses,
                first.reviews) == (250, 0, 0, None, 0, 0)

    def test_unchanged_cards_are_not_rewritten(self, store, small_deck):
        before = [raw_card(store, card.id) for card in store.cards()]
        assert store.sync_cards(load_decks([small_deck]).cards) == SyncReport(0, 0, 0, 3)
        assert [raw_card(store, card.id) for card in store.cards()] == before

    def test_an_edited_card_is_updated_and_keeps_its_state(self, store, small_deck):
        record(store, 5)
        state_before = store.card(CARD)
        cards = load_decks([small_deck]).cards
        cards[0] = replace(cards[0], prompt="Reworded: what is saturation?")
        assert store.sync_cards(cards) == SyncReport(0, 1, 0, 2)
        assert store.card(CARD) == replace(state_before, prompt="Reworded: what is saturation?")

    def test_core_and_misconceptions_are_stored_read_back_and_an_edit_resyncs(self, store, small_deck):
        record(store, 5)
        state_before = store.card(CARD)
        assert (state_before.core, state_before.misconceptions) == (None, ())
        assert (raw_card(store, CARD)["core"], raw_card(store, CARD)["misconceptions"]) == (None, "[]")
        cards = load_decks([small_deck]).cards
        cards[0] = replace(cards[0], core=2, misconceptions=("σ′ is zero on the tails", "the cost saturates"))
        assert store.sync_cards(cards) == SyncReport(0, 1, 0, 2)
        assert store.card(CARD) == replace(state_before, core=2, misconceptions=cards[0].misconceptions)
        assert raw_card(store, CARD)["misconceptions"] == '["σ′ is zero on the tails", "the cost saturates"]'
        assert store.card(CARD).to_card() == cards[0]
        assert store.sync_cards(cards) == SyncReport(0, 0, 0, 3)
        cards[0] = replace(cards[0], core=1)
        assert store.sync_cards(cards) == SyncReport(0, 1, 0, 2)
        assert store.cards()[0].core == 1 and store.due_cards(date(2030, 1, 1))[0].core == 1
        cards[0] = replace(cards[0], core=None, misconceptions=())
        assert store.sync_cards(cards) == SyncReport(0, 1, 0, 2)
        assert store.card(CARD) == state_before

    def test_a_removed_card_is_retired_with_its_history_and_state(self, store, small_deck):
        record(store, 4, card_id=LAST)
        state_before = store.card(LAST)
        assert store.sync_cards(load_decks([small_deck]).cards[:-1]) == SyncReport(0, 0, 1, 2)
        assert store.card(LAST) == replace(state_before, retired=True)
        assert LAST not in [r.id for r in store.cards()]
        assert LAST in [r.id for r in store.cards(include_retired=True)]
        assert LAST not in store.active_card_ids()
        assert len(store.reviews_for_card(LAST)) == 1
        assert store.due_cards(date(2030, 1, 1)) == []
        assert stats.card_counts(store, TODAY)["retired"] == 1

    def test_a_card_that_comes_back_is_unretired_with_its_state_intact(self, store, small_deck):
        record(store, 4, card_id=LAST)
        state_before = store.card(LAST)
        cards = load_decks([small_deck]).cards
        store.sync_cards(cards[:-1])
        assert store.sync_cards(cards) == SyncReport(0, 1, 0, 2)
        assert store.card(LAST) == state_before

    def test_a_moved_card_takes_its_new_position(self, store, small_deck):
        cards = load_decks([small_deck]).cards
        store.sync_cards(list(reversed(cards)))
        assert [r.id for r in store.cards()] == ["nn.overfitting", "nn.softmax", "nn.saturation"]


class TestReviews:
    def test_a_scheduled_review_updates_the_card(self, store):
        saved = record(store, 4)
        row = store.card(CARD)
        assert (row.easiness_centi, row.repetitions, row.interval, row.due, row.lapses, row.reviews) == (
            250, 1, 1, date(2026, 3, 2), 0, 1)
        assert (saved.kind, saved.quality, saved.interval, saved.repetitions, saved.due) == (
            "scheduled", 4, 1, 1, date(2026, 3, 2))
        assert raw_card(store, CARD)["last_reviewed_at"] == "2026-03-01T12:00:00.123Z"

    def test_every_field_of_a_review_is_stored(self, store):
        record(store, 5)
        record(store, 3, suggested_quality=4, answer="my words", feedback="**good**", duration_ms=4200,
               grader="claude", model="claude-haiku-5-5", prompt_version="v2", input_tokens=900,
               output_tokens=300, cache_creation_tokens=800, cache_read_tokens=700, today=date(2026, 3, 2))
        stored = review_rows(store)[1]
        del stored["id"]
        assert stored == {
            "card_id": CARD, "reviewed_at": "2026-03-01T12:00:00.123Z", "study_day": "2026-03-02",
            "kind": "scheduled", "quality": 3, "suggested_quality": 4, "was_new": 0,
            "easiness_before": 260, "easiness_after": 246, "interval_before": 1, "interval_after": 6,
            "repetitions_before": 1, "repetitions_after": 2, "due_before": "2026-03-02",
            "due_after": "2026-03-08", "lapses_before": 0, "last_reviewed_before": "2026-03-01T12:00:00.123Z",
            "duration_ms": 4200, "grader": "claude", "model": "claude-haiku-5-5", "prompt_version": "v2",
            "input_tokens": 900, "output_tokens": 300, "cache_creation_tokens": 800, "cache_read_tokens": 700,
            "answer": "my words", "feedback": "**good**",
        }
        assert review_rows(store)[0]["was_new"] == 1

    def test_a_failure_after_learning_counts_a_lapse(self, store):
        record(store, 1)
        assert store.card(CARD).lapses == 0
        record(store, 4, today=TODAY + timedelta(days=1))
        record(store, 2, today=TODAY + timedelta(days=2))
        assert (store.card(CARD).lapses, store.card(CARD).repetitions) == (1, 0)

    def test_a_drill_changes_history_but_not_the_schedule(self, store):
        record(store, 2)
        before = store.card(CARD)
        saved = record(store, 5, kind="drill")
        after = store.card(CARD)
        assert after == replace(before, reviews=before.reviews + 1)
        assert (saved.easiness_centi, saved.interval, saved.due) == (before.easiness_centi, 1, before.due)
        drill = review_rows(store)[-1]
        assert (drill["kind"], drill["was_new"], drill["easiness_after"], drill["due_after"]) == (
            "drill", 0, before.easiness_centi, before.due.isoformat())

    def test_new_cards_introduced_on_a_day_are_counted_once(self, store):
        record(store, 1)
        record(store, 4, kind="drill")
        record(store, 5, card_id="nn.softmax")
        assert store.new_introduced_on(TODAY) == 2
        assert store.new_introduced_on(date(2026, 3, 2)) == 0

    @pytest.mark.parametrize(("quality", "kind", "message"), [
        (6, "scheduled", "quality must be an integer from 0 to 5"),
        (-1, "scheduled", "quality must be an integer from 0 to 5"),
        (3, "cram", "review kind must be one of"),
    ])
    def test_an_invalid_review_is_refused_and_nothing_is_stored(self, store, quality, kind, message):
        with pytest.raises(ValueError, match=message):
            record(store, quality, kind=kind)
        assert store.review_count() == 0

    def test_a_review_of_an_unknown_card_raises_and_writes_nothing(self, store):
        before = raw_card(store, CARD)
        with pytest.raises(StoreError, match="no card with id 'nn.nothing'"):
            record(store, 4, card_id="nn.nothing")
        assert store.review_count() == 0
        assert raw_card(store, CARD) == before

    def test_an_error_inside_a_transaction_rolls_everything_back(self, store):
        with pytest.raises(RuntimeError), store.transaction():
            store.db.execute("UPDATE cards SET easiness_centi = 999 WHERE id = ?", [CARD])
            raise RuntimeError("the grader crashed half-way")
        assert store.card(CARD).easiness_centi == 250

    def test_a_database_error_becomes_a_store_error_and_rolls_back(self, store):
        with pytest.raises(StoreError, match="database .*recall.db: "), store.transaction():
            store.db.execute("UPDATE cards SET easiness_centi = 999 WHERE id = ?", [CARD])
            store.db.execute("INSERT INTO reviews (card_id, reviewed_at, study_day, kind, quality) "
                             "VALUES ('nn.nothing', 't', 'd', 'scheduled', 3)")
        assert store.card(CARD).easiness_centi == 250
        assert store.review_count() == 0


class TestUndo:
    def test_undo_restores_the_exact_previous_state(self, store):
        record(store, 5)
        before = (store.card(CARD), raw_card(store, CARD))
        undone = store.undo_review(record(store, 1, answer="sigma flat", today=date(2026, 3, 2)).id, NOON)
        assert (store.card(CARD), raw_card(store, CARD)) == before
        assert (undone.card_id, undone.quality, undone.interval, undone.due) == (CARD, 1, 1, date(2026, 3, 2))
        assert store.review_count() == 1

    def test_undo_puts_the_answer_back_as_a_draft(self, store):
        store.undo_review(record(store, 3, answer="my explanation").id, NOON)
        assert store.draft(CARD) == "my explanation"

    def test_undo_of_a_review_with_no_answer_leaves_no_draft(self, store):
        store.undo_review(record(store, 3).id, NOON)
        assert store.drafts() == {}

    def test_undo_takes_back_a_drill(self, store):
        record(store, 2)
        before = raw_card(store, CARD)
        assert store.undo_review(record(store, 4, kind="drill").id, NOON).kind == "drill"
        assert raw_card(store, CARD) == before

    def test_undo_of_a_first_review_makes_the_card_new_again(self, store):
        before = raw_card(store, CARD)
        store.undo_review(record(store, 4).id, NOON)
        assert raw_card(store, CARD) == before
        assert store.card(CARD).is_new
        assert store.new_introduced_on(TODAY) == 0

    def test_undo_refuses_a_review_that_is_gone(self, store):
        review_id = record(store, 4).id
        store.undo_review(review_id, NOON)
        with pytest.raises(StoreError, match="no longer in the database .*nothing was undone"):
            store.undo_review(review_id, NOON)

    def test_undo_refuses_a_review_followed_by_another_of_its_card(self, store):
        first = record(store, 2)
        record(store, 4, kind="drill")
        before = raw_card(store, CARD)
        with pytest.raises(StoreError, match=f"{CARD} was reviewed again since .*nothing was undone"):
            store.undo_review(first.id, NOON)
        assert raw_card(store, CARD) == before and store.review_count() == 2

    def test_undo_takes_back_its_own_review_not_the_newest_in_the_database(self, store):
        mine = record(store, 4)
        before_other = raw_card(store, "nn.softmax")
        other = record(store, 5, card_id="nn.softmax")
        store.undo_review(mine.id, NOON)
        assert [row["id"] for row in store.reviews_for_card("nn.softmax")] == [other.id]
        assert raw_card(store, "nn.softmax") != before_other
        assert store.reviews_for_card(CARD) == []


class TestDrafts:
    def test_save_restore_and_clear(self, store):
        assert store.draft(CARD) is None
        store.save_draft(CARD, "first try")
        store.save_draft(CARD, "second try")
        store.save_draft("nn.softmax", "exp over sum")
        assert store.draft(CARD) == "second try"
        assert store.drafts() == {CARD: "second try", "nn.softmax": "exp over sum"}
        store.save_draft(CARD, "  \n")
        assert store.draft(CARD) is None

    def test_recording_a_review_clears_the_draft(self, store):
        store.save_draft(CARD, "typed")
        record(store, 4, answer="typed")
        assert store.draft(CARD) is None


class TestQueries:
    def test_due_cards_are_most_overdue_first_and_new_cards_in_deck_order(self, store):
        record(store, 4, card_id="nn.overfitting", today=date(2026, 2, 20))
        record(store, 4, card_id="nn.softmax", today=date(2026, 2, 25))
        assert [r.id for r in store.due_cards(TODAY)] == ["nn.overfitting", "nn.softmax"]
        assert [r.id for r in store.due_cards(date(2026, 2, 21))] == ["nn.overfitting"]
        assert [r.id for r in store.new_cards(5)] == [CARD]
        assert store.new_cards(0) == [] and store.new_cards(-3) == []

    def test_counts_forecast_retention_and_days(self, store):
        record(store, 4, today=date(2026, 2, 27))                 # due 2026-02-28: overdue
        record(store, 4, card_id="nn.softmax", today=TODAY)       # due 2026-03-02
        record(store, 2, card_id="nn.softmax", kind="drill", today=TODAY)
        assert stats.card_counts(store, TODAY) == {"active": 3, "new": 1, "due": 1, "retired": 0}
        assert stats.due_forecast(store, TODAY, 3) == [1, 1, 0]
        assert stats.study_days(store) == [TODAY, date(2026, 2, 27)]
        assert stats.reviews_per_day(store, TODAY) == {TODAY: (2, 3.0)}
        record(store, 1, today=TODAY)
        assert stats.retention(store, date(2026, 1, 1)) == (0, 1)

    def test_token_usage_is_summed_per_model(self, store):
        record(store, 4, grader="claude", model="m1", input_tokens=10, output_tokens=5)
        record(store, 4, card_id="nn.softmax", grader="claude", model="m1", input_tokens=1, output_tokens=2)
        record(store, 4, card_id="nn.overfitting", grader="offline")
        assert stats.token_usage(store) == [{"grader": "claude", "model": "m1", "reviews": 2, "input_tokens": 11,
                                        "output_tokens": 7, "cache_creation_tokens": 0,
                                        "cache_read_tokens": 0}]


class TestForeignFiles:
    @pytest.mark.parametrize("content", [b"# my notes\n", b"SQLite format 2\x00" + b"\x00" * 100,
                                         b"\x89PNG\r\n\x1a\n" * 10])
    def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(self, tmp_path, content):
        path = tmp_path / "notes.db"
        path.write_bytes(content)
        with pytest.raises(StoreError, match="is not an SQLite database; recall left it untouched"):
            Store(path)
        assert path.read_bytes() == content
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]

    def test_a_damaged_database_is_refused_and_left_untouched(self, tmp_path):
        path = tmp_path / "damaged.db"
        content = SQLITE_MAGIC + b"\xff" * 200
        path.write_bytes(content)
        with pytest.raises(StoreError, match="is damaged .*; restore a backup or move it aside"):
            Store(path)
        assert path.read_bytes() == content

    def test_a_directory_is_refused(self, tmp_path):
        with pytest.raises(StoreError, match="is a directory, not a database file"):
            Store(tmp_path)

    def test_an_empty_file_becomes_a_new_database(self, tmp_path):
        path = tmp_path / "empty.db"
        path.touch()
        with Store(path) as opened:
            assert opened.schema_version == SCHEMA_VERSION

    def test_a_database_from_a_newer_recall_is_refused_unchanged(self, tmp_path):
        path = tmp_path / "future.db"
        with Store(path) as opened:
            opened.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
            opened.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        content = path.read_bytes()
        with pytest.raises(StoreError, match=f"newer recall \\(schema {SCHEMA_VERSION + 1}, this one knows "
                                             f"{SCHEMA_VERSION}\\); upgrade recall, nothing was changed"):
            Store(path)
        assert path.read_bytes() == content

    def test_a_version_1_database_is_migrated_with_a_backup(self, tmp_path):
        path = tmp_path / "old.db"
        with sqlite_utils.Database(path) as old:
            MIGRATIONS[0](old)
            old.execute("PRAGMA user_version = 1")
        opened = subprocess.run(
            [sys.executable, "-c", "import sys; from recall.store import Store; "
                                   "s = Store(sys.argv[1]); print(s.schema_version, s.migration_backup)", str(path)],
            capture_output=True, text=True, timeout=120)
        assert opened.stdout.split() == [str(SCHEMA_VERSION), f"{path}.v1.bak"], opened.stderr

    def test_a_missing_directory_is_created(self, tmp_path):
        with Store(tmp_path / "a" / "b" / "recall.db") as opened:
            assert Path(opened.path).parent.is_dir()


def test_recent_reviews_are_the_newest_across_cards_with_their_deck(store):
    from datetime import date

    from recall.store import ReviewInput

    for card_id in ("nn.saturation", "nn.softmax", "nn.overfitting", "nn.softmax"):
        store.record_review(ReviewInput(card_id, 4, answer=f"about {card_id}"), date(2026, 11, 27))
    newest = store.recent_reviews(3)
    assert [r["card_id"] for r in newest] == ["nn.softmax", "nn.overfitting", "nn.softmax"]
    assert [r["id"] for r in newest] == sorted((r["id"] for r in newest), reverse=True)
    assert {r["deck"] for r in newest} == {"Small"} and newest[0]["answer"] == "about nn.softmax"


def test_sync_decks_refuses_a_missing_path_and_retires_nothing(store, small_deck, tmp_path):
    with pytest.raises(StoreError, match="no such deck file or directory"):
        store.sync_decks([small_deck, tmp_path / "typo.toml"])
    assert len(store.cards()) == 3
