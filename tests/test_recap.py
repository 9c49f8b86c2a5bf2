"""The recap use case (issue 12 section 3): which cards a recap is graded against, the recording rule on
due, not-due and new cards, the `recap` kind in the scheduler's replay, the doctor and the exports, and
the offline recap check."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from recall.doctor import check_collection
from recall.export import ANKI_CRAM, ReviewPhase, export_reviews
from recall.grading.base import KeyPointResult, Usage
from recall.grading.offline import OfflineGrader
from recall.grading.prompt import card_reference
from recall.grading.recap import CardAssessment, OfflineRecapGrader, RecapVerdict, card_tokens
from recall.recap import (
    RecapError,
    entry_effect,
    entry_kind,
    grades_to_record,
    parse_grades,
    recap_scope,
    record_recap,
)
from recall.deck import load_decks
from recall.scheduler import CardState, Grade, recap_state, review_kind, scheduler_named
from recall.sm2 import Sm2Scheduler
from recall.store import ReviewInput, Store

TODAY = date(2026, 3, 10)
RECAP = "Saturation slows learning; softmax outputs a distribution; overfitting memorises."


def moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=timezone.utc)


def review(store: Store, card_id: str, quality: int, day: date) -> None:
    store.record_review(ReviewInput(card_id, quality), day, moment(day))


def assessment(card_id: str, suggested: int | None = 4, confident: bool = True) -> CardAssessment:
    return CardAssessment(card_id, f"prompt of {card_id}", (KeyPointResult("a point", "covered", "words"),),
                          suggested, confident)


def verdict(*card_ids: str) -> RecapVerdict:
    return RecapVerdict("the corrected recap and its mapping", tuple(map(assessment, card_ids)), (), "claude",
                        "claude-haiku-5-5", "recap-v", Usage(1000, 300))


@pytest.fixture
def studied(store: Store) -> Store:
    """nn.saturation due today (reviewed 10 days ago), nn.softmax not due (due in 4 days), nn.overfitting new."""
    review(store, "nn.saturation", 4, TODAY - timedelta(days=10))
    review(store, "nn.softmax", 4, TODAY - timedelta(days=3))
    review(store, "nn.softmax", 5, TODAY - timedelta(days=2))
    return store


def entries(store: Store) -> dict[str, dict]:
    rows = store.db.query("SELECT * FROM reviews WHERE study_day = ? ORDER BY id", [TODAY.isoformat()])
    return {row["card_id"]: row for row in rows}


# -- the rule -----------------------------------------------------------------------------------------

def test_a_recap_entry_that_passes_changes_nothing_and_one_that_fails_makes_the_card_due_that_day() -> None:
    card = CardState(260, 3, 15, TODAY + timedelta(days=9), 1)
    assert recap_state(card, Grade.HARD, TODAY) == card
    # due 9 days early, so the interval is shortened by 9: still the days since it was last scheduled
    assert recap_state(card, Grade.ALMOST, TODAY) == CardState(260, 3, 6, TODAY, 1)
    scheduled_today = CardState(260, 1, 1, TODAY + timedelta(days=1))
    assert recap_state(scheduled_today, Grade.FORGOT, TODAY) == CardState(260, 1, 1, TODAY)
    due_already = CardState(260, 3, 15, TODAY - timedelta(days=1), 1)
    assert recap_state(due_already, Grade.FORGOT, TODAY) == due_already
    after, log = Sm2Scheduler().review_card(card, Grade.WRONG, "recap", TODAY)
    assert after.due == TODAY and (log.kind, log.before, log.after) == ("recap", card, after)


def test_a_card_never_scheduled_gets_a_scheduled_review_even_when_a_recap_entry_is_asked_for() -> None:
    assert review_kind("recap", None, TODAY) == "scheduled"
    assert review_kind("recap", TODAY, TODAY) == "recap"
    assert review_kind("recap", TODAY - timedelta(days=5), TODAY) == "recap"


def test_due_and_new_cards_get_scheduled_reviews_and_a_card_not_yet_due_a_recap_entry(studied: Store) -> None:
    assert [entry_kind(studied.card(i), TODAY) for i in ("nn.saturation", "nn.softmax", "nn.overfitting")] == \
        ["scheduled", "recap", "scheduled"]
    softmax_before = studied.card("nn.softmax").state
    records = record_recap(studied, recap_scope(studied), RECAP, verdict("nn.saturation", "nn.softmax",
                                                                          "nn.overfitting"),
                           {"nn.saturation": 4, "nn.softmax": 5, "nn.overfitting": 3}, TODAY, moment(TODAY))
    assert [(r.card_id, r.kind) for r in records] == [("nn.saturation", "scheduled"), ("nn.softmax", "recap"),
                                                     ("nn.overfitting", "scheduled")]
    saturation = studied.card("nn.saturation")
    assert (saturation.repetitions, saturation.interval, saturation.due) == (2, 6, TODAY + timedelta(days=6))
    assert studied.card("nn.softmax").state == softmax_before  # a passing recap never pushes a card later
    overfitting = studied.card("nn.overfitting")
    assert (overfitting.repetitions, overfitting.interval, overfitting.due) == (1, 1, TODAY + timedelta(days=1))
    logged = entries(studied)
    assert logged["nn.overfitting"]["was_new"] == 1 and logged["nn.softmax"]["was_new"] == 0
    for row in logged.values():
        assert (row["answer"], row["feedback"]) == (RECAP, "the corrected recap and its mapping")
        assert (row["grader"], row["model"], row["prompt_version"]) == ("claude", "claude-haiku-5-5", "recap-v")
    # the recap's tokens are counted once
    assert [row["input_tokens"] for row in logged.values()] == [1000, 0, 0]
    assert check_collection(studied).inconsistencies == ()


def test_a_failing_grade_brings_a_card_not_yet_due_forward_to_today_and_nothing_else(studied: Store) -> None:
    before = studied.card("nn.softmax")
    assert before.due == TODAY + timedelta(days=4)
    [record] = record_recap(studied, recap_scope(studied), RECAP, verdict("nn.softmax"), {"nn.softmax": 2}, TODAY,
                            moment(TODAY))
    after = studied.card("nn.softmax")
    assert record.kind == "recap" and after.due == TODAY
    assert (after.easiness_centi, after.repetitions, after.lapses) == \
        (before.easiness_centi, before.repetitions, before.lapses)
    assert after.interval == 2  # last scheduled 2 days ago
    assert [card.id for card in studied.due_cards(TODAY)] == ["nn.saturation", "nn.softmax"]
    assert studied.owed_drills(TODAY) == []  # a recap entry owes no drill: the card is due instead
    assert entry_effect(record) == f"nn.softmax: 2, recap entry (a fail, so it is due today; due {TODAY})"
    # its scheduled review today then applies SM-2 as usual
    review(studied, "nn.softmax", 1, TODAY)
    assert studied.card("nn.softmax").repetitions == 0
    assert check_collection(studied).inconsistencies == ()


def test_the_replay_of_a_log_with_recap_entries_matches_the_store_and_undo_restores_exactly(studied: Store) -> None:
    before = studied.card("nn.softmax").state
    [record] = record_recap(studied, recap_scope(studied), RECAP, verdict("nn.softmax"), {"nn.softmax": 0}, TODAY,
                            moment(TODAY))
    assert check_collection(studied).inconsistencies == ()
    studied.undo_review(record.id, moment(TODAY))
    assert studied.card("nn.softmax").state == before
    assert check_collection(studied).inconsistencies == ()


def test_fsrs_replays_recap_entries_as_the_store_recorded_them(tmp_path: Path, small_deck: Path) -> None:
    with Store(tmp_path / "fsrs.db", scheduler_named("fsrs")) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        review(store, "nn.softmax", 4, TODAY - timedelta(days=6))
        review(store, "nn.softmax", 4, TODAY - timedelta(days=5))
        before = store.card("nn.softmax").state
        assert before.due > TODAY
        scope = recap_scope(store)
        record_recap(store, scope, RECAP, verdict("nn.softmax"), {"nn.softmax": 5}, TODAY, moment(TODAY))
        assert store.card("nn.softmax").state == before
        record_recap(store, scope, RECAP, verdict("nn.softmax"), {"nn.softmax": 1}, TODAY, moment(TODAY))
        after = store.card("nn.softmax").state
        assert (after.due, after.stability, after.difficulty) == (TODAY, before.stability, before.difficulty)
        assert after.interval == 5  # FSRS still sees the days since the card's last scheduling
        assert check_collection(store).inconsistencies == ()


def test_cards_the_recap_does_not_address_get_nothing(studied: Store) -> None:
    with pytest.raises(RecapError, match="nn.overfitting is not among the cards the recap addresses"):
        record_recap(studied, recap_scope(studied), RECAP, verdict("nn.softmax"), {"nn.overfitting": 4}, TODAY)
    assert entries(studied) == {}


# -- which grades, which cards --------------------------------------------------------------------------

def test_only_given_grades_and_confident_suggestions_are_recorded_without_asking() -> None:
    assessments = [assessment("a", 4, True), assessment("b", 2, False), assessment("c", None, False)]
    assert grades_to_record(assessments, {}) == ({"a": 4}, ["b", "c"])
    assert grades_to_record(assessments, {"b": 3, "c": 1, "a": 5}) == ({"a": 5, "b": 3, "c": 1}, [])


def test_grades_are_parsed_from_id_equals_grade_pairs() -> None:
    assert parse_grades("nn.softmax=4, nn.saturation=0,") == {"nn.softmax": 4, "nn.saturation": 0}
    assert parse_grades("") == {}
    for bad in ("nn.softmax", "nn.softmax=6", "=3", "nn.softmax=four"):
        with pytest.raises(RecapError, match="is not ID=GRADE with a grade from 0 to 5"):
            parse_grades(bad)


def test_the_scope_keeps_the_cards_that_fit_the_budget_and_names_those_left_out(store: Store) -> None:
    scope = recap_scope(store, budget=25, cost=lambda card: 10)
    assert [c.id for c in scope.sent] == ["nn.saturation", "nn.softmax"]
    assert [c.id for c in scope.left_out] == ["nn.overfitting"]
    assert (scope.label, scope.draft_key) == ("all cards", "recap:all cards")
    assert [c.id for c in recap_scope(store, tag="ch3").sent] == ["nn.saturation"]
    assert len(recap_scope(store, deck="Small").sent) == 3
    with pytest.raises(RecapError, match="no active cards in deck Other"):
        recap_scope(store, deck="Other")
    with pytest.raises(RecapError, match="no card of tag ch3 fits a budget of 5 tokens"):
        recap_scope(store, tag="ch3", budget=5)


def test_the_default_cost_is_the_cards_reference_text(store: Store) -> None:
    assert recap_scope(store).left_out == ()
    first_two = sum(card_tokens(store.card(i).to_card()) for i in ("nn.saturation", "nn.softmax"))
    assert first_two == sum(-(-len(card_reference(store.card(i).to_card())) // 4)
                            for i in ("nn.saturation", "nn.softmax"))
    assert [c.id for c in recap_scope(store, budget=first_two).sent] == ["nn.saturation", "nn.softmax"]


def test_a_recap_draft_is_kept_under_its_scope_and_cleared_once_recorded(studied: Store) -> None:
    scope = recap_scope(studied, deck="Small")
    studied.save_draft(scope.draft_key, "half a recap")
    assert studied.draft(scope.draft_key) == "half a recap"
    record_recap(studied, scope, RECAP, verdict("nn.softmax"), {"nn.softmax": 4}, TODAY, moment(TODAY))
    assert studied.draft(scope.draft_key) is None


# -- exports --------------------------------------------------------------------------------------------

def test_exports_carry_the_recap_kind(studied: Store, tmp_path: Path) -> None:
    record_recap(studied, recap_scope(studied), RECAP, verdict("nn.softmax"), {"nn.softmax": 2}, TODAY, moment(TODAY))
    buffer = io.BytesIO()
    export_reviews(studied, "csv", stream=buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue().decode())))
    assert [row["kind"] for row in rows] == ["scheduled", "scheduled", "scheduled", "recap"]
    buffer = io.BytesIO()
    export_reviews(studied, "fsrs", stream=buffer)
    fsrs = list(csv.DictReader(io.StringIO(buffer.getvalue().decode())))
    assert fsrs[-1]["card_id"] == "nn.softmax" and int(fsrs[-1]["review_state"]) == ReviewPhase.REVIEW
    package = tmp_path / "out.apkg"
    export_reviews(studied, "anki", output=package, today=TODAY)
    with zipfile.ZipFile(package) as archive:
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(tmp_path / "c.anki2")
    try:
        types = [row[0] for row in connection.execute("SELECT type FROM revlog ORDER BY id")]
    finally:
        connection.close()
    assert types == [0, 0, 1, ANKI_CRAM]


# -- offline ------------------------------------------------------------------------------------------

def test_offline_recap_maps_cards_by_their_key_points_and_leaves_unsure_grades_to_the_learner(store: Store) -> None:
    text = ("The derivative of the sigmoid is tiny when z is large in magnitude, and a tiny derivative makes the "
            "weight updates tiny, so learning is slow. Each softmax output is the exponential of its weighted "
            "input divided by the sum of exponentials.")
    cards = [card.to_card() for card in store.cards()]
    shown: list[str] = []

    async def sink(chunk: str) -> None:
        shown.append(chunk)

    result = asyncio.run(OfflineRecapGrader(OfflineGrader()).grade(cards, text, sink))
    assert result.grader == "offline" and result.model is None
    assert [a.card_id for a in result.assessments] == ["nn.saturation", "nn.softmax"]
    assert result.not_covered == ("nn.overfitting",)
    for graded in result.assessments:
        assert graded.confident == (graded.suggested_quality is not None)
    assert "".join(shown) == result.feedback
    assert "### Not covered (no grade)\n- nn.overfitting: What is overfitting?" in result.feedback
