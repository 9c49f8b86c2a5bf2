"""The recap use case, with no UI: explain a chapter in one text, get corrected, update every card it covers.

Both front ends (`recall recap` and the app's recap screen) call these, so each rule has one home here:
which cards a recap is graded against (a deck's or a tag's, at most what fits a token budget, the rest
named as left out), where its draft is kept, which grades may be recorded without asking, and the one
recording rule: a recap never pushes a card later than it would be without the recap. A covered card
that is due (or new) gets its scheduled review with the confirmed grade; a covered card not yet due gets
a `recap` entry, which leaves its schedule alone except that a failing grade makes it due today
(`scheduler.recap_state`, so a replay of the log lands where the store is).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from recall.clock import utc_now
from recall.errors import RecallError
from recall.grading.base import Usage
from recall.grading.recap import CardAssessment, RecapVerdict, card_tokens
from recall.scheduler import Grade, ReviewKind
from recall.store import CardRow, ReviewInput, ReviewRecord, Store

DEFAULT_TOKEN_BUDGET = 12_000  # the cards' share of a recap request, in (estimated) tokens
DRAFT_PREFIX = "recap:"  # a recap's draft is kept in the drafts table under "recap:<scope>", no card's id


class RecapError(RecallError):
    """A recap that cannot be graded or recorded as asked; the message is one sentence."""


@dataclass(frozen=True)
class RecapScope:
    """The cards a recap is graded against: those `sent`, and those `left_out` to stay within `budget`."""

    label: str
    sent: tuple[CardRow, ...]
    left_out: tuple[CardRow, ...]
    budget: int

    @property
    def draft_key(self) -> str:
        return DRAFT_PREFIX + self.label


def scope_label(deck: str | None = None, tag: str | None = None) -> str:
    """How a recap's scope is named to the learner and in its draft's key."""
    if deck is not None:
        return f"deck {deck}"
    return f"tag {tag}" if tag is not None else "all cards"


def recap_scope(store: Store, deck: str | None = None, tag: str | None = None,
                budget: int = DEFAULT_TOKEN_BUDGET, cost: Callable[[CardRow], int] | None = None) -> RecapScope:
    """The active cards of `deck` (or with `tag`; all cards without either), in deck order, keeping every
    card that still fits the token budget and leaving out the others."""
    label = scope_label(deck, tag)
    cards = [card for card in store.cards()
             if (deck is None or card.deck == deck) and (tag is None or tag in card.tags)]
    if not cards:
        raise RecapError(f"no active cards in {label}: `recall cards` lists the decks and tags")
    cost = cost or (lambda card: card_tokens(card.to_card()))
    sent, left_out, spent = [], [], 0
    for card in cards:
        tokens = cost(card)
        if spent + tokens <= budget:
            sent.append(card)
            spent += tokens
        else:
            left_out.append(card)
    if not sent:
        raise RecapError(f"no card of {label} fits a budget of {budget} tokens: raise --budget")
    return RecapScope(label, tuple(sent), tuple(left_out), budget)


def entry_kind(card: CardRow, today: date) -> ReviewKind:
    """A covered card due today or earlier (or new) gets its scheduled review; one not yet due, a recap entry."""
    return "scheduled" if card.due is None or card.due <= today else "recap"


def grades_to_record(assessments: Sequence[CardAssessment],
                     given: Mapping[str, int]) -> tuple[dict[str, int], list[str]]:
    """(the grade each addressed card gets, the cards still needing the learner's grade). A grade the
    learner gave wins; else only a confident suggestion may be recorded without asking."""
    grades, missing = {}, []
    for assessment in assessments:
        if assessment.card_id in given:
            grades[assessment.card_id] = given[assessment.card_id]
        elif assessment.confident and assessment.suggested_quality is not None:
            grades[assessment.card_id] = assessment.suggested_quality
        else:
            missing.append(assessment.card_id)
    return grades, missing


def record_recap(store: Store, scope: RecapScope, recap: str, verdict: RecapVerdict, grades: Mapping[str, int],
                 today: date, now: datetime | None = None) -> list[ReviewRecord]:
    """Commit one entry per graded card, by the rule (see the module), each keeping the recap and its
    feedback; the recap's token use is counted once, on the first entry. Then the recap's draft goes."""
    unknown = sorted(set(grades) - {a.card_id for a in verdict.assessments})
    if unknown:
        raise RecapError(f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not among the cards the "
                         "recap addresses, so it gets no grade")
    records, usage = [], verdict.usage
    for assessment in verdict.assessments:
        if assessment.card_id not in grades:
            continue
        card = store.card(assessment.card_id)
        if card is None:
            raise RecapError(f"no card with id {assessment.card_id!r} in the database")
        entry = ReviewInput(
            card_id=card.id, quality=grades[card.id], kind=entry_kind(card, today),
            suggested_quality=assessment.suggested_quality, answer=recap, feedback=verdict.feedback,
            grader=verdict.grader, model=verdict.model, prompt_version=verdict.prompt_version,
            input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
            cache_creation_tokens=usage.cache_creation_input_tokens, cache_read_tokens=usage.cache_read_input_tokens)
        records.append(store.record_review(entry, today, now or utc_now()))
        usage = Usage()
    store.save_draft(scope.draft_key, "")
    return records


def parse_grades(text: str) -> dict[str, int]:
    """`ID=Q,ID=Q` (as `--grades` takes it) as {card id: grade}; a malformed pair is a RecapError."""
    grades = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        card_id, _, quality = pair.rpartition("=")
        if not card_id or quality.strip() not in {str(q) for q in range(6)}:
            raise RecapError(f"{pair!r} is not ID=GRADE with a grade from 0 to 5 (e.g. --grades ch1.perceptron=4)")
        grades[card_id.strip()] = int(quality)
    return grades


def entry_effect(record: ReviewRecord) -> str:
    """What recording a recap did to one card, in a line for either front end."""
    if record.kind == "recap":
        effect = "schedule unchanged" if Grade(record.quality).passes else "a fail, so it is due today"
        return f"{record.card_id}: {record.quality}, recap entry ({effect}; due {record.due})"
    what = "same-day drill, schedule unchanged" if record.kind == "drill" else "scheduled review"
    return (f"{record.card_id}: {record.quality}, {what}; next review {record.due} "
            f"(in {record.interval} day{'' if record.interval == 1 else 's'})")
