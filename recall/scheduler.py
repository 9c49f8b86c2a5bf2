"""What a grade means and what a review does to a card, behind an interface a second scheduler can
implement (SM-2 is `recall.sm2.Sm2Scheduler`, the default; FSRS is `recall.fsrs_scheduler.FsrsScheduler`).

This is the one home of the grade scale, the pass mark, the drill pass mark and the rule that decides
whether a review is scheduled, a same-day drill or a recap entry, of the four-point rating FSRS and Anki
read, of what a lapse is and of when a card is a leech. The store saves the states a scheduler returns; a card's
stored state must equal `replay` of its review log, which is what `recall doctor` checks. Pure: no I/O and
no clock, the study day is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import IntEnum
from typing import Literal, Protocol

ReviewKind = Literal["scheduled", "drill", "recap"]
REVIEW_KINDS: tuple[ReviewKind, ...] = ("scheduled", "drill", "recap")
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
DEFAULT_LEECH_LAPSES = 4


def four_point_rating(quality: int) -> int:
    """SM-2's 0..5 quality as FSRS's rating and Anki's answer button: 0-2 Again(1), 3 Hard(2),
    4 Good(3), 5 Easy(4)."""
    return 1 if quality <= 2 else quality - 1


def is_lapse(before: CardState, grade: Grade) -> bool:
    """A failed scheduled review of a card that had been recalled at least once (both schedulers)."""
    return not grade.passes and before.repetitions > 0


def is_leech(lapses: int, leech_lapses: int = DEFAULT_LEECH_LAPSES) -> bool:
    """A card forgotten `leech_lapses` times costs more than it teaches as it stands: rewrite or suspend it."""
    return lapses >= leech_lapses


@dataclass(frozen=True)
class CardState:
    """Everything a review can change about a card. `easiness_centi` is SM-2's easiness in exact
    hundredths; `due` is None for a card never scheduled. `stability` (days) and `difficulty` are FSRS's
    memory state, None under SM-2; `interval` is always the days from the last scheduling to `due`."""

    easiness_centi: int = INITIAL_EASINESS_CENTI
    repetitions: int = 0
    interval: int = 0
    due: date | None = None
    lapses: int = 0
    stability: float | None = None
    difficulty: float | None = None

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
    identity: str  # the name and every setting that changes its arithmetic: a new identity means a replay

    def review_card(self, card: CardState, grade: Grade, kind: ReviewKind, day: date) -> tuple[CardState, ReviewLog]:
        """The card's whole state after a review graded `grade` on study day `day`; a drill changes nothing,
        a recap entry what `recap_state` says."""
        ...


def recap_state(card: CardState, grade: Grade, day: date) -> CardState:
    """A recap entry (a card a chapter recap covered before it was due) never pushes the card later: a
    pass leaves its state alone; a fail makes it due on `day`, its interval shortened to match (still the
    days since it was last scheduled, at least 1), and changes nothing else, so the card's own scheduled
    review that day decides what the fail does to its memory."""
    if grade.passes or card.due is None or card.due <= day:
        return card
    return replace(card, due=day, interval=max(1, card.interval - (card.due - day).days))


def review_kind(requested: ReviewKind, last_scheduled_day: date | None, day: date) -> ReviewKind:
    """A card is scheduled at most once a study day: any further review that day is a drill (step 7), so
    grading a new card twice in a minute cannot give it a 6-day interval. A card never scheduled cannot be
    drilled nor given a recap entry: its first review schedules it, or it would be neither new nor ever due."""
    if last_scheduled_day is None:
        return "scheduled"
    if requested == "recap":
        return "recap"
    return "drill" if requested == "drill" or last_scheduled_day == day else "scheduled"


def replay(scheduler: Scheduler, reviews: Iterable[tuple[int, ReviewKind, date]]) -> CardState:
    """A card's state rebuilt from its reviews (grade, kind, study day), oldest first."""
    state = CardState()
    for quality, kind, day in reviews:
        state, _log = scheduler.review_card(state, GRADES[quality], kind, day)
    return state


SCHEDULER_NAMES = ("sm2", "fsrs")


def scheduler_named(name: str = "sm2", desired_retention: float = 0.9) -> Scheduler:
    """The scheduler a setting names (imported on use: FSRS needs the `fsrs` package)."""
    if name == "sm2":
        from recall.sm2 import Sm2Scheduler

        return Sm2Scheduler()
    if name == "fsrs":
        from recall.fsrs_scheduler import FsrsScheduler

        return FsrsScheduler(desired_retention)
    raise ValueError(f"unknown scheduler {name!r}; the choices are: {', '.join(SCHEDULER_NAMES)}")
