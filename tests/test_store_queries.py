"""The store's review cursor API (what exports read, without writing SQL) and the deck-sync cache with a
file that has a bad card."""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from recall.database_file import StoreError
from recall.review_query import REVIEW_COLUMNS, ReviewFilter
from recall.store import ReviewInput, Store

DAY = date(2026, 3, 1)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def reviewed(store: Store) -> Store:
    """Seven reviews: nn.saturation on days 0, 1, 2 (each followed by a drill), nn.softmax on day 3."""
    for offset in range(3):
        day = DAY + timedelta(days=offset)
        store.record_review(ReviewInput("nn.saturation", 2, answer=f"=try {offset}"), day, at(day))
        store.record_review(ReviewInput("nn.saturation", 4, kind="drill"), day, at(day, 10))
    store.record_review(ReviewInput("nn.softmax", 5), DAY + timedelta(days=3), at(DAY + timedelta(days=3)))
    return store


def all_rows(store: Store, *args, **kwargs) -> list[tuple]:
    return [row for batch in store.review_batches(*args, **kwargs) for row in batch]


def test_batches_are_at_most_batch_size_and_cover_every_review(reviewed: Store) -> None:
    batches = list(reviewed.review_batches(ReviewFilter(), ["review_id"], batch_size=3))
    assert [len(batch) for batch in batches] == [3, 3, 1]
    assert [row[0] for batch in batches for row in batch] == list(range(1, 8))
    assert reviewed.count_reviews(ReviewFilter()) == 7


def test_columns_are_named_and_filters_select(reviewed: Store) -> None:
    rows = all_rows(reviewed, ReviewFilter(since=DAY + timedelta(days=1), until=DAY + timedelta(days=2)),
                    ["card_id", "study_day", "kind", "easiness"])
    assert [(row[1], row[2]) for row in rows] == [("2026-03-02", "scheduled"), ("2026-03-02", "drill"),
                                                  ("2026-03-03", "scheduled"), ("2026-03-03", "drill")]
    assert all(isinstance(row[3], float) for row in rows)
    assert all_rows(reviewed, ReviewFilter(deck="Small", card_id="nn.softmax"), ["quality"]) == [(5,)]
    assert reviewed.count_reviews(ReviewFilter(card_id="nn.overfitting")) == 0


def test_whole_histories_leave_out_cards_reviewed_before_since(reviewed: Store) -> None:
    since = ReviewFilter(since=DAY + timedelta(days=1))
    assert reviewed.count_reviews(since) == 5
    assert reviewed.count_reviews(since, whole_histories=True) == 1
    assert all_rows(reviewed, since, ["card_id"], whole_histories=True) == [("nn.softmax",)]


def test_time_order_and_formula_prefix(reviewed: Store) -> None:
    rows = all_rows(reviewed, ReviewFilter(card_id="nn.saturation"), ["answer", "quality"], order="time",
                    formula_prefix=("=",))
    assert rows[0] == ("'=try 0", 2) and rows[1] == ("", 4)
    assert all_rows(reviewed, ReviewFilter(card_id="nn.saturation"), ["answer"])[0] == ("=try 0",)


def test_an_unknown_column_is_refused(reviewed: Store) -> None:
    with pytest.raises(ValueError, match="no review column 'r.id; DROP TABLE'"):
        all_rows(reviewed, ReviewFilter(), ["r.id; DROP TABLE"])
    assert {"review_id", "was_new", "lapses_before"} <= set(REVIEW_COLUMNS)


def test_a_database_error_mid_iteration_is_a_store_error(reviewed: Store) -> None:
    batches = reviewed.review_batches(ReviewFilter(), ["review_id"], batch_size=2)
    next(batches)
    reviewed.conn.close()
    with pytest.raises(StoreError):
        next(batches)


def test_filtered_cards_are_active_ones_and_retired_ones_with_history_in_the_days(reviewed: Store) -> None:
    assert [card.id for card in reviewed.filtered_cards(ReviewFilter())] == [card.id for card in reviewed.cards()]
    cards = reviewed.cards()
    reviewed.sync_cards([card.to_card() for card in cards if card.id == "nn.overfitting"])  # retire two
    assert {card.id for card in reviewed.filtered_cards(ReviewFilter())} == {
        "nn.saturation", "nn.softmax", "nn.overfitting"}
    later = ReviewFilter(since=DAY + timedelta(days=3))
    assert {card.id for card in reviewed.filtered_cards(later)} == {"nn.softmax", "nn.overfitting"}
    assert reviewed.filtered_cards(ReviewFilter(since=DAY + timedelta(days=4))) == [reviewed.card("nn.overfitting")]
    [softmax] = reviewed.filtered_cards(ReviewFilter(card_id="nn.softmax"))
    assert softmax.retired and softmax.reviews == 1 and isinstance(softmax.key_points, tuple)


def test_a_deck_file_with_a_bad_card_reports_it_at_every_sync(tmp_path: Path, write_deck) -> None:
    """The cache never hides an error: the file's good cards load, and since the file is not trusted
    it is parsed again at the next start, which reports the bad card again."""
    deck = write_deck("a.toml", "a.one", {"id": "a.two", "prompt": None})
    past = time.time_ns() - 60 * 10**9
    os.utime(deck, ns=(past, past))
    with Store(tmp_path / "r.db") as store:
        for _start in range(2):
            synced = store.sync_decks([deck])
            assert [card.id for card in store.cards()] == ["a.one"]
            assert [problem.card_id for problem in synced.problems if problem.severity == "error"] == ["a.two"]
            assert synced.parsed_files == 1
        deck.write_text(deck.read_text().replace('id = "a.two"', 'id = "a.two"\nprompt = "fixed?"'))
        os.utime(deck, ns=(past + 10**9, past + 10**9))
        assert store.sync_decks([deck]).problems == []
        assert store.sync_decks([deck]).parsed_files == 0
