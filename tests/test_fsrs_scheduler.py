"""The FSRS option (issue 15): a replay under FSRS matches the `fsrs` package computing the same history
directly, and switching schedulers back and forth loses nothing."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import fsrs
import pytest

from recall.collection import open_collection
from recall.config import load_settings
from recall.doctor import check_collection
from recall.fsrs_scheduler import FsrsMissing
from recall.scheduler import CardState, replay, scheduler_named
from recall.store import ReviewInput, Store
from recall.study import StudySession

START = date(2026, 3, 1)
# (days after START, grade, kind): a new card failed and drilled, learned, lapsed and drilled twice the
# same day, then recovered; every grade 0-5 appears.
HISTORY = [(0, 1, "scheduled"), (0, 3, "drill"), (0, 4, "drill"), (1, 4, "scheduled"), (4, 5, "scheduled"),
           (20, 0, "scheduled"), (20, 2, "drill"), (20, 4, "drill"), (21, 3, "scheduled"), (30, 4, "scheduled")]


def direct_fsrs(history, desired_retention: float) -> fsrs.Card:
    """The same history given to the fsrs package by hand: ratings 0-2 Again, 3 Hard, 4 Good, 5 Easy, each
    review at noon UTC of its day, whole-day intervals (no learning steps), no fuzz."""
    engine = fsrs.Scheduler(desired_retention=desired_retention, learning_steps=(), relearning_steps=(),
                            enable_fuzzing=False)
    rating = {0: fsrs.Rating.Again, 1: fsrs.Rating.Again, 2: fsrs.Rating.Again, 3: fsrs.Rating.Hard,
              4: fsrs.Rating.Good, 5: fsrs.Rating.Easy}
    card = fsrs.Card(card_id=1)
    for offset, grade, _kind in history:
        moment = datetime(2026, 3, 1, 12, tzinfo=timezone.utc) + timedelta(days=offset)
        card, _log = engine.review_card(card, rating[grade], moment)
    return card


@pytest.mark.parametrize("desired_retention", [0.9, 0.8])
def test_a_replay_under_fsrs_matches_the_fsrs_package(desired_retention):
    for length in range(1, len(HISTORY) + 1):
        history = HISTORY[:length]
        state = replay(scheduler_named("fsrs", desired_retention),
                       [(grade, kind, START + timedelta(days=offset)) for offset, grade, kind in history])
        expected = direct_fsrs(history, desired_retention)
        assert (state.stability, state.difficulty, state.due) == (
            expected.stability, expected.difficulty, expected.due.date())
        assert state.interval == (state.due - (START + timedelta(days=history[-1][0]))).days


def test_fsrs_keeps_repetitions_and_lapses_as_sm2_counts_them():
    state = replay(scheduler_named("fsrs"), [(grade, kind, START + timedelta(days=offset))
                                             for offset, grade, kind in HISTORY])
    sm2 = replay(scheduler_named("sm2"), [(grade, kind, START + timedelta(days=offset))
                                          for offset, grade, kind in HISTORY])
    assert (state.repetitions, state.lapses) == (sm2.repetitions, sm2.lapses) == (2, 1)


def test_a_higher_desired_retention_gives_shorter_intervals():
    log = [(4, "scheduled", START), (4, "scheduled", START + timedelta(days=3))]
    assert replay(scheduler_named("fsrs", 0.95), log).interval < replay(scheduler_named("fsrs", 0.8), log).interval


def settings_for(tmp_path: Path, deck: Path, scheduler: str, retention: float = 0.9):
    config = tmp_path / f"{scheduler}-{retention}.toml"
    config.write_text(f'scheduler = "{scheduler}"\ndesired_retention = {retention}\n')
    return load_settings({"config": str(config), "db": str(tmp_path / "recall.db"), "cards": [str(deck)]}, {})


def record_history(store: Store) -> None:
    for offset, grade, kind in HISTORY:
        store.record_review(ReviewInput("nn.saturation", grade, kind), START + timedelta(days=offset))
    for offset, grade in [(0, 4), (1, 2), (2, 5)]:
        store.record_review(ReviewInput("nn.softmax", grade), START + timedelta(days=offset))


def states(store: Store) -> dict[str, CardState]:
    return {card_id: state for card_id, state, _reviews in store.card_states()}


def test_switching_sm2_fsrs_sm2_gives_back_the_sm2_states(tmp_path, small_deck):
    store, _report = open_collection(settings_for(tmp_path, small_deck, "sm2"))
    record_history(store)
    sm2_states = states(store)
    store.close()
    store, _report = open_collection(settings_for(tmp_path, small_deck, "fsrs"))
    fsrs_states = states(store)
    assert fsrs_states["nn.saturation"].stability == direct_fsrs(HISTORY, 0.9).stability
    assert fsrs_states["nn.overfitting"] == CardState()  # never reviewed: still new
    assert check_collection(store).inconsistencies == ()
    store.close()
    store, _report = open_collection(settings_for(tmp_path, small_deck, "fsrs", 0.8))
    assert states(store)["nn.saturation"].interval > fsrs_states["nn.saturation"].interval  # 80% asks later
    store.close()
    store, _report = open_collection(settings_for(tmp_path, small_deck, "sm2"))
    assert states(store) == sm2_states
    assert store.review_count() == len(HISTORY) + 3
    store.close()


def test_reviews_and_undo_under_fsrs_keep_state_equal_to_the_replay(tmp_path, small_deck):
    store, _report = open_collection(settings_for(tmp_path, small_deck, "fsrs"))
    record_history(store)
    assert check_collection(store).inconsistencies == ()
    before = states(store)["nn.overfitting"]
    session = StudySession.start(store, START + timedelta(days=40), 1, lambda: datetime(2026, 4, 10, 12))
    session.queue = [item for item in session.queue if item.card.id == "nn.overfitting"]
    session.grade(2)
    assert states(store)["nn.overfitting"].stability is not None
    session.undo()
    assert states(store)["nn.overfitting"] == before
    assert check_collection(store).inconsistencies == ()
    store.close()


def test_doctor_replays_with_the_configured_scheduler(tmp_path, small_deck):
    store, _report = open_collection(settings_for(tmp_path, small_deck, "fsrs"))
    record_history(store)
    store.close()
    with Store(tmp_path / "recall.db") as unadopted:  # SM-2, but the stored states are FSRS's
        assert [item.card_id for item in check_collection(unadopted).inconsistencies] == [
            "nn.saturation", "nn.softmax"]


def test_without_the_fsrs_package_one_sentence_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "fsrs", None)  # what an absent package looks like to `import`
    with pytest.raises(FsrsMissing, match=r'^scheduler = "fsrs" needs the fsrs package: '
                                          r'pip install "recall\[fsrs\]", or set scheduler = "sm2"$'):
        scheduler_named("fsrs")
