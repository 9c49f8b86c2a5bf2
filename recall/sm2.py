"""SM-2 (SuperMemo, Wozniak 1990), exactly as the README's "Scheduling" section states it.

Easiness is held in hundredths as an integer: every change SM-2 makes is a multiple of 0.02, and a float
easiness makes `ceil(interval * easiness)` land a day late (2.8 * 5 -> 15 instead of 14).
Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from recall.scheduler import INITIAL_EASINESS_CENTI, CardState, Grade, ReviewKind, ReviewLog, is_lapse, recap_state

MIN_EASINESS_CENTI = 130


def easiness_change_centi(quality: int) -> int:
    """EF' - EF in hundredths: 0.1 - (5-q)(0.08 + (5-q)0.02), i.e. 10 - d(8 + 2d) for d = 5-q."""
    shortfall = 5 - quality
    return 10 - shortfall * (8 + 2 * shortfall)


@dataclass(frozen=True)
class Sm2State:
    """The part of a card's state SM-2's arithmetic reads. `easiness_centi` is the exact value;
    `easiness` is for display."""

    easiness_centi: int = INITIAL_EASINESS_CENTI
    repetitions: int = 0
    interval: int = 0

    @property
    def easiness(self) -> float:
        return self.easiness_centi / 100


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def review(state: Sm2State, quality: int) -> Sm2State:
    """The state after one scheduled review graded `quality` (0..5)."""
    return _advance(state, Grade.parse(quality))


def _advance(state: Sm2State, grade: Grade) -> Sm2State:
    if grade.passes:
        if state.repetitions == 0:
            interval = 1
        elif state.repetitions == 1:
            interval = 6
        else:
            interval = _ceil_div(state.interval * state.easiness_centi, 100)
        repetitions = state.repetitions + 1
    else:
        interval, repetitions = 1, 0
    easiness_centi = max(MIN_EASINESS_CENTI, state.easiness_centi + easiness_change_centi(grade))
    return Sm2State(easiness_centi=easiness_centi, repetitions=repetitions, interval=interval)


class Sm2Scheduler:
    """SM-2 behind the `Scheduler` interface: a scheduled review runs `review` and sets the due date
    and lapses (a fail after at least one successful repetition); a drill changes nothing; a recap entry
    does what `scheduler.recap_state` says."""

    name = "sm2"
    identity = "sm2"

    def review_card(self, card: CardState, grade: Grade, kind: ReviewKind, day: date) -> tuple[CardState, ReviewLog]:
        if type(grade) is not Grade:
            grade = Grade.parse(grade)
        if kind == "drill":
            return card, ReviewLog(grade, kind, day, card, card)
        if kind == "recap":
            after = recap_state(card, grade, day)
            return after, ReviewLog(grade, kind, day, card, after)
        after = _advance(Sm2State(card.easiness_centi, card.repetitions, card.interval), grade)
        state = CardState(after.easiness_centi, after.repetitions, after.interval,
                          day + timedelta(days=after.interval), card.lapses + is_lapse(card, grade))
        return state, ReviewLog(grade, kind, day, card, state)
