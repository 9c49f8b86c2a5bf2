"""Rules of the store (recall/store.py), one test each, found by mutation testing (bench/mutation.py store):
the same-day drill decided inside the store, what a review and an undo hand back, what is stamped with the
moment given, durability, the due forecast's window and the card counts."""

from __future__ import annotations

import json
import os
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from recall.clock import iso_utc
from recall.deck import load_decks
from recall.fsrs_scheduler import FsrsScheduler
from recall.review_query import ReviewFilter
from recall.scheduler import replay
from recall.sm2 import Sm2Scheduler
from recall.store import ReviewInput, Store, StoreError
from recall import stats

TODAY = date(2026, 3, 1)
PINNED = datetime(2026, 3, 1, 7, 30, 15, 250_000, tzinfo=timezone.utc)  # not the real time, whenever it runs


def review(store: Store, card_id: str, quality: int, day: date = TODAY, kind: str = "scheduled", **fields: object):
    return store.record_review(ReviewInput(card_id, quality, kind, **fields), day, PINNED)  # type: ignore[arg-type]


@pytest.mark.parametrize(("first_day", "kind", "second"), [
    (TODAY, "scheduled", "drill"),                       # a second review the same study day is a drill
    (TODAY - timedelta(days=1), "scheduled", "scheduled"),
    (TODAY - timedelta(days=1), "drill", "drill"),       # a drill asked of a card scheduled before stays one
])
def test_the_store_schedules_a_card_at_most_once_a_study_day(store: Store, first_day: date, kind: str,
                                                            second: str) -> None:
    review(store, "nn.softmax", 4, first_day)
    assert review(store, "nn.softmax", 4, TODAY, kind).kind == second


def test_a_recorded_review_hands_back_its_card_grade_and_new_state_and_stores_its_duration(store: Store) -> None:
    recorded = review(store, "nn.softmax", 4, duration_ms=0)
    assert (recorded.card_id, recorded.kind, recorded.quality, recorded.interval, recorded.repetitions,
            recorded.easiness_centi, recorded.due) == ("nn.softmax", "scheduled", 4, 1, 1, 250, TODAY + timedelta(1))
    review(store, "nn.overfitting", 4, duration_ms=-5)  # a clock that went backwards
    durations = store.conn.execute("SELECT card_id, duration_ms FROM reviews ORDER BY id").fetchall()
    assert durations == [("nn.softmax", 0), ("nn.overfitting", 0)]


def test_undo_hands_back_the_review_and_puts_its_explanation_back_stamped_now(store: Store) -> None:
    review(store, "nn.softmax", 4, TODAY - timedelta(days=1))
    taken = review(store, "nn.softmax", 5, answer="second try")
    undone = store.undo_review(taken.id, PINNED + timedelta(hours=1))
    assert (undone.id, undone.card_id, undone.kind, undone.quality, undone.easiness_centi, undone.interval,
            undone.repetitions, undone.due) == (taken.id, "nn.softmax", "scheduled", 5, 250, 1, 1, TODAY)
    assert store.conn.execute("SELECT text, updated_at FROM drafts").fetchall() == [
        ("second try", iso_utc(PINNED + timedelta(hours=1)))]
    with pytest.raises(StoreError) as gone:
        store.undo_review(taken.id)
    assert str(gone.value) == ("that review is no longer in the database (another recall took it back); "
                               "nothing was undone")


def test_drafts_and_synced_cards_are_stamped_with_the_moment_given(tmp_path: Path, small_deck: Path) -> None:
    with Store(tmp_path / "a.db") as by_cards, Store(tmp_path / "b.db") as by_decks:
        by_cards.sync_cards(load_decks([small_deck]).cards, now=PINNED)
        by_decks.sync_decks([small_deck], now=PINNED)
        by_cards.save_draft("nn.softmax", "half a thought", now=PINNED)
        for store in (by_cards, by_decks):
            assert {row[0] for row in store.conn.execute("SELECT added_at FROM cards")} == {iso_utc(PINNED)}
        assert by_cards.conn.execute("SELECT updated_at FROM drafts").fetchall() == [(iso_utc(PINNED),)]


def test_every_commit_is_flushed_to_disk_and_works_from_another_thread(store: Store) -> None:
    """synchronous = FULL: a review reported as recorded survives a power cut. The study app's store
    thread is not the thread that made every connection."""
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    outcome: list[object] = []
    worker = threading.Thread(target=lambda: outcome.append(review(store, "nn.softmax", 4).kind))
    worker.start()
    worker.join(timeout=30)
    assert outcome == ["scheduled"]


def test_an_in_memory_store_touches_no_file(tmp_path: Path, small_deck: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    with Store(":memory:") as store:
        assert store.in_memory and store.migration_backup is None
        store.sync_cards(load_decks([small_deck]).cards)
        assert review(store, "nn.softmax", 4).kind == "scheduled"
    assert list(here.iterdir()) == []


def test_the_due_forecast_counts_overdue_cards_today_and_covers_exactly_the_days_asked(store: Store) -> None:
    review(store, "nn.saturation", 4, TODAY - timedelta(days=3))  # due 2 days ago: counts today
    review(store, "nn.softmax", 4, TODAY - timedelta(days=2))     # due yesterday: counts today too
    review(store, "nn.overfitting", 4, TODAY + timedelta(days=2))  # due the 4th day
    assert stats.due_forecast(store, TODAY, 4) == [2, 0, 0, 1]
    assert stats.due_forecast(store, TODAY, 3) == [2, 0, 0]  # the 4th day is outside a 3-day window


def test_card_counts_tell_active_new_due_and_retired_cards_apart(store: Store, small_deck: Path) -> None:
    review(store, "nn.saturation", 4, TODAY - timedelta(days=1))  # due today
    review(store, "nn.softmax", 4, TODAY - timedelta(days=2))     # overdue
    store.sync_cards([card for card in load_decks([small_deck]).cards if card.id != "nn.overfitting"])
    assert stats.card_counts(store, TODAY) == {"active": 2, "new": 0, "due": 2, "retired": 1}
    assert stats.card_counts(store, TODAY - timedelta(days=2)) == {"active": 2, "new": 0, "due": 0, "retired": 1}
    assert [card.id for card in store.cards()] == ["nn.saturation", "nn.softmax"]
    assert sorted(card.id for card in store.cards(include_retired=True)) == ["nn.overfitting", "nn.saturation",
                                                                             "nn.softmax"]


def test_an_unknown_card_is_none_and_a_card_without_a_file_has_no_source(store: Store) -> None:
    assert store.card("nn.nothing") is None
    store.conn.execute("UPDATE cards SET source = NULL WHERE id = 'nn.softmax'")
    assert store.card("nn.softmax").to_card().source is None


def test_reviews_come_in_time_order_when_asked_and_in_id_order_otherwise(store: Store) -> None:
    store.record_review(ReviewInput("nn.softmax", 4), TODAY, PINNED + timedelta(hours=1))
    store.record_review(ReviewInput("nn.overfitting", 4), TODAY, PINNED)  # recorded later, happened earlier
    by_id = [row[0] for batch in store.review_batches(ReviewFilter(), ["card_id"]) for row in batch]
    by_time = [row[0] for batch in store.review_batches(ReviewFilter(), ["card_id"], order="time") for row in batch]
    assert (by_id, by_time) == (["nn.softmax", "nn.overfitting"], ["nn.overfitting", "nn.softmax"])


# -- opening: the scheduler that computed the states, and errors as sentences ------------------------------

def test_a_store_given_another_scheduler_replays_every_cards_log_through_it_and_records_it(
        tmp_path: Path, small_deck: Path) -> None:
    path = tmp_path / "recall.db"
    with Store(path, Sm2Scheduler()) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        review(store, "nn.softmax", 4, TODAY - timedelta(days=3))
        review(store, "nn.softmax", 2, TODAY)
        review(store, "nn.overfitting", 5, TODAY)
    fsrs = FsrsScheduler()
    with Store(path, fsrs) as store:
        logs = dict(store.card_logs())
        states = {card_id: state for card_id, state, _ in store.card_states()}
        assert set(logs) == {"nn.softmax", "nn.overfitting"}
        assert {card_id: states[card_id] for card_id in logs} == {
            card_id: replay(fsrs, log) for card_id, log in logs.items()}
        assert all(states[card_id].stability is not None for card_id in logs)
        assert states["nn.saturation"].due is None  # never reviewed: still new
        assert store.conn.execute("SELECT key, value FROM meta WHERE key = 'scheduler'").fetchall() == [
            ("scheduler", fsrs.identity)]
    with Store(path) as look:  # no scheduler given: a look at the cards, no replay
        assert look.card("nn.softmax").stability == states["nn.softmax"].stability
    with Store(path, Sm2Scheduler()) as store:
        assert store.card("nn.softmax").stability is None
        assert {card_id: state for card_id, state, _ in store.card_states() if card_id in logs} == {
            card_id: replay(Sm2Scheduler(), log) for card_id, log in logs.items()}


def test_a_database_with_no_scheduler_recorded_is_replayed_through_the_one_given(
        tmp_path: Path, small_deck: Path) -> None:
    path = tmp_path / "recall.db"
    with Store(path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        review(store, "nn.softmax", 4)
        store.conn.execute("DELETE FROM meta WHERE key = 'scheduler'")
    with Store(path, Sm2Scheduler()) as store:
        assert store.conn.execute("SELECT value FROM meta WHERE key = 'scheduler'").fetchall() == [("sm2",)]
        assert store.card("nn.softmax").interval == 1


def test_an_fsrs_review_stores_and_reads_back_its_stability_and_difficulty(tmp_path: Path, small_deck: Path) -> None:
    """The second review starts from the first one's stability and difficulty, as a replay does."""
    fsrs = FsrsScheduler()
    with Store(tmp_path / "recall.db", fsrs) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        review(store, "nn.softmax", 4, TODAY - timedelta(days=3))
        review(store, "nn.softmax", 3, TODAY)
        stored = store.conn.execute("SELECT stability, difficulty FROM cards WHERE id = 'nn.softmax'").fetchone()
        expected = replay(fsrs, dict(store.card_logs())["nn.softmax"])
        assert stored == (expected.stability, expected.difficulty) and None not in stored
        row = store.card("nn.softmax")
        assert (row.stability, row.difficulty) == stored
        states = {card_id: state for card_id, state, _ in store.card_states()}
        assert states["nn.softmax"] == expected


def test_a_statement_outside_a_transaction_is_committed_at_once(store: Store, tmp_path: Path) -> None:
    """The connection is in autocommit mode: recall opens every write transaction itself (BEGIN
    IMMEDIATE), and a schema step or a repair run outside one is not left pending."""
    store.conn.execute("UPDATE cards SET lapses = 7 WHERE id = 'nn.softmax'")
    assert not store.conn.in_transaction
    with Store(store.path) as other:
        assert other.card("nn.softmax").lapses == 7


def test_the_reviews_of_a_card_are_read_by_column_name_newest_first(store: Store) -> None:
    review(store, "nn.softmax", 3, TODAY - timedelta(days=1), answer="first", feedback="f1", grader="offline")
    review(store, "nn.softmax", 5, TODAY, answer="second", feedback="f2", grader="claude", model="m",
           suggested_quality=4)
    newest, oldest = store.reviews_for_card("nn.softmax")
    assert {key: newest[key] for key in ("kind", "quality", "suggested_quality", "grader", "model", "answer",
                                         "feedback", "interval_after", "easiness_after")} == {
        "kind": "scheduled", "quality": 5, "suggested_quality": 4, "grader": "claude", "model": "m",
        "answer": "second", "feedback": "f2", "interval_after": 6, "easiness_after": 246}
    assert newest["id"] > oldest["id"] and newest["reviewed_at"] == iso_utc(PINNED)
    assert (oldest["answer"], oldest["interval_after"]) == ("first", 1)


def test_cards_includes_the_retired_ones_only_when_asked(store: Store, small_deck: Path) -> None:
    store.sync_cards([card for card in load_decks([small_deck]).cards if card.id != "nn.softmax"])
    assert [row.id for row in store.cards()] == ["nn.saturation", "nn.overfitting"]
    everything = store.cards(include_retired=True)
    assert sorted(row.id for row in everything) == ["nn.overfitting", "nn.saturation", "nn.softmax"]
    assert [row.id for row in everything if row.retired] == ["nn.softmax"]


def test_card_summaries_are_the_active_cards_in_deck_order_with_their_state_and_leech_flag(
        store: Store, small_deck: Path) -> None:
    review(store, "nn.softmax", 4, TODAY - timedelta(days=2))
    review(store, "nn.softmax", 1, TODAY)
    store.set_suspended("nn.overfitting", True)
    store.sync_cards([card for card in load_decks([small_deck]).cards if card.id != "nn.saturation"])
    summaries = json.loads(store.card_summaries_json(leech_lapses=1))
    assert [summary["id"] for summary in summaries] == ["nn.softmax", "nn.overfitting"]
    softmax, overfitting = summaries
    assert softmax == {
        "id": "nn.softmax", "deck": "Small", "prompt": "What does a softmax layer output?", "tags": [], "demo": None,
        "due": (TODAY + timedelta(days=1)).isoformat(), "interval": 1, "repetitions": 0, "easiness": 1.96,
        "lapses": 1, "reviews": 2, "stability": None, "difficulty": None, "suspended": False, "leech": True}
    assert (overfitting["suspended"], overfitting["leech"], overfitting["due"], overfitting["reviews"]) == (
        True, False, None, 0)
    assert [s["id"] for s in json.loads(store.card_summaries_json(leech_lapses=1, leeches_only=True))] == [
        "nn.softmax"]
    assert json.loads(store.card_summaries_json(leech_lapses=2, leeches_only=True)) == []
    assert json.loads(store.card_summaries_json())[0]["leech"] is False  # the default: 8 lapses


def test_a_data_directory_that_cannot_be_made_is_one_sentence_naming_it(tmp_path: Path) -> None:
    (tmp_path / "data").symlink_to(tmp_path / "nowhere")  # a dangling link where the folder would be
    with pytest.raises(StoreError) as refused:
        Store(tmp_path / "data" / "recall.db")
    assert str(refused.value) == f"cannot create the data directory {tmp_path / 'data'}: File exists"


def test_a_database_sqlite_cannot_create_is_one_sentence_naming_it() -> None:
    """/proc takes no new file, even from root; a user who is not root is stopped before SQLite is."""
    path = Path("/proc/recall-test.db")
    if not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /proc")
    with pytest.raises(StoreError) as refused:
        Store(path)
    assert str(refused.value) == (
        f"cannot open database {path}; check that its folder exists and is writable" if os.access("/proc", os.W_OK)
        else f"the folder /proc is read-only, and recall writes its database and the database's -wal file there; "
             "make it writable or use another --db (nothing was changed)")


def test_a_database_damaged_past_its_header_is_one_sentence_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "recall.db"
    Store(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema's page, past the 100-byte file header
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as refused:
        Store(path)
    assert str(refused.value) == (f"database {path} is damaged (database disk image is malformed); restore a "
                                  "backup or move it aside")
