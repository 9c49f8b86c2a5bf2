"""What a grade means and what a review does to a card, behind an interface a second scheduler can
implement (SM-2 is `recall.sm2.Sm2Scheduler`; an FSRS one is planned).

This is the one home of the grade scale, the pass mark, the drill pass mark and the rule that decides
whether a review is scheduled or a same-day drill. The store saves the states a scheduler returns; a card's
stored state must equal `replay` of its review log, which is what `recall doctor` checks. Pure: no I/O and
no clock, the study day is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Literal, Protocol

ReviewKind = Literal["scheduled", "drill"]
REVIEW_KINDS: tuple[ReviewKind, ...] = ("scheduled", "drill")
INITIAL_EASINESS_CENTI = 250


class Grade(IntEnum):
    """SM-2's 0-5 quality scale, each grade in a word (SuperMemo's wording, shortened)."""

    FORGOT = 0
    WRONG = 1
    ALMOST = 2
    HARD = 3
    GOOD = 4
    EASY = 5

    @classmethod
    def parse(cls, value: object) -> Grade:
        """The grade for an integer 0-5; anything else (a bool, 3.0, 6) is refused."""
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise ValueError(f"quality must be an integer from 0 to 5, not {value!r}")
        return cls(value)

    @property
    def meaning(self) -> str:
        return self.name.lower()

    @property
    def passes(self) -> bool:
        """A pass keeps the card's repetitions; a fail starts it over."""
        return self >= PASS_MARK

    @property
    def ends_drill(self) -> bool:
        """SM-2 step 7: a card graded below this today is asked again before the day is over."""
        return self >= DRILL_PASS_MARK


PASS_MARK = Grade.HARD
DRILL_PASS_MARK = Grade.GOOD
GRADES = tuple(Grade)  # GRADES[q] is Grade(q) without the enum lookup: a replay makes millions


@dataclass(frozen=True)
class CardState:
    """Everything a review can change about a card. `easiness_centi` is SM-2's easiness in exact
    hundredths; `due` is None for a card never scheduled."""

    easiness_centi: int = INITIAL_EASINESS_CENTI
    repetitions: int = 0
    interval: int = 0
    due: date | None = None
    lapses: int = 0

    @property
    def easiness(self) -> float:
        return self.easiness_centi / 100


@dataclass(frozen=True)
class ReviewLog:
    """One review as the scheduler saw it: what the store writes beside the card's new state."""

    grade: Grade
    kind: ReviewKind
    day: date
    before: CardState
    after: CardState


class Scheduler(Protocol):
    name: str

    def review_card(self, card: CardState, grade: Grade, kind: ReviewKind, day: date) -> tuple[CardState, ReviewLog]:
        """The card's whole state after a review graded `grade` on study day `day`; a drill changes nothing."""
        ...


def review_kind(requested: ReviewKind, last_scheduled_day: date | None, day: date) -> ReviewKind:
    """A card is scheduled at most once a study day: any further review that day is a drill (step 7), so
    grading a new card twice in a minute cannot give it a 6-day interval. A card never scheduled cannot be
    drilled: its first review schedules it, or it would be neither new nor ever due."""
    if last_scheduled_day is None:
        return "scheduled"
    return "drill" if requested == "drill" or last_scheduled_day == day else "scheduled"


def replay(scheduler: Scheduler, reviews: Iterable[tuple[int, ReviewKind, date]]) -> CardState:
    """A card's state rebuilt from its reviews (grade, kind, study day), oldest first."""
    state = CardState()
    for quality, kind, day in reviews:
        state, _log = scheduler.review_card(state, GRADES[quality], kind, day)
    return state


def scheduler_named(name: str = "sm2") -> Scheduler:
    """The scheduler a setting names (imported on use: a scheduler may need a library of its own)."""
    if name == "sm2":
        from recall.sm2 import Sm2Scheduler

        return Sm2Scheduler()
    raise ValueError(f"unknown scheduler {name!r}; the choices are: sm2")
