"""The study use cases, with no UI: today's queue (of one deck or tag, with more when it is done),
recording an explanation, step-7 drills, skip and undo, suspending a card.

Both front ends (the CLI's `due` and `explain`, the TUI's dashboard and study screen) call these, so each
rule is written once. Every grade is committed to the store before the session moves on, and the drills a
session owes are read back from the review log, so a quit or a crash loses none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from recall.clock import utc_now
from recall.errors import RecallError
from recall.scheduler import Grade, ReviewKind
from recall.store import CardRow, ReviewInput, ReviewRecord, Store

if TYPE_CHECKING:  # importing recall.grading at run time would load numpy on every start
    from recall.grading.base import Verdict

QueueKind = Literal["review", "new", "drill"]


@dataclass(frozen=True)
class QueueItem:
    card: CardRow
    kind: QueueKind


class NoSuchScope(RecallError):
    """A deck or tag to study that no active card has."""


@dataclass(frozen=True)
class StudyPlan:
    """What a session asks beyond "everything due today": one deck and/or one tag, and, once today's
    queue is done, reviews due in the next `ahead_days` days and `extra_new` new cards past today's
    allowance. Extra new cards count only on the day they are introduced (the allowance is per study
    day), so tomorrow's stays whole."""

    deck: str | None = None
    tag: str | None = None
    ahead_days: int = 0
    extra_new: int = 0

    @property
    def label(self) -> str:
        """What the session covers, for a title: "deck Neural nets", "tag gradients" or ""."""
        return " · ".join(part for part in (f"deck {self.deck}" if self.deck is not None else "",
                                            f"tag {self.tag}" if self.tag is not None else "") if part)


EVERYTHING = StudyPlan()
NO_DECK_LIMITS: Mapping[str, int] = MappingProxyType({})


def check_scope(store: Store, plan: StudyPlan) -> None:
    """Refuse a deck or tag no active card has, naming those that exist."""
    for kind, wanted, known in (("deck", plan.deck, store.deck_names), ("tag", plan.tag, store.tag_names)):
        if wanted is not None:
            names = known()
            if wanted not in names:
                raise NoSuchScope(f"no {kind} named {wanted!r}; the {kind}s are: " + (", ".join(names) or "none"))


def new_card_allowance(store: Store, today: date, new_per_day: int, deck_limits: Mapping[str, int] = NO_DECK_LIMITS,
                       deck: str | None = None) -> int:
    """How many new cards today's sessions may still introduce: `new_per_day` in all, and for `deck`
    (if given) its own `deck_limits` entry too, less the new cards already introduced today."""
    allowance = max(0, new_per_day - store.new_introduced_on(today))
    if deck is not None and deck in deck_limits:
        allowance = min(allowance, max(0, deck_limits[deck] - store.new_introduced_on(today, deck)))
    return allowance


def new_cards_for(store: Store, today: date, new_per_day: int, deck_limits: Mapping[str, int],
               plan: StudyPlan) -> list[CardRow]:
    """New cards in deck order within the plan's scope: the `extra_new` the learner asked for, or what
    the allowances leave (deck by deck when a deck has a limit of its own)."""
    if plan.extra_new:
        return store.new_cards(plan.extra_new, plan.deck, plan.tag)
    allowance = new_card_allowance(store, today, new_per_day)
    if not deck_limits:
        return store.new_cards(allowance, plan.deck, plan.tag) if allowance else []
    chosen: list[CardRow] = []
    for deck in [plan.deck] if plan.deck is not None else store.deck_names():
        room = min(allowance - len(chosen), new_card_allowance(store, today, new_per_day, deck_limits, deck))
        if room > 0:
            chosen.extend(store.new_cards(room, deck, plan.tag))
    return chosen


def more_on_offer(store: Store, today: date, plan: StudyPlan, ahead_days: int, extra_new: int) -> tuple[int, int]:
    """What "study more" can offer once today's queue is done, in the plan's deck and tag: (cards due in
    the next `ahead_days` days not yet scheduled today, new cards up to `extra_new`)."""
    return (len(store.due_ahead(today, ahead_days, plan.deck, plan.tag)),
            len(store.new_cards(extra_new, plan.deck, plan.tag)))


def drill_items(store: Store, today: date, skipped: frozenset[str] = frozenset(),
                plan: StudyPlan = EVERYTHING) -> list[QueueItem]:
    """The cards still owing a same-day drill (their latest review today is below the drill pass mark)."""
    return [QueueItem(card, "drill") for card in store.owed_drills(today) if card.id not in skipped
            and (plan.deck is None or card.deck == plan.deck) and (plan.tag is None or plan.tag in card.tags)]


def todays_queue(store: Store, today: date, new_per_day: int, deck_limits: Mapping[str, int] = NO_DECK_LIMITS,
                 plan: StudyPlan = EVERYTHING) -> list[QueueItem]:
    """Due reviews, most overdue first (and those due within `plan.ahead_days`), then new cards up to
    what is left of today's allowances (or `plan.extra_new`), then the drills already owed today; all
    within the plan's deck and tag. Suspended cards are never asked."""
    reviews = [QueueItem(card, "review") for card in store.due_cards(today, plan.deck, plan.tag)]
    if plan.ahead_days:
        reviews += [QueueItem(card, "review") for card in store.due_ahead(today, plan.ahead_days, plan.deck, plan.tag)]
    new = [QueueItem(card, "new") for card in new_cards_for(store, today, new_per_day, deck_limits, plan)]
    return reviews + new + drill_items(store, today, plan=plan)


def review_input(kind: ReviewKind, card_id: str, quality: int, answer: str, verdict: Verdict | None,
                 duration_ms: int) -> ReviewInput:
    """What the store needs to know about a graded explanation, from the grader's verdict if any."""
    usage = verdict.usage if verdict else None
    return ReviewInput(
        card_id=card_id, quality=quality, kind=kind,
        suggested_quality=verdict.suggested_quality if verdict else None, answer=answer,
        feedback=verdict.feedback if verdict else "", duration_ms=duration_ms,
        grader=verdict.grader if verdict else "self", model=verdict.model if verdict else None,
        prompt_version=verdict.prompt_version if verdict else None,
        input_tokens=usage.input_tokens if usage else 0, output_tokens=usage.output_tokens if usage else 0,
        cache_creation_tokens=usage.cache_creation_input_tokens if usage else 0,
        cache_read_tokens=usage.cache_read_input_tokens if usage else 0,
    )


def record_explanation(store: Store, card_id: str, quality: int, answer: str, verdict: Verdict | None,
                       duration_ms: int, today: date, now: datetime | None = None,
                       kind: ReviewKind = "scheduled") -> ReviewRecord:
    """Commit one graded explanation. The store decides, inside its transaction, that a card already
    scheduled today gets a drill instead."""
    return store.record_review(review_input(kind, card_id, quality, answer, verdict, duration_ms), today,
                               now or utc_now())


@dataclass
class _Step:
    """What undo needs to put the session back as it was before one grade."""

    record: ReviewRecord
    position: int
    queue: list[QueueItem]


@dataclass(frozen=True)
class SessionSummary:
    reviewed: int
    average_quality: float | None
    comes_back: tuple[tuple[str, date | None], ...]
    plan: StudyPlan = EVERYTHING  # what the session asked, so "study more" keeps its deck and tag


@dataclass
class StudySession:
    """One sitting. Its methods touch the store, so a front end runs them on the store's thread."""

    store: Store
    today: date
    queue: list[QueueItem]
    clock: Callable[[], datetime] = utc_now
    position: int = 0
    history: list[_Step] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)

    plan: StudyPlan = EVERYTHING

    @classmethod
    def start(cls, store: Store, today: date, new_per_day: int, clock: Callable[[], datetime] = utc_now,
              deck_limits: Mapping[str, int] = NO_DECK_LIMITS, plan: StudyPlan = EVERYTHING) -> StudySession:
        return cls(store, today, todays_queue(store, today, new_per_day, deck_limits, plan), clock, plan=plan)

    @property
    def current(self) -> QueueItem | None:
        return self.queue[self.position] if self.position < len(self.queue) else None

    @property
    def progress(self) -> tuple[int, int]:
        """(number of the card being shown, cards in the session so far, drills included)."""
        return min(self.position + 1, len(self.queue)), len(self.queue)

    def _queue_owed_drills(self) -> None:
        """Step 7: once the queue is done, ask again the day's cards that still owe a drill."""
        if self.position >= len(self.queue):
            self.queue.extend(drill_items(self.store, self.today, frozenset(self.skipped), self.plan))

    def grade(self, quality: int, answer: str = "", verdict: Verdict | None = None,
              duration_ms: int = 0) -> ReviewRecord:
        """Commit the current card's review and move on."""
        item = self.current
        if item is None:
            raise RuntimeError("the session has no card left to grade")
        record = record_explanation(self.store, item.card.id, quality, answer, verdict, duration_ms, self.today,
                                    self.clock(), "drill" if item.kind == "drill" else "scheduled")
        self.history.append(_Step(record, self.position, list(self.queue)))
        self.position += 1
        self._queue_owed_drills()
        return record

    def skip(self) -> None:
        """Leave the current card for another session (it stays due, and owes its drill later)."""
        item = self.current
        if item is not None:
            self.skipped.add(item.card.id)
            del self.queue[self.position]
            self._queue_owed_drills()

    def suspend(self) -> CardRow | None:
        """Suspend the current card (no session asks it again until unsuspended; its history stays) and
        move on; returns the card suspended."""
        item = self.current
        if item is None:
            return None
        self.store.set_suspended(item.card.id, True)
        self.queue = self.queue[:self.position] + [queued for queued in self.queue[self.position:]
                                                    if queued.card.id != item.card.id]
        self._queue_owed_drills()
        return item.card

    def undo(self) -> ReviewRecord | None:
        """Take back the last grade of this session, exactly that review (the store refuses if another
        recall has reviewed the card since); the card is shown again."""
        if not self.history:
            return None
        step = self.history[-1]
        undone = self.store.undo_review(step.record.id, self.clock())
        self.history.pop()
        self.position, self.queue = step.position, step.queue
        return undone

    def summary(self) -> SessionSummary:
        graded = [step.record for step in self.history]
        scheduled = [r for r in graded if r.kind == "scheduled"]
        average = sum(r.quality for r in graded) / len(graded) if graded else None
        return SessionSummary(len(graded), average, tuple((r.card_id, r.due) for r in scheduled),
                              StudyPlan(self.plan.deck, self.plan.tag))


def drill_outcome(quality: int) -> str:
    """What a drill grade means for the rest of the day."""
    return "done for today" if Grade(quality).ends_drill else "once more later"
