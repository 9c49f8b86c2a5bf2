"""Rules of SM-2 behind the scheduler interface (`Sm2Scheduler.review_card`) for a recap entry, one test
each. Found by mutation testing (bench/mutation.py): a recap was only reached through the store, whose
tests compare it with a replay through the same code."""

from __future__ import annotations

from datetime import date, timedelta

from recall.scheduler import CardState, Grade, ReviewLog
from recall.sm2 import Sm2Scheduler

DAY = date(2026, 3, 1)
NOT_YET_DUE = CardState(easiness_centi=236, repetitions=3, interval=15, due=DAY + timedelta(days=5), lapses=1)


def test_a_passed_recap_entry_leaves_a_card_not_yet_due_as_it_was_and_logs_itself_as_a_recap() -> None:
    """A scheduled review graded 4 would give the card a fourth repetition and a 36-day interval."""
    after, log = Sm2Scheduler().review_card(NOT_YET_DUE, Grade.GOOD, "recap", DAY)
    assert after == NOT_YET_DUE
    assert log == ReviewLog(Grade.GOOD, "recap", DAY, NOT_YET_DUE, NOT_YET_DUE)


def test_a_failed_recap_entry_makes_the_card_due_today_and_changes_nothing_else() -> None:
    """Its interval shrinks by the 5 days it is brought forward; repetitions, easiness and lapses stay
    for the card's own scheduled review that day to change."""
    after, log = Sm2Scheduler().review_card(NOT_YET_DUE, Grade.WRONG, "recap", DAY)
    assert after == CardState(easiness_centi=236, repetitions=3, interval=10, due=DAY, lapses=1)
    assert log == ReviewLog(Grade.WRONG, "recap", DAY, NOT_YET_DUE, after)
    assert type(log.grade) is Grade
