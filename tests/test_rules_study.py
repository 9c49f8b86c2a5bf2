"""Rules of the study use cases (recall/study.py), one test each, found by mutation testing
(bench/mutation.py study): what a recorded review carries, which clock stamps it, which kind a session
asks for, and when a drill is done; and that a session's deck, tag and deck limits reach every queue it
builds and its summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from recall.clock import iso_utc
from recall.deck import load_decks
from recall.grading.base import KeyPointResult, Usage, Verdict
from recall.scheduler import Grade
from recall.store import ReviewInput, Store
from recall.study import (
    NoSuchScope,
    QueueItem,
    StudyPlan,
    StudySession,
    check_scope,
    drill_outcome,
    new_card_allowance,
    record_explanation,
    todays_queue,
)

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


@pytest.fixture
def two_decks(tmp_path: Path, write_deck) -> Store:
    """Deck "A": a1, a2, a3 (a1 and a3 tagged "calc"); deck "B": b1 (tagged "calc"), b2."""
    first = write_deck("a.toml", {"id": "a1", "tags": ["calc"]}, "a2", {"id": "a3", "tags": ["calc"]}, deck="A")
    second = write_deck("b.toml", {"id": "b1", "tags": ["calc"]}, "b2", deck="B")
    with Store(tmp_path / "recall.db") as store:
        store.sync_cards(load_decks([first, second]).cards)
        yield store


def queued(items: list[QueueItem]) -> list[tuple[str, str]]:
    return [(item.card.id, item.kind) for item in items]


def test_a_session_starts_with_the_new_cards_of_its_plan_within_its_deck_limits(two_decks: Store) -> None:
    """Tag "calc" has a1, a3 and b1 new; deck A may introduce one a day."""
    session = StudySession.start(two_decks, TODAY, 10, deck_limits={"A": 1}, plan=StudyPlan(tag="calc"))
    assert queued(session.queue) == [("a1", "new"), ("b1", "new")]


def test_the_drills_a_session_queues_once_its_queue_is_done_are_those_of_its_plan(two_decks: Store) -> None:
    """a1 (deck A) owes a drill from a review outside the session; a session of deck B asks only b1's."""
    two_decks.record_review(ReviewInput("a1", 2), TODAY, PINNED)
    session = StudySession.start(two_decks, TODAY, 2, plan=StudyPlan(deck="B"), clock=pinned_clock)
    assert queued(session.queue) == [("b1", "new")]
    session.grade(2)
    assert queued(session.queue) == [("b1", "new"), ("b1", "drill")]


def test_a_tags_queue_asks_only_the_drills_of_cards_with_that_tag(two_decks: Store) -> None:
    for card_id in ("a1", "a2"):
        two_decks.record_review(ReviewInput(card_id, 1), TODAY, PINNED)
    assert queued(todays_queue(two_decks, TODAY, 0, plan=StudyPlan(tag="calc"))) == [("a1", "drill")]


def test_a_sessions_summary_keeps_its_deck_and_tag_but_not_what_it_asked_beyond_today(two_decks: Store) -> None:
    """So "study more" offers the same deck and tag afresh, with no extra cards already counted in."""
    plan = StudyPlan(deck="A", tag="calc", ahead_days=3, extra_new=2)
    session = StudySession.start(two_decks, TODAY, 10, plan=plan, clock=pinned_clock)
    session.grade(4)
    assert session.summary().plan == StudyPlan(deck="A", tag="calc")


def test_a_decks_own_limit_counts_only_that_decks_new_cards_of_the_day_down_to_none(
        two_decks: Store) -> None:
    for card_id in ("b1", "a1"):
        two_decks.record_review(ReviewInput(card_id, 4), TODAY, PINNED)
    assert new_card_allowance(two_decks, TODAY, 10, {"A": 2}, "A") == 1  # b1 is B's, not A's
    two_decks.record_review(ReviewInput("a2", 4), TODAY, PINNED)
    assert new_card_allowance(two_decks, TODAY, 10, {"A": 2}, "A") == 0


def test_extra_new_cards_come_from_the_plans_deck_and_tag(two_decks: Store) -> None:
    def extra(plan: StudyPlan) -> list[tuple[str, str]]:
        return queued(todays_queue(two_decks, TODAY, 0, plan=plan))

    assert extra(StudyPlan(deck="B", extra_new=5)) == [("b1", "new"), ("b2", "new")]
    assert extra(StudyPlan(tag="calc", extra_new=5)) == [("a1", "new"), ("a3", "new"), ("b1", "new")]


def test_a_queue_asks_only_the_due_reviews_of_its_plans_deck_and_tag(two_decks: Store) -> None:
    yesterday = TODAY - timedelta(days=1)
    for card_id in ("a1", "a2", "b1"):
        two_decks.record_review(ReviewInput(card_id, 4), yesterday, PINNED - timedelta(days=1))
    assert queued(todays_queue(two_decks, TODAY, 0, plan=StudyPlan(tag="calc"))) == [("a1", "review"),
                                                                                      ("b1", "review")]
    assert queued(todays_queue(two_decks, TODAY, 0, plan=StudyPlan(deck="B"))) == [("b1", "review")]


def test_reviewing_ahead_asks_the_cards_due_soon_in_the_plans_deck_and_tag_as_reviews(two_decks: Store) -> None:
    """a1, a2 and b1 are due in 5 days (a second pass gives 6 days); a session of deck A, tag calc, 5 days
    ahead asks a1 alone, as a review."""
    for days_ago in (2, 1):
        for card_id in ("a1", "a2", "b1"):
            two_decks.record_review(ReviewInput(card_id, 4), TODAY - timedelta(days=days_ago),
                                    PINNED - timedelta(days=days_ago))
    plan = StudyPlan(deck="A", tag="calc", ahead_days=5)
    assert queued(todays_queue(two_decks, TODAY, 0, plan=plan)) == [("a1", "review")]


def test_asking_for_a_tag_in_a_collection_without_tags_says_there_are_none(tmp_path: Path, write_deck) -> None:
    with Store(tmp_path / "untagged.db") as store:
        store.sync_cards(load_decks([write_deck("u.toml", "u1", deck="U")]).cards)
        with pytest.raises(NoSuchScope) as refused:
            check_scope(store, StudyPlan(tag="calc"))
    assert str(refused.value) == "no tag named 'calc'; the tags are: none"
