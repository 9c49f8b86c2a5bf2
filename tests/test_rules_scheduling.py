"""Rules of the scheduler behind its interface (`Sm2Scheduler.review_card`), one test each: what a lapse is,
what a review log holds, and which grades it takes. Found by mutation testing (bench/mutation.py): the
property tests compare the store with a replay through the same code, so they cannot see these."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from recall.scheduler import CardState, Grade, ReviewLog, review_kind, scheduler_named
from recall.sm2 import Sm2Scheduler

DAY = date(2026, 3, 1)
NEW = CardState()
LEARNT = CardState(easiness_centi=250, repetitions=1, interval=1, due=DAY, lapses=0)
MATURE = CardState(easiness_centi=236, repetitions=3, interval=15, due=DAY, lapses=2)


@pytest.mark.parametrize(("card", "grade", "lapses"), [
    (NEW, Grade.FORGOT, 0),      # never learnt: a fail is no lapse
    (NEW, Grade.ALMOST, 0),
    (LEARNT, Grade.ALMOST, 1),   # one successful repetition is enough to lapse
    (LEARNT, Grade.FORGOT, 1),
    (LEARNT, Grade.HARD, 0),     # a pass is no lapse
    (MATURE, Grade.WRONG, 3),    # lapses add up
    (MATURE, Grade.EASY, 2),
])
def test_a_lapse_is_a_fail_of_a_card_with_at_least_one_successful_repetition(card: CardState, grade: Grade,
                                                                               lapses: int) -> None:
    after, _log = Sm2Scheduler().review_card(card, grade, "scheduled", DAY)
    assert after.lapses == lapses


@pytest.mark.parametrize("kind", ["scheduled", "drill"])
def test_a_review_log_holds_the_grade_kind_day_and_the_states_before_and_after(kind: str) -> None:
    after, log = Sm2Scheduler().review_card(MATURE, Grade.HARD, kind, DAY)
    assert log == ReviewLog(Grade.HARD, kind, DAY, MATURE, after)
    if kind == "drill":
        assert after is MATURE  # a drill changes nothing
    else:
        assert after == CardState(222, 4, 36, DAY + timedelta(days=36), 2)


def test_the_scheduler_takes_an_integer_grade_as_that_grade_and_refuses_one_outside_0_to_5() -> None:
    scheduler = Sm2Scheduler()
    after, log = scheduler.review_card(LEARNT, 2, "scheduled", DAY)  # type: ignore[arg-type]  # a stored int
    assert (after, log.grade, type(log.grade)) == (scheduler.review_card(LEARNT, Grade.ALMOST, "scheduled", DAY)[0],
                                                   Grade.ALMOST, Grade)
    for bad in (6, -1, True, 3.0):
        with pytest.raises(ValueError, match="quality must be an integer from 0 to 5"):
            scheduler.review_card(LEARNT, bad, "scheduled", DAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(("requested", "last_scheduled", "kind"), [
    ("scheduled", None, "scheduled"),                 # a card never scheduled is scheduled,
    ("drill", None, "scheduled"),                     # even when a drill is asked: it would never be due
    ("scheduled", DAY - timedelta(days=1), "scheduled"),
    ("scheduled", DAY, "drill"),                      # at most one scheduled review a study day
    ("drill", DAY, "drill"),
    ("drill", DAY - timedelta(days=1), "drill"),      # a drill asked of a card scheduled before stays one
])
def test_a_card_is_scheduled_at_most_once_a_study_day_and_never_drilled_before_it_is_scheduled(
        requested: str, last_scheduled: date | None, kind: str) -> None:
    assert review_kind(requested, last_scheduled, DAY) == kind


def test_an_unknown_scheduler_is_refused_naming_the_choices() -> None:
    assert (scheduler_named("sm2").name, scheduler_named("fsrs").name) == ("sm2", "fsrs")
    with pytest.raises(ValueError, match="^unknown scheduler 'anki'; the choices are: sm2, fsrs$"):
        scheduler_named("anki")
