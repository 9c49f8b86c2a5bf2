"""The review log is the source of truth: every card's stored state must equal a replay of its reviews.

`recall doctor` runs this check. It is what makes a scheduler switch, undo and a merge of two review logs
safe: any of them may rebuild a card's state from its log and must land where the store already is.
"""

from __future__ import annotations

from dataclasses import dataclass

from recall.scheduler import CardState, Scheduler, replay
from recall.store import Store


@dataclass(frozen=True)
class Inconsistency:
    """A card whose stored state is not what its reviews replay to."""

    card_id: str
    stored: CardState
    replayed: CardState
    stored_reviews: int
    logged_reviews: int

    def __str__(self) -> str:
        differences = [f"{name} {getattr(self.stored, name)} (replay: {getattr(self.replayed, name)})"
                       for name in ("easiness_centi", "repetitions", "interval", "due", "lapses", "stability",
                                    "difficulty")
                       if getattr(self.stored, name) != getattr(self.replayed, name)]
        if self.stored_reviews != self.logged_reviews:
            differences.append(f"reviews {self.stored_reviews} (log: {self.logged_reviews})")
        return f"{self.card_id}: stored " + ", ".join(differences)


@dataclass(frozen=True)
class DoctorReport:
    cards: int
    reviews: int
    inconsistencies: tuple[Inconsistency, ...]


def check_collection(store: Store, scheduler: Scheduler | None = None) -> DoctorReport:
    """Replay every card's reviews (one card's log in memory at a time) and compare with its stored state.
    Cards and the log are both read in card-id order, so the two streams are merged without a lookup."""
    scheduler = scheduler or store.scheduler
    logs = store.card_logs()
    pending = next(logs, None)
    cards = reviews = 0
    found: list[Inconsistency] = []
    for card_id, stored, stored_reviews in store.card_states():
        cards += 1
        log = []
        if pending is not None and pending[0] == card_id:
            log = pending[1]
            pending = next(logs, None)
        reviews += len(log)
        replayed = replay(scheduler, log)
        if replayed != stored or stored_reviews != len(log):
            found.append(Inconsistency(card_id, stored, replayed, stored_reviews, len(log)))
    return DoctorReport(cards, reviews, tuple(found))
