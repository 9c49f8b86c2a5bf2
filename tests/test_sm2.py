"""SM-2 as the README's "Scheduling" section states it: exact numbers, properties, and a differential test against
supermemo2."""

from __future__ import annotations

from fractions import Fraction

import pytest
import supermemo2
from hypothesis import given, note
from hypothesis import strategies as st

from recall.sm2 import MIN_EASINESS_CENTI, Sm2State, review

NEW = Sm2State()
MATURE = Sm2State(easiness_centi=236, repetitions=3, interval=15)
FIXED_DAY = "2026-01-01"  # supermemo2 reads the clock unless given a date; its dates are not compared

qualities = st.integers(min_value=0, max_value=5)
# Every state a card can reach: new (2.5/0/0), or reviewed at least once (interval >= 1).
states = st.one_of(st.just(NEW), st.builds(Sm2State, easiness_centi=st.integers(MIN_EASINESS_CENTI, 400),
                                           repetitions=st.integers(0, 30), interval=st.integers(1, 5000)))


def run(grades: list[int], state: Sm2State = NEW) -> tuple[list[int], Sm2State]:
    """Intervals after each grade, and the final state."""
    intervals = []
    for grade in grades:
        state = review(state, grade)
        intervals.append(state.interval)
    return intervals, state


def test_new_card_defaults():
    assert (NEW.easiness, NEW.repetitions, NEW.interval) == (2.5, 0, 0)


@pytest.mark.parametrize(("quality", "expected"), [
    (0, Sm2State(170, 0, 1)), (1, Sm2State(196, 0, 1)), (2, Sm2State(218, 0, 1)),
    (3, Sm2State(236, 1, 1)), (4, Sm2State(250, 1, 1)), (5, Sm2State(260, 1, 1)),
])
def test_every_grade_from_a_new_card(quality, expected):
    assert review(NEW, quality) == expected


@pytest.mark.parametrize(("quality", "expected"), [
    (0, Sm2State(156, 0, 1)), (1, Sm2State(182, 0, 1)), (2, Sm2State(204, 0, 1)),
    # a pass: ceil(15 * 2.36) = ceil(35.4) = 36 days, computed with the EF from before the review
    (3, Sm2State(222, 4, 36)), (4, Sm2State(236, 4, 36)), (5, Sm2State(246, 4, 36)),
])
def test_every_grade_from_a_mature_card(quality, expected):
    assert review(MATURE, quality) == expected


@pytest.mark.parametrize(("grades", "intervals", "easiness"), [
    ([5, 5, 5, 5, 5], [1, 6, 17, 48, 140], 3.0),
    ([3, 3, 3, 3, 3], [1, 6, 14, 30, 59], 1.8),
    ([0, 1, 2, 4, 4, 4], [1, 1, 1, 1, 6, 8], 1.3),
    ([4, 4, 3, 3, 4], [1, 6, 15, 36, 80], 2.22),
])
def test_grade_sequences_from_a_new_card(grades, intervals, easiness):
    got_intervals, state = run(grades)
    assert got_intervals == intervals
    assert state.easiness == easiness


@pytest.mark.parametrize(("state", "quality"), [
    (Sm2State(130, 0, 1), 0), (Sm2State(140, 2, 10), 3), (Sm2State(170, 3, 20), 0), (Sm2State(131, 4, 9), 1),
])
def test_easiness_never_drops_below_the_floor(state, quality):
    assert review(state, quality).easiness_centi == MIN_EASINESS_CENTI


def test_easiness_has_no_upper_bound():
    _, state = run([5] * 30)
    assert state.easiness == 5.5


def test_exact_easiness_avoids_the_float_drift_day():
    """EF 2.8 reached by three 5s is 2.8000000000000003 as a float, so supermemo2 gives ceil(5 * EF) = 15
    days for a 4 at interval 5; the exact reading gives 14."""
    _, state = run([5, 5, 5])
    assert state.easiness_centi == 280
    assert review(Sm2State(state.easiness_centi, 2, 5), 4).interval == 14
    assert supermemo2.review(4, 2.5 + 0.1 + 0.1 + 0.1, 5, 2, FIXED_DAY)["interval"] == 15


@pytest.mark.parametrize("quality", [-1, 6, 3.0, True, "3", None])
def test_quality_outside_0_to_5_is_refused(quality):
    with pytest.raises(ValueError, match="quality must be an integer from 0 to 5"):
        review(NEW, quality)


@given(states, qualities)
def test_easiness_stays_at_or_above_1_3(state, quality):
    assert review(state, quality).easiness >= 1.3


@given(states, qualities)
def test_interval_is_at_least_one_day_after_a_review(state, quality):
    assert review(state, quality).interval >= 1


@given(states, st.integers(0, 2))
def test_a_failure_resets_repetitions_and_interval(state, quality):
    after = review(state, quality)
    assert (after.repetitions, after.interval) == (0, 1)


@given(states, st.integers(3, 5))
def test_a_pass_counts_one_more_repetition(state, quality):
    assert review(state, quality).repetitions == state.repetitions + 1


@given(states, states, qualities)
def test_easiness_depends_only_on_quality_and_previous_easiness(first, second, quality):
    same_easiness = Sm2State(first.easiness_centi, second.repetitions, second.interval)
    assert review(first, quality).easiness_centi == review(same_easiness, quality).easiness_centi


@given(states, qualities)
def test_review_is_pure(state, quality):
    copy = Sm2State(state.easiness_centi, state.repetitions, state.interval)
    assert review(state, quality) == review(state, quality)
    assert state == copy


def reference_step(state: Sm2State, quality: int) -> dict:
    """supermemo2 3.0.1's review of the same state."""
    return supermemo2.review(quality, state.easiness, state.interval, state.repetitions, FIXED_DAY)


def is_float_drift_case(state: Sm2State, quality: int, reference_interval: int) -> bool:
    """The exact product interval * EF is a whole number and float rounding put ceil one day above it."""
    exact = Fraction(state.interval * state.easiness_centi, 100)
    return (quality >= 3 and state.repetitions >= 2 and exact.denominator == 1
            and reference_interval == exact + 1)


@given(states, qualities)
def test_one_step_agrees_with_supermemo2(state, quality):
    """From the same state, supermemo2 gives the same repetitions and EF (to float precision), and the
    same interval except where its float EF rounds a whole-number product up a day."""
    ours, theirs = review(state, quality), reference_step(state, quality)
    assert ours.repetitions == theirs["repetitions"]
    assert ours.easiness == pytest.approx(theirs["easiness"], abs=1e-9)
    if ours.interval != theirs["interval"]:
        assert is_float_drift_case(state, quality, theirs["interval"])


@given(st.lists(qualities, min_size=1, max_size=25))
def test_grade_sequences_agree_with_supermemo2_until_float_drift(grades):
    """Each implementation carries its own state. supermemo2 accumulates EF as a float, so the two may
    part only at a float-drift day (whole-number product, ceil one day late); until then all agree."""
    ours = NEW
    easiness, interval, repetitions = 2.5, 0, 0
    for quality in grades:
        theirs = supermemo2.review(quality, easiness, interval, repetitions, FIXED_DAY)
        following = review(ours, quality)
        note(f"q={quality} ours={following} theirs={theirs}")
        assert following.easiness == pytest.approx(theirs["easiness"], abs=1e-9)
        assert following.repetitions == theirs["repetitions"]
        if following.interval != theirs["interval"]:
            assert is_float_drift_case(ours, quality, theirs["interval"])
            return
        ours = following
        easiness, interval, repetitions = theirs["easiness"], theirs["interval"], theirs["repetitions"]

