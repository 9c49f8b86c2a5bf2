"""A study session: the day boundary, today's queue, step-7 drills, skip, undo and the summary."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from recall.grading.base import KeyPointResult, Usage, Verdict
from recall.store import ReviewInput, Store, StoreError
from recall.clock import study_day
from recall.study import StudySession, new_card_allowance, review_input, todays_queue

TODAY = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
SATURATION, SOFTMAX, OVERFITTING = "nn.saturation", "nn.softmax", "nn.overfitting"  # deck order


def queue_ids(items) -> list[tuple[str, str]]:
    return [(item.card.id, item.kind) for item in items]


def review_on(store: Store, card_id: str, day: date, quality: int = 4) -> None:
    store.record_review(ReviewInput(card_id, quality), day, NOON)


def start(store: Store, new_per_day: int = 10) -> StudySession:
    return StudySession.start(store, TODAY, new_per_day, clock=lambda: NOON)


@pytest.fixture
def local_timezone():
    """Set the process's local time zone for one test; the original is restored (and re-read) afterwards."""
    original = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield use
    if original is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = original
    time.tzset()


class TestStudyDay:
    @pytest.mark.parametrize(("clock", "day"), [
        ("2026-03-02 03:59", date(2026, 3, 1)),
        ("2026-03-02 04:00", date(2026, 3, 2)),
        ("2026-03-02 23:59", date(2026, 3, 2)),
        ("2026-03-01 00:00", date(2026, 2, 28)),
    ])
    def test_a_day_starts_at_four_by_default(self, clock, day):
        assert study_day(datetime.fromisoformat(clock), 4) == day

    def test_midnight_when_day_starts_at_zero(self):
        assert study_day(datetime(2026, 3, 2, 0, 0), 0) == date(2026, 3, 2)

    def test_an_aware_moment_is_taken_in_local_time(self, local_timezone):
        local_timezone("Asia/Tokyo")  # UTC+9, no daylight saving
        assert study_day(datetime(2026, 3, 1, 18, 59, tzinfo=timezone.utc), 4) == date(2026, 3, 1)
        assert study_day(datetime(2026, 3, 1, 19, 0, tzinfo=timezone.utc), 4) == date(2026, 3, 2)


class TestQueue:
    def test_new_cards_come_in_deck_order(self, store):
        assert queue_ids(todays_queue(store, TODAY, 10)) == [
            (SATURATION, "new"), (SOFTMAX, "new"), (OVERFITTING, "new")]

    def test_due_cards_come_first_most_overdue_first(self, store):
        review_on(store, OVERFITTING, TODAY - timedelta(days=5))   # due 4 days ago
        review_on(store, SOFTMAX, TODAY - timedelta(days=2))       # due yesterday
        assert queue_ids(todays_queue(store, TODAY, 10)) == [
            (OVERFITTING, "review"), (SOFTMAX, "review"), (SATURATION, "new")]

    def test_cards_due_later_are_not_asked(self, store):
        review_on(store, SOFTMAX, TODAY)
        assert (SOFTMAX, "review") not in queue_ids(todays_queue(store, TODAY, 10))
        assert (SOFTMAX, "review") in queue_ids(todays_queue(store, TODAY + timedelta(days=1), 10))

    @pytest.mark.parametrize(("new_per_day", "expected"), [(0, []), (1, [SATURATION]),
                                                             (2, [SATURATION, SOFTMAX])])
    def test_new_cards_are_limited_per_day(self, store, new_per_day, expected):
        assert [item.card.id for item in todays_queue(store, TODAY, new_per_day)] == expected

    def test_new_cards_introduced_earlier_today_count_against_the_limit(self, store):
        review_on(store, SATURATION, TODAY, quality=4)
        assert queue_ids(todays_queue(store, TODAY, 2)) == [(SOFTMAX, "new")]
        assert todays_queue(store, TODAY, 1) == []
        assert queue_ids(todays_queue(store, TODAY + timedelta(days=1), 1)) == [
            (SATURATION, "review"), (SOFTMAX, "new")]


class TestDrills:
    def test_a_card_graded_below_four_comes_back_at_the_end_as_a_drill(self, store):
        session = start(store)
        session.grade(3)
        session.grade(5)
        session.grade(4)
        assert (session.current.card.id, session.current.kind) == (SATURATION, "drill")
        assert session.progress == (4, 4)

    def test_a_drill_is_stored_as_such_and_leaves_the_schedule_alone(self, store):
        session = start(store, new_per_day=1)
        first = session.grade(2)
        after_first = store.card(SATURATION)
        drill = session.grade(5)
        assert drill.kind == "drill"
        assert (drill.easiness_centi, drill.interval, drill.due) == (first.easiness_centi, 1, first.due)
        assert store.card(SATURATION) == replace(after_first, reviews=after_first.reviews + 1)
        kinds = [row["kind"] for row in store.reviews_for_card(SATURATION)]
        assert kinds == ["drill", "scheduled"]

    def test_drills_repeat_until_graded_four_or_more(self, store):
        session = start(store, new_per_day=1)
        for quality in (1, 2, 3, 0, 4):
            assert session.current.card.id == SATURATION
            session.grade(quality)
        assert session.current is None
        kinds = [row["kind"] for row in store.reviews_for_card(SATURATION)]
        assert kinds == ["drill"] * 4 + ["scheduled"]
        assert store.card(SATURATION).easiness_centi == 196  # only the scheduled 1 changed EF

    def test_no_drill_for_a_card_graded_four_or_more(self, store):
        session = start(store, new_per_day=1)
        session.grade(4)
        assert session.current is None

    def test_grading_with_nothing_left_is_an_error(self, store):
        session = start(store, new_per_day=0)
        with pytest.raises(RuntimeError, match="no card left"):
            session.grade(4)


    def test_a_card_scheduled_today_is_only_drilled_again_today(self, store):
        review_on(store, SATURATION, TODAY)
        again = store.record_review(ReviewInput(SATURATION, 5), TODAY, NOON)
        tomorrow = store.record_review(ReviewInput(SATURATION, 5), TODAY + timedelta(days=1), NOON)
        other = store.record_review(ReviewInput(SOFTMAX, 5), TODAY, NOON)
        assert (again.kind, again.interval) == ("drill", 1)
        assert (tomorrow.kind, tomorrow.interval) == ("scheduled", 6)
        assert other.kind == "scheduled"

    def test_drills_owed_today_survive_a_new_session(self, store):
        session = start(store)
        session.grade(2)
        session.grade(3)
        reopened = start(store)
        assert queue_ids(reopened.queue) == [(OVERFITTING, "new"), (SATURATION, "drill"), (SOFTMAX, "drill")]
        assert queue_ids(todays_queue(store, TODAY, 10))[-2:] == [(SATURATION, "drill"), (SOFTMAX, "drill")]

    def test_a_skipped_drill_does_not_come_straight_back(self, store):
        session = start(store, new_per_day=1)
        session.grade(1)
        assert session.current.kind == "drill"
        session.skip()
        assert session.current is None
        assert queue_ids(start(store).queue)[-1] == (SATURATION, "drill")

    def test_the_new_card_allowance_counts_todays_new_cards(self, store):
        assert new_card_allowance(store, TODAY, 2) == 2
        start(store).grade(4)
        assert new_card_allowance(store, TODAY, 2) == 1
        assert new_card_allowance(store, TODAY, 1) == 0
        assert new_card_allowance(store, TODAY + timedelta(days=1), 2) == 2


class TestSkipAndUndo:
    def test_skip_leaves_the_card_unreviewed_and_moves_on(self, store):
        session = start(store)
        session.skip()
        assert session.current.card.id == SOFTMAX
        assert session.progress == (1, 2)
        assert store.review_count() == 0
        assert SATURATION in [item.card.id for item in todays_queue(store, TODAY, 10)]

    def test_undo_shows_the_card_again_and_restores_its_state(self, store):
        session = start(store)
        before = store.card(SATURATION)
        session.grade(2, answer="flat tails")
        undone = session.undo()
        assert undone.card_id == SATURATION
        assert store.card(SATURATION) == before
        assert store.draft(SATURATION) == "flat tails"
        assert (session.current.card.id, session.current.kind) == (SATURATION, "new")
        assert session.history == [] and session.progress == (1, 3)

    def test_undo_across_the_drill_boundary(self, store):
        session = start(store)
        session.grade(2)
        session.grade(5)
        before_last = store.card(OVERFITTING)
        session.grade(5)
        assert session.current.kind == "drill"
        session.undo()
        assert (session.current.card.id, session.current.kind) == (OVERFITTING, "new")
        assert store.card(OVERFITTING) == before_last
        session.grade(4)
        before_drill = store.card(SATURATION)
        session.grade(4)
        assert session.current is None
        session.undo()
        assert (session.current.card.id, session.current.kind) == (SATURATION, "drill")
        assert store.card(SATURATION) == before_drill
        assert [row["kind"] for row in store.reviews_for_card(SATURATION)] == ["scheduled"]

    def test_undo_with_nothing_graded_does_nothing(self, store):
        assert start(store).undo() is None

    def test_undo_takes_back_this_sessions_review_not_another_recalls(self, store):
        session = start(store)
        session.grade(4)
        review_on(store, SOFTMAX, TODAY)  # another recall, after this session's grade
        assert session.undo().card_id == SATURATION
        assert [row["kind"] for row in store.reviews_for_card(SOFTMAX)] == ["scheduled"]
        assert store.reviews_for_card(SATURATION) == []

    def test_undo_refuses_when_another_recall_reviewed_the_same_card_since(self, store):
        session = start(store)
        session.grade(2)
        review_on(store, SATURATION, TODAY, quality=5)  # another recall: a drill of the same card
        with pytest.raises(StoreError, match="reviewed again since"):
            session.undo()
        assert len(session.history) == 1 and store.review_count() == 2


def test_the_summary_counts_grades_and_lists_when_cards_come_back(store):
    session = start(store)
    for quality in (2, 5, 4, 4):
        session.grade(quality)
    summary = session.summary()
    assert summary.reviewed == 4
    assert summary.average_quality == 3.75
    assert summary.comes_back == ((SATURATION, date(2026, 3, 2)), (SOFTMAX, date(2026, 3, 2)),
                                  (OVERFITTING, date(2026, 3, 2)))


def test_an_empty_session_has_an_empty_summary(store):
    summary = start(store, new_per_day=0).summary()
    assert (summary.reviewed, summary.average_quality, summary.comes_back) == (0, None, ())


def test_review_input_carries_the_verdict():
    verdict = Verdict(3, (KeyPointResult("k", "covered", "e"),), "feedback", "claude", "model-x", "v1",
                      usage=Usage(10, 20, 30, 40))
    entry = review_input("drill", "c", 4, "answer", verdict, 1234)
    assert entry == ReviewInput("c", 4, "drill", 3, "answer", "feedback", 1234, "claude", "model-x", "v1",
                                10, 20, 30, 40)


def test_review_input_without_a_verdict_is_a_self_grade():
    entry = review_input("scheduled", "c", 2, "", None, 0)
    assert (entry.kind, entry.grader, entry.suggested_quality, entry.model) == ("scheduled", "self", None, None)
