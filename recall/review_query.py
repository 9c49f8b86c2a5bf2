"""Selecting reviews by card, deck and study day: a filter, the review columns by name, and their SQL.

The store runs these queries (`Store.review_batches`, `Store.count_reviews`, `Store.filtered_cards`);
callers name columns and never write SQL. Reviews are `r`, their cards `c`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

# Every column a caller may ask for, by name. Easiness is stored in hundredths; `easiness` divides in
# SQLite, which gives the same correctly rounded double as Python would (2.36, not 2.3600000000000003).
REVIEW_COLUMNS = {
    "review_id": "r.id", "card_id": "r.card_id", "deck": "c.deck", "reviewed_at": "r.reviewed_at",
    "study_day": "r.study_day", "kind": "r.kind", "quality": "r.quality",
    "suggested_quality": "r.suggested_quality", "easiness": "r.easiness_after / 100.0",
    "interval_days": "r.interval_after", "repetitions": "r.repetitions_after", "due": "r.due_after",
    "duration_ms": "r.duration_ms", "grader": "r.grader", "model": "r.model", "answer": "r.answer",
    "feedback": "r.feedback", "was_new": "r.was_new", "easiness_before": "r.easiness_before",
    "easiness_after": "r.easiness_after", "interval_before": "r.interval_before",
    "interval_after": "r.interval_after", "repetitions_before": "r.repetitions_before",
    "lapses_before": "r.lapses_before",
}
TEXT_COLUMNS = frozenset({"card_id", "deck", "reviewed_at", "study_day", "kind", "due", "grader", "model",
                          "answer", "feedback"})
ReviewOrder = Literal["id", "time"]
ORDERS: dict[str, str] = {"id": "r.id", "time": "r.reviewed_at, r.id"}


@dataclass(frozen=True)
class ReviewFilter:
    """Which reviews to select. `since` and `until` are inclusive and compared with the review's local
    study day (`reviews.study_day`, the day as the learner lived it, with `day_starts_at` applied), not
    its UTC timestamp; `deck` is the deck's name as shown by `recall cards`."""

    since: date | None = None
    until: date | None = None
    card_id: str | None = None
    deck: str | None = None


def _card_conditions(filters: ReviewFilter) -> tuple[list[str], list[str]]:
    clauses, params = [], []
    if filters.card_id is not None:
        clauses.append("c.id = ?")
        params.append(filters.card_id)
    if filters.deck is not None:
        clauses.append("c.deck = ?")
        params.append(filters.deck)
    return clauses, params


def _day_conditions(filters: ReviewFilter) -> tuple[list[str], list[str]]:
    clauses, params = [], []
    if filters.since is not None:
        clauses.append("r.study_day >= ?")
        params.append(filters.since.isoformat())
    if filters.until is not None:
        clauses.append("r.study_day <= ?")
        params.append(filters.until.isoformat())
    return clauses, params


def _review_conditions(filters: ReviewFilter, whole_histories: bool) -> tuple[str, list[str]]:
    """The WHERE clause for the filtered reviews. With `whole_histories`, a card reviewed before `since`
    is left out altogether, so every history selected starts at the card's first review."""
    card_clauses, card_params = _card_conditions(filters)
    day_clauses, day_params = _day_conditions(filters)
    clauses, params = card_clauses + day_clauses, card_params + day_params
    if whole_histories and filters.since is not None:
        clauses.append("r.card_id NOT IN (SELECT card_id FROM reviews WHERE study_day < ?)")
        params.append(filters.since.isoformat())
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params


def _prefixed(expression: str, triggers: Sequence[str]) -> str:
    """SQL giving a text cell that starts with one of `triggers` a leading apostrophe, done by SQLite at
    C speed rather than in Python cell by cell."""
    characters = ", ".join(f"char({ord(trigger)})" for trigger in triggers)
    return f"CASE WHEN substr({expression}, 1, 1) IN ({characters}) THEN '''' || {expression} ELSE {expression} END"


def column_expressions(columns: Iterable[str], formula_prefix: Sequence[str] = ()) -> str:
    """The SELECT list for review columns named as in REVIEW_COLUMNS; with `formula_prefix`, text
    columns starting with one of those characters come back with a leading apostrophe."""
    expressions = []
    for name in columns:
        if name not in REVIEW_COLUMNS:
            raise ValueError(f"no review column {name!r}; choose from {', '.join(REVIEW_COLUMNS)}")
        expression = REVIEW_COLUMNS[name]
        expressions.append(_prefixed(expression, formula_prefix) if formula_prefix and name in TEXT_COLUMNS
                           else expression)
    return ", ".join(expressions)


def select_reviews(filters: ReviewFilter, columns: Sequence[str], *, whole_histories: bool = False,
                   order: ReviewOrder = "id", formula_prefix: Sequence[str] = ()) -> tuple[str, list[str]]:
    """(SQL, parameters) selecting `columns` of the filtered reviews in review-id order, or in time order
    (`order="time"`, ties by id)."""
    where, params = _review_conditions(filters, whole_histories)
    return (f"SELECT {column_expressions(columns, formula_prefix)} FROM reviews r JOIN cards c ON c.id = r.card_id "
            f"{where} ORDER BY {ORDERS[order]}"), params


def count_reviews(filters: ReviewFilter, whole_histories: bool = False) -> tuple[str, list[str]]:
    where, params = _review_conditions(filters, whole_histories)
    return f"SELECT COUNT(*) FROM reviews r JOIN cards c ON c.id = r.card_id {where}", params


def card_conditions(filters: ReviewFilter) -> tuple[str, list[str]]:
    """(WHERE clause on cards `c`, parameters) for the cards matching the card and deck filters: active
    ones, and retired ones with a review in the filtered days."""
    card_clauses, card_params = _card_conditions(filters)
    day_clauses, day_params = _day_conditions(filters)
    history = " AND ".join(["r.card_id = c.id", *day_clauses])
    clauses = [*card_clauses, f"(c.retired = 0 OR EXISTS (SELECT 1 FROM reviews r WHERE {history}))"]
    return f"WHERE {' AND '.join(clauses)}", card_params + day_params
