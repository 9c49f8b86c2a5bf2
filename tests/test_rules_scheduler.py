"""Rules of `recall.scheduler` that hold for every scheduler, one test each: what a recap entry does to a
card, how the 0-5 grades map to FSRS's and Anki's four buttons, when a card is a leech, and that the
FSRS setting reaches FSRS. Found by mutation testing (bench/mutation.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from recall.scheduler import (
    DEFAULT_LEECH_LAPSES,
    CardState,
    Grade,
    four_point_rating,
    is_leech,
    recap_state,
    scheduler_named,
)

DAY = date(2026, 3, 1)
LEARNT = CardState(easiness_centi=236, repetitions=3, interval=15, due=DAY + timedelta(days=5), lapses=1,
                   stability=12.5, difficulty=5.25)


@pytest.mark.parametrize("grade", [Grade.HARD, Grade.GOOD, Grade.EASY])
def test_a_passed_recap_entry_never_moves_the_card(grade: Grade) -> None:
    assert recap_state(LEARNT, grade, DAY) == LEARNT


@pytest.mark.parametrize(("due_in", "interval", "shortened"), [
    (5, 15, 10),  # scheduled 10 days ago for 15: due today, 10 days after its last scheduling
    (5, 6, 1),    # scheduled yesterday: an interval of 1 day
    (5, 5, 1),    # scheduled today: still at least 1
    (1, 1, 1),
])
def test_a_failed_recap_entry_makes_the_card_due_today_with_the_days_since_it_was_scheduled(
        due_in: int, interval: int, shortened: int) -> None:
    card = replace(LEARNT, interval=interval, due=DAY + timedelta(days=due_in))
    assert recap_state(card, Grade.ALMOST, DAY) == replace(card, due=DAY, interval=shortened)


@pytest.mark.parametrize("due", [None, DAY, DAY - timedelta(days=3)])
def test_a_failed_recap_entry_leaves_a_card_never_scheduled_due_today_or_overdue_as_it_was(
        due: date | None) -> None:
    """Its own scheduled review (today's, or its first) decides what the fail does."""
    card = replace(LEARNT, due=due)
    assert recap_state(card, Grade.FORGOT, DAY) == card


def test_grades_0_to_2_are_again_and_3_to_5_are_hard_good_and_easy_on_four_buttons() -> None:
    assert [four_point_rating(quality) for quality in range(6)] == [1, 1, 1, 2, 3, 4]


def test_a_card_is_a_leech_from_its_fourth_lapse_or_the_number_configured() -> None:
    assert DEFAULT_LEECH_LAPSES == 4
    assert [is_leech(lapses) for lapses in range(6)] == [False, False, False, False, True, True]
    assert (is_leech(1, leech_lapses=2), is_leech(2, leech_lapses=2)) == (False, True)


def test_the_fsrs_scheduler_gets_the_desired_retention_asked_for_and_0_9_by_default() -> None:
    """The identity names every setting that changes the arithmetic: a new one means a replay."""
    assert scheduler_named("fsrs").identity == "fsrs desired_retention=0.9"
    assert scheduler_named("fsrs", 0.8).identity == "fsrs desired_retention=0.8"
