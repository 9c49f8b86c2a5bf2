"""A study session, with no UI: today's queue, recording grades, step-7 drill repeats, skip and undo.

Both front ends (the CLI's `explain`, the TUI's study screen) go through here so that the rules live in
one place. Every grade is committed to the store before the session moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from recall.store import CardRow, ReviewInput, ReviewRecord, Store, utc_now

if TYPE_CHECKING:  # importing recall.grading at run time would load numpy on every start
    from recall.grading.base import Verdict

DRILL_PASS_QUALITY = 4  # SM-2 step 7: repeat the day's cards until each gets at least this


def study_day(moment: datetime, day_starts_at: int) -> date:
    """The local calendar day a moment belongs to when a new day starts at `day_starts_at` o'clock."""
    local = moment.astimezone() if moment.tzinfo else moment
    return (local - timedelta(hours=day_starts_at)).date()


def scheduled_today(store: Store, card_id: str, today: date, day_starts_at: int) -> bool:
    """Whether the card already had its scheduled review on study day `today`; step 7 makes every
    further review of it that day a drill."""
    for row in store.reviews_for_card(card_id):  # newest first
        if row["kind"] == "scheduled":
            return study_day(datetime.fromisoformat(row["reviewed_at"]), day_starts_at) == today
    return False


@dataclass(frozen=True)
class QueueItem:
    card: CardRow
    kind: Literal["review", "new", "drill"]


def todays_queue(store: Store, today: date, new_per_day: int) -> list[QueueItem]:
    """Due reviews, most overdue first, then new cards up to what is left of today's new-card limit."""
    reviews = [QueueItem(card, "review") for card in store.due_cards(today)]
    allowance = new_per_day - store.new_introduced_on(today)
    new = [QueueItem(card, "new") for card in store.new_cards(allowance)] if allowance > 0 else []
    return reviews + new


def review_input(item_kind: str, card_id: str, quality: int, answer: str, verdict: Verdict | None,
                 duration_ms: int) -> ReviewInput:
    """What the store needs to know about a graded explanation, from the grader's verdict if any."""
    usage = verdict.usage if verdict else None
    return ReviewInput(
        card_id=card_id, quality=quality, kind="drill" if item_kind == "drill" else "scheduled",
        suggested_quality=verdict.suggested_quality if verdict else None, answer=answer,
        feedback=verdict.feedback if verdict else "", duration_ms=duration_ms,
        grader=verdict.grader if verdict else "self", model=verdict.model if verdict else None,
        prompt_version=verdict.prompt_version if verdict else None,
        input_tokens=usage.input_tokens if usage else 0, output_tokens=usage.output_tokens if usage else 0,
        cache_creation_tokens=usage.cache_creation_input_tokens if usage else 0,
        cache_read_tokens=usage.cache_read_input_tokens if usage else 0,
    )


@dataclass
class _Step:
    """What undo needs to put the session back as it was before one grade."""

    record: ReviewRecord
    position: int
    queue: list[QueueItem]
    drills: list[QueueItem]


@dataclass(frozen=True)
class SessionSummary:
    reviewed: int
    average_quality: float | None
    comes_back: tuple[tuple[str, date | None], ...]


@dataclass
class StudySession:
    store: Store
    today: date
    queue: list[QueueItem]
    clock: Callable[[], datetime] = utc_now
    position: int = 0
    drills: list[QueueItem] = field(default_factory=list)
    history: list[_Step] = field(default_factory=list)

    @classmethod
    def start(cls, store: Store, today: date, new_per_day: int,
              clock: Callable[[], datetime] = utc_now) -> StudySession:
        return cls(store, today, todays_queue(store, today, new_per_day), clock)

    @property
    def current(self) -> QueueItem | None:
        if self.position < len(self.queue):
            return self.queue[self.position]
        if self.drills:
            # Step 7: the main queue is done; ask the day's failed cards again.
            self.queue.extend(self.drills)
            self.drills = []
            return self.queue[self.position]
        return None

    @property
    def progress(self) -> tuple[int, int]:
        """(number of the card being shown, cards in the session so far, drills included)."""
        total = len(self.queue) + len(self.drills)
        return min(self.position + 1, total), total

    def grade(self, quality: int, answer: str = "", verdict: Verdict | None = None,
              duration_ms: int = 0) -> ReviewRecord:
        """Commit the current card's review, queue a drill repeat if it scored below 4, move on."""
        item = self.current
        if item is None:
            raise RuntimeError("the session has no card left to grade")
        entry = review_input(item.kind, item.card.id, quality, answer, verdict, duration_ms)
        record = self.store.record_review(entry, self.today, self.clock())
        self.history.append(_Step(record, self.position, list(self.queue), list(self.drills)))
        if quality < DRILL_PASS_QUALITY:
            self.drills.append(QueueItem(item.card, "drill"))
        self.position += 1
        return record

    def skip(self) -> None:
        """Leave the current card for another session (it stays due)."""
        if self.current is not None:
            del self.queue[self.position]

    def undo(self) -> ReviewRecord | None:
        """Take back the last grade of this session: the store restores the card's exact state and
        the card is shown again."""
        if not self.history:
            return None
        step = self.history.pop()
        undone = self.store.undo_last_review(self.clock())
        if undone is None or undone.id != step.record.id:
            raise RuntimeError("the last review in the database is not this session's; nothing was undone")
        self.position, self.queue, self.drills = step.position, step.queue, step.drills
        return undone

    def summary(self) -> SessionSummary:
        graded = [step.record for step in self.history]
        scheduled = [r for r in graded if r.kind == "scheduled"]
        average = sum(r.quality for r in graded) / len(graded) if graded else None
        return SessionSummary(len(graded), average, tuple((r.card_id, r.due) for r in scheduled))
