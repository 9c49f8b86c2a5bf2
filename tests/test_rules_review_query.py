"""Rules of the review queries (`recall.review_query`), one test each: what the queries select when a
caller asks for no more than the filter, that a formula prefix touches text columns only, and that an
unknown column is refused naming the choices. Found by mutation testing (bench/mutation.py): the store
always passes every option, so its tests cannot see the module's own defaults."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from recall import review_query
from recall.review_query import REVIEW_COLUMNS, ReviewFilter
from recall.store import ReviewInput, Store

DAY = date(2026, 3, 1)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def reviewed(store: Store) -> Store:
    """nn.saturation reviewed on DAY and the next day, nn.softmax on the next day only; the next day's
    reviews are saved softmax first but happened saturation first."""
    next_day = DAY + timedelta(days=1)
    store.record_review(ReviewInput("nn.saturation", 4), DAY, at(DAY, 9))
    store.record_review(ReviewInput("nn.softmax", 5), next_day, at(next_day, 11))
    store.record_review(ReviewInput("nn.saturation", 3), next_day, at(next_day, 10))
    return store


def test_a_review_query_by_default_selects_every_review_of_the_days_asked_in_the_order_they_were_saved(
        reviewed: Store) -> None:
    """Not only whole histories (a card reviewed before `since` stays in), and by review id, not by time."""
    since = ReviewFilter(since=DAY + timedelta(days=1))
    sql, params = review_query.select_reviews(since, ["card_id", "quality"])
    assert reviewed.conn.execute(sql, params).fetchall() == [("nn.softmax", 5), ("nn.saturation", 3)]
    sql, params = review_query.count_reviews(since)
    assert reviewed.conn.execute(sql, params).fetchone() == (2,)


def test_a_formula_prefix_neutralises_text_columns_only_so_numbers_stay_numbers(reviewed: Store) -> None:
    """A grade of 4 starts with "4" like an answer may, but a number is no formula to a spreadsheet."""
    reviewed.record_review(ReviewInput("nn.softmax", 4, answer="4 layers", kind="drill"), DAY + timedelta(days=1),
                           at(DAY + timedelta(days=1), 12))
    rows = [row for batch in reviewed.review_batches(ReviewFilter(), ["quality", "answer"], formula_prefix=("4",))
            for row in batch]
    assert rows[-1] == (4, "'4 layers")


def test_an_unknown_review_column_is_refused_naming_every_column() -> None:
    with pytest.raises(ValueError) as refused:
        review_query.column_expressions(["card_id", "grade"])
    assert str(refused.value) == f"no review column 'grade'; choose from {', '.join(REVIEW_COLUMNS)}"
