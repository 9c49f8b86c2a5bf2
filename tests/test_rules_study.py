"""Rules of the study use cases (recall/study.py), one test each, found by mutation testing
(bench/mutation.py study): what a recorded review carries, which clock stamps it, which kind a session
asks for, and when a drill is done."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from recall.clock import iso_utc
from recall.grading.base import KeyPointResult, Usage, Verdict
from recall.scheduler import Grade
from recall.store import ReviewInput, Store
from recall.study import QueueItem, StudySession, drill_outcome, record_explanation

TODAY = date(2026, 3, 1)
PINNED = datetime(2026, 3, 1, 7, 30, 15, 250_000, tzinfo=timezone.utc)  # not the real time, whenever it runs
VERDICT = Verdict(suggested_quality=3, key_points=(KeyPointResult("k", "covered", "e"),), feedback="Fix this.",
                  grader="claude", model="claude-haiku-5-5", prompt_version="v9",
                  usage=Usage(input_tokens=10, output_tokens=20, cache_creation_input_tokens=30,
                              cache_read_input_tokens=40))
STORED = ("kind, quality, suggested_quality, grader, model, prompt_version, feedback, answer, duration_ms, "
          "input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, reviewed_at")


def stored(store: Store, card_id: str) -> tuple:
    """The card's newest review, as stored."""
    return store.conn.execute(f"SELECT {STORED} FROM reviews WHERE card_id = ? ORDER BY id DESC LIMIT 1",
                              [card_id]).fetchone()


def pinned_clock() -> datetime:
    return PINNED


def test_a_graded_review_stores_the_graders_verdict_with_it(store: Store) -> None:
    record_explanation(store, "nn.softmax", 4, "my words", VERDICT, 1500, TODAY, PINNED)
    assert stored(store, "nn.softmax") == ("scheduled", 4, 3, "claude", "claude-haiku-5-5", "v9", "Fix this.",
                                           "my words", 1500, 10, 20, 30, 40, iso_utc(PINNED))
    session = StudySession.start(store, TODAY, 10, clock=pinned_clock)
    assert session.current.card.id == "nn.saturation"
    session.grade(2, "a session's words", VERDICT, 900)
    assert stored(store, "nn.saturation") == ("scheduled", 2, 3, "claude", "claude-haiku-5-5", "v9", "Fix this.",
                                              "a session's words", 900, 10, 20, 30, 40, iso_utc(PINNED))


def test_a_grade_without_a_verdict_is_the_learners_own_with_nothing_else_recorded(store: Store) -> None:
    StudySession.start(store, TODAY, 10, clock=pinned_clock).grade(5)
    assert stored(store, "nn.saturation") == ("scheduled", 5, None, "self", None, None, "", "", 0, 0, 0, 0, 0,
                                              iso_utc(PINNED))


def test_everything_a_session_writes_is_stamped_by_its_clock(store: Store) -> None:
    """The review, and the draft that undo puts back: tests and screenshots pin the clock."""
    record_explanation(store, "nn.overfitting", 4, "told", None, 0, TODAY, now=PINNED)
    assert stored(store, "nn.overfitting")[-1] == iso_utc(PINNED)
    session = StudySession.start(store, TODAY, 10, clock=pinned_clock)
    session.grade(4, "taken back")
    assert stored(store, "nn.saturation")[-1] == iso_utc(PINNED)
    session.undo()
    assert store.conn.execute("SELECT text, updated_at FROM drafts WHERE card_id = 'nn.saturation'").fetchone() == (
        "taken back", iso_utc(PINNED))


def test_a_session_asks_for_a_scheduled_review_of_a_due_card_and_a_drill_of_a_drill_item(store: Store) -> None:
    """The due card's review is scheduled (its interval grows); a drill item is asked as a drill, even
    when the card's scheduled review was not today (another recall took it back): it changes nothing."""
    yesterday = TODAY - timedelta(days=1)
    store.record_review(ReviewInput("nn.softmax", 4), yesterday, PINNED - timedelta(days=1))
    session = StudySession.start(store, TODAY, 0, clock=pinned_clock)
    assert [(item.card.id, item.kind) for item in session.queue] == [("nn.softmax", "review")]
    record = session.grade(4)
    assert (record.kind, record.interval, record.due) == ("scheduled", 6, TODAY + timedelta(days=6))

    store.record_review(ReviewInput("nn.overfitting", 3), yesterday, PINNED - timedelta(days=1))
    before = store.card("nn.overfitting")
    drill = StudySession(store, TODAY, [QueueItem(before, "drill")], clock=pinned_clock).grade(4)
    assert (drill.kind, store.card("nn.overfitting").state) == ("drill", before.state)


def test_a_session_with_no_card_left_refuses_to_grade(store: Store) -> None:
    session = StudySession.start(store, TODAY, 0, clock=pinned_clock)
    with pytest.raises(RuntimeError, match="^the session has no card left to grade$"):
        session.grade(4)


@pytest.mark.parametrize(("grade", "outcome"), [
    (0, "once more later"), (1, "once more later"), (2, "once more later"), (3, "once more later"),
    (4, "done for today"), (5, "done for today"),
])
def test_a_drill_is_done_for_the_day_at_the_drill_pass_mark(grade: int, outcome: str) -> None:
    assert drill_outcome(grade) == outcome
    assert Grade(grade).ends_drill == (outcome == "done for today")
