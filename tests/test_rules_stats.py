"""Rules of the collection statistics (recall/stats.py), one test each, found by mutation testing
(bench/mutation.py stats): retention counts a scheduled review of a learned card as passed at the pass
mark, 3, not at 4 (the drill pass mark); the streak; cost estimates; the counts and their windows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from recall.stats import collection_stats
from recall.store import ReviewInput, Store
from recall import stats

DAY = date(2026, 3, 1)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9).astimezone()


def test_retention_counts_a_3_as_passed_and_a_2_as_failed(store: Store) -> None:
    next_day = DAY + timedelta(days=1)
    for card_id, second_grade in (("nn.saturation", 3), ("nn.softmax", 2)):
        store.record_review(ReviewInput(card_id, 4), DAY, at(DAY))  # learned: not counted, it was new
        store.record_review(ReviewInput(card_id, second_grade), next_day, at(next_day))
    assert stats.retention(store, DAY) == (1, 2)
    summary = collection_stats(store, next_day)
    assert (summary["retention_30d"], summary["retention_reviews_30d"]) == (0.5, 2)


@pytest.mark.parametrize(("days_ago", "streak"), [
    ((0, 1, 2), 3),          # today and the two days before
    ((1, 2, 3), 3),          # today has no review yet: the streak ending yesterday still counts
    ((0, 2, 3), 1),          # a day without reviews ends it
    ((2, 3), 0),             # nothing today or yesterday
    ((), 0),
    ((0, -1, -2, 1), 2),     # later days (a clock set back) are not part of it
])
def test_the_streak_counts_consecutive_study_days_ending_today_or_yesterday(days_ago: tuple[int, ...],
                                                                          streak: int) -> None:
    assert stats.streak([DAY - timedelta(days=ago) for ago in days_ago], DAY) == streak


def test_a_cost_estimate_prices_each_kind_of_token_and_reads_a_missing_count_as_none() -> None:
    tokens = {"input_tokens": 1_000_000, "output_tokens": 100_000, "cache_creation_tokens": 10_000,
              "cache_read_tokens": 1_000}
    nothing = dict.fromkeys(tokens)
    rows = [{"model": "claude-opus-5", **tokens}, {"model": "claude-opus-5", **nothing},
            {"model": "local-llama", **tokens}]
    # opus, per million: 4.00 input, 20.00 output, 5.00 cache writes, 0.20 cache reads
    assert stats.priced(rows) == [{**rows[0], "estimated_cost_usd": pytest.approx(4 + 2 + 0.05 + 0.0002)},
                                  {**rows[1], "estimated_cost_usd": 0.0},
                                  {**rows[2], "estimated_cost_usd": None}]


def test_learned_cards_with_the_same_interval_or_the_same_easiness_are_counted_together(store: Store) -> None:
    store.record_review(ReviewInput("nn.saturation", 5), DAY, at(DAY))    # interval 1, easiness 2.6
    store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))       # interval 1, easiness 2.5
    store.record_review(ReviewInput("nn.overfitting", 4), DAY, at(DAY))
    next_day = DAY + timedelta(days=1)
    store.record_review(ReviewInput("nn.overfitting", 4), next_day, at(next_day))  # interval 6, easiness 2.5
    progress = stats.progress_stats(store, next_day)
    assert {row["bucket"]: row["cards"] for row in progress["intervals"] if row["cards"]} == {"1d": 2, "4-7d": 1}
    assert {row["bucket"]: row["cards"] for row in progress["easiness"] if row["cards"]} == {"2.5": 3}


def test_the_progress_charts_read_back_to_the_first_day_of_the_oldest_week_shown(tmp_path: Path,
                                                                                 small_deck) -> None:
    first_week = stats.week_start(DAY) - timedelta(weeks=stats.PROGRESS_WEEKS - 1)
    assert stats.progress_since(DAY) == first_week == date(2025, 12, 8)
    with Store(tmp_path / "old.db") as store:
        store.sync_decks([small_deck], at(first_week))
        progress = stats.progress_stats(store, DAY)
    assert progress["added_per_week"][0] == {"week": "2025-12-08", "cards": 3}


def test_the_collection_summary_counts_today_s_reviews_and_names_every_figure(store: Store) -> None:
    store.record_review(ReviewInput("nn.saturation", 4), DAY - timedelta(days=1), at(DAY - timedelta(days=1)))
    store.record_review(ReviewInput("nn.softmax", 4), DAY, at(DAY))
    assert collection_stats(store, DAY) == {
        "today": "2026-03-01", "cards": 3, "new": 1, "due_today": 1, "retired": 0, "reviews": 2,
        "reviewed_today": 1, "streak_days": 2, "retention_30d": None, "retention_reviews_30d": 0,
        "due_forecast": [1, 1] + [0] * 28, "decks": [{"deck": "Small", "cards": 3, "new": 1, "due": 1}],
        "token_usage": [], "drafting_token_usage": []}
    assert collection_stats(store, DAY + timedelta(days=2))["reviewed_today"] == 0


def test_time_per_day_is_shown_in_minutes_to_one_decimal_and_a_ratio_to_four() -> None:
    [activity] = stats.daily_activity([(DAY, 1, 3_000)], DAY, days=1)
    assert activity == {"day": "2026-03-01", "reviews": 1, "minutes": 0.1}   # 3 s is 0.05 min, shown as 0.1
    assert (stats.ratio(1, 3), stats.ratio(0, 0)) == (0.3333, None)
