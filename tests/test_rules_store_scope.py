"""Rules of the store's queries for a session's scope and for the app's lists (recall/store.py), one test
each, found by mutation testing (bench/mutation.py store): deck and tag names, reviewing ahead,
suspending, where each card comes from, and the recent reviews read by column name."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import WriteDeck
from recall.store import ReviewInput, Store
from recall import stats

TODAY = date(2026, 3, 1)
PINNED = datetime(2026, 3, 1, 7, 30, tzinfo=timezone.utc)


@pytest.fixture
def two_decks(tmp_path: Path, write_deck: WriteDeck) -> Store:
    """Deck "B" (b.one tagged x and y, b.two tagged y) is listed first, then deck "A" (a.one, retired
    later in a test when its file goes)."""
    write_deck("1-b.toml", {"id": "b.one", "tags": ["y", "x"]}, {"id": "b.two", "tags": ["y"]}, deck="B")
    write_deck("2-a.toml", {"id": "a.one", "tags": ["z"]}, deck="A")
    store = Store(tmp_path / "recall.db")
    store.sync_decks([tmp_path / "decks"], PINNED)
    yield store
    store.close()


def review(store: Store, card_id: str, quality: int, day: date) -> None:
    store.record_review(ReviewInput(card_id, quality, "scheduled"), day, PINNED)


def test_deck_names_are_the_active_decks_in_deck_order_and_tags_sorted(two_decks: Store, tmp_path: Path) -> None:
    assert (two_decks.deck_names(), two_decks.tag_names()) == (["B", "A"], ["x", "y", "z"])
    (tmp_path / "decks" / "2-a.toml").unlink()
    two_decks.sync_decks([tmp_path / "decks"], PINNED)  # a.one retired: its deck and tag go
    assert (two_decks.deck_names(), two_decks.tag_names()) == (["B"], ["x", "y"])


def test_each_active_card_names_the_deck_file_it_comes_from(two_decks: Store, tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    assert two_decks.card_sources() == {"b.one": str(decks / "1-b.toml"), "b.two": str(decks / "1-b.toml"),
                                        "a.one": str(decks / "2-a.toml")}


def test_reviewing_ahead_takes_cards_due_within_the_days_soonest_first_not_those_graded_today(
        two_decks: Store) -> None:
    for card_id, first in (("a.one", TODAY - timedelta(days=3)), ("b.one", TODAY - timedelta(days=2))):
        review(two_decks, card_id, 4, first)
        review(two_decks, card_id, 4, first + timedelta(days=1))  # interval 6: a.one due in 4 days, b.one in 5
    review(two_decks, "b.two", 4, TODAY)  # due tomorrow, but already scheduled today
    assert [card.id for card in two_decks.due_ahead(TODAY, 5)] == ["a.one", "b.one"]
    assert [card.id for card in two_decks.due_ahead(TODAY, 4)] == ["a.one"]
    assert [card.id for card in two_decks.due_ahead(TODAY + timedelta(days=4), 5)] == ["b.one"]  # not due: ahead
    assert ([card.id for card in two_decks.due_ahead(TODAY, 5, deck="B")],
            [card.id for card in two_decks.due_ahead(TODAY, 5, tag="z")]) == (["b.one"], ["a.one"])


def test_a_suspended_card_leaves_every_session_list_and_comes_back(two_decks: Store) -> None:
    assert two_decks.set_suspended("b.one", True) is True
    assert two_decks.set_suspended("b.one", True) is False  # nothing changed
    assert [card.id for card in two_decks.new_cards(10)] == ["b.two", "a.one"]
    assert two_decks.card("b.one").suspended is True
    assert two_decks.set_suspended("b.one", False) is True
    assert [card.id for card in two_decks.new_cards(10)] == ["b.one", "b.two", "a.one"]


def test_a_read_only_query_hands_back_its_rows(two_decks: Store) -> None:
    assert two_decks.read("SELECT id FROM cards WHERE deck = ? ORDER BY id", ["B"]) == [("b.one",), ("b.two",)]


def test_recent_reviews_are_read_by_column_name_newest_first(two_decks: Store) -> None:
    review(two_decks, "b.one", 4, TODAY - timedelta(days=1))
    review(two_decks, "a.one", 2, TODAY)
    recent = two_decks.recent_reviews(5)
    assert [(row["card_id"], row["deck"], row["quality"], row["kind"], row["interval_after"], row["model"])
            for row in recent] == [("a.one", "A", 2, "scheduled", 1, None), ("b.one", "B", 4, "scheduled", 1, None)]


def test_deck_counts_are_read_by_column_name_in_deck_order(two_decks: Store) -> None:
    review(two_decks, "b.one", 4, TODAY - timedelta(days=1))  # due today
    two_decks.set_suspended("b.one", True)                    # ... but suspended: not counted as due
    review(two_decks, "a.one", 4, TODAY - timedelta(days=1))
    assert stats.deck_counts(two_decks, TODAY) == [{"deck": "B", "cards": 2, "new": 1, "due": 0},
                                            {"deck": "A", "cards": 1, "new": 0, "due": 1}]


def test_drafting_usage_is_summed_per_purpose_and_model_by_column_name(two_decks: Store) -> None:
    with two_decks.transaction():
        two_decks.conn.executemany(
            "INSERT INTO llm_usage (at, purpose, model, input_tokens, output_tokens, cache_creation_tokens, "
            "cache_read_tokens) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(PINNED.isoformat(), "draft", "m1", 10, 1, 2, 3), (PINNED.isoformat(), "draft", "m1", 20, 2, 0, 1),
             (PINNED.isoformat(), "points", "m2", 5, 5, 5, 5)])
    assert stats.drafting_usage(two_decks) == [
        {"purpose": "draft", "model": "m1", "requests": 2, "input_tokens": 30, "output_tokens": 3,
         "cache_creation_tokens": 2, "cache_read_tokens": 4},
        {"purpose": "points", "model": "m2", "requests": 1, "input_tokens": 5, "output_tokens": 5,
         "cache_creation_tokens": 5, "cache_read_tokens": 5}]


def test_new_cards_can_be_scoped_to_one_deck_or_one_tag(two_decks: Store) -> None:
    assert ([card.id for card in two_decks.new_cards(10, deck="A")],
            [card.id for card in two_decks.new_cards(10, tag="y")]) == (["a.one"], ["b.one", "b.two"])


def test_a_failed_recap_entry_owes_no_drill(two_decks: Store) -> None:
    review(two_decks, "b.one", 4, TODAY - timedelta(days=1))  # scheduled before: today's recap stays a recap
    assert two_decks.record_review(ReviewInput("b.one", 1, "recap"), TODAY, PINNED).kind == "recap"
    two_decks.record_review(ReviewInput("b.two", 1, "scheduled"), TODAY, PINNED)
    assert [card.id for card in two_decks.owed_drills(TODAY)] == ["b.two"]
