"""FSRS behind the `Scheduler` interface, through the `fsrs` package (`scheduler = "fsrs"` in config.toml).

recall studies by the day, so FSRS runs without learning steps (a card is due again in whole days) and
without fuzz (a replay of the log must give the same state every time): every review happens at noon UTC
of its study day, so a drill is an FSRS same-day review (short-term stability) and a scheduled review sees
the days elapsed since the last one. Grades map to ratings as `scheduler.four_point_rating` says.
Repetitions and lapses are kept as SM-2 keeps them (recall's leech rule reads lapses); easiness is left
as it was. Pure: no I/O, no clock; `fsrs` is imported when the scheduler is made.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from recall.errors import RecallError
from recall.scheduler import CardState, Grade, ReviewKind, ReviewLog, four_point_rating, is_lapse, recap_state

DEFAULT_DESIRED_RETENTION = 0.9
REVIEW_HOUR = time(12, tzinfo=timezone.utc)


class FsrsMissing(RecallError):
    """The `fsrs` package is not installed."""


def review_moment(day: date) -> datetime:
    """The instant FSRS is told a review on study day `day` happened."""
    return datetime.combine(day, REVIEW_HOUR)


def fsrs_engine(desired_retention: float = DEFAULT_DESIRED_RETENTION):  # noqa: ANN201 - fsrs.Scheduler
    """The `fsrs` package's scheduler as recall runs it: whole days, no fuzz."""
    try:
        import fsrs
    except ImportError:
        raise FsrsMissing('scheduler = "fsrs" needs the fsrs package: pip install "recall[fsrs]", '
                          'or set scheduler = "sm2"') from None
    return fsrs.Scheduler(desired_retention=desired_retention, learning_steps=(), relearning_steps=(),
                          enable_fuzzing=False)


class FsrsScheduler:
    """A scheduled review or a drill runs FSRS on the card's memory state (stability, difficulty) and
    sets the due date `interval` days after the review's study day; a recap entry does what
    `scheduler.recap_state` says."""

    name = "fsrs"

    def __init__(self, desired_retention: float = DEFAULT_DESIRED_RETENTION) -> None:
        self.engine = fsrs_engine(desired_retention)  # first: it says what to do when fsrs is missing
        import fsrs

        self.identity = f"fsrs desired_retention={desired_retention!r}"
        self._fsrs = fsrs

    def memory(self, card: CardState):  # noqa: ANN201 - fsrs.Card
        """The card as the fsrs package holds it: new, or in review since its last scheduling."""
        fsrs = self._fsrs
        if card.due is None or card.stability is None:
            return fsrs.Card(card_id=0, due=review_moment(date(2000, 1, 1)))
        return fsrs.Card(card_id=0, state=fsrs.State.Review, stability=card.stability,
                         difficulty=card.difficulty, due=review_moment(card.due),
                         last_review=review_moment(card.due - timedelta(days=card.interval)))

    def review_card(self, card: CardState, grade: Grade, kind: ReviewKind, day: date) -> tuple[CardState, ReviewLog]:
        if type(grade) is not Grade:
            grade = Grade.parse(grade)
        if kind == "recap":
            after = recap_state(card, grade, day)
            return after, ReviewLog(grade, kind, day, card, after)
        reviewed, _log = self.engine.review_card(self.memory(card), self._fsrs.Rating(four_point_rating(grade)),
                                                 review_moment(day))
        due = reviewed.due.date()
        if kind == "drill":
            repetitions, lapses = card.repetitions, card.lapses
        else:
            repetitions = card.repetitions + 1 if grade.passes else 0
            lapses = card.lapses + is_lapse(card, grade)
        state = CardState(card.easiness_centi, repetitions, (due - day).days, due, lapses,
                          reviewed.stability, reviewed.difficulty)
        return state, ReviewLog(grade, kind, day, card, state)
