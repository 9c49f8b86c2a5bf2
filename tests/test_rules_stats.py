"""Rule: retention counts a scheduled review of a learned card as passed at the pass mark, 3, not at 4 (the
drill pass mark): a 3 is a pass (the card keeps its repetitions), a 2 a fail."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
