"""The review log is the source of truth: stored state == a replay of the log, checked by `recall doctor`."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.cli import cli
from recall.deck import Card
from recall.doctor import check_collection
from recall.scheduler import CardState, Grade, replay
from recall.sm2 import Sm2Scheduler
from recall.store import ReviewInput, Store, StoreError

DAY_ONE = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
CARDS = ("log.a", "log.b", "log.c")

# One step of a learner's life: wait some days, then grade a card (asking for a scheduled review or a
# drill), or take back a review.
steps = st.one_of(
    st.tuples(st.just("grade"), st.integers(0, 3), st.sampled_from(CARDS), st.integers(0, 5),
              st.sampled_from(["scheduled", "drill"])),
    st.tuples(st.just("undo"), st.integers(0, 2)),
)


def collection(path: Path | str = ":memory:") -> Store:
    store = Store(path)
    store.sync_cards([Card(card_id, "Log", f"{card_id}?", "A.", ("k",)) for card_id in CARDS])
    return store


def live(store: Store, plan: list[tuple]) -> list[int]:
    """Run the plan through the store as the front ends would; returns the ids of the reviews kept."""
    day, recorded = DAY_ONE, []
    for step in plan:
        if step[0] == "grade":
            _, wait, card_id, quality, kind = step
            day += timedelta(days=wait)
            recorded.append(store.record_review(ReviewInput(card_id, quality, kind), day, NOON).id)
        elif recorded:
            review_id = recorded[-1 - min(step[1], len(recorded) - 1)]
            try:
                store.undo_review(review_id, NOON)
            except StoreError:  # refused: the card was reviewed again since; nothing changed
                continue
            recorded.remove(review_id)
    return recorded


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, max_size=60))
def test_random_review_sequences_keep_stored_state_equal_to_the_replay(plan):
    with collection() as store:
        kept = live(store, plan)
        report = check_collection(store)
        assert store.review_count() == len(kept)
        assert report.inconsistencies == ()
        assert report.cards == len(CARDS) and report.reviews == store.review_count()


def test_a_replay_is_the_scheduler_applied_to_each_logged_review_in_order():
    day = DAY_ONE
    expected = CardState()
    scheduler = Sm2Scheduler()
    log = [(5, "scheduled", day), (2, "drill", day), (3, "scheduled", day + timedelta(days=1)),
           (1, "scheduled", day + timedelta(days=7))]
    for quality, kind, when in log:
        expected, _ = scheduler.review_card(expected, Grade(quality), kind, when)
    assert replay(scheduler, log) == expected
    assert (expected.repetitions, expected.interval, expected.lapses, expected.due) == (
        0, 1, 1, day + timedelta(days=8))


def corrupt(path: Path, card_id: str, assignment: str) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(f"UPDATE cards SET {assignment} WHERE id = ?", [card_id])


def test_doctor_names_the_one_card_whose_state_was_edited_by_hand(tmp_path):
    path = tmp_path / "recall.db"
    with collection(path) as store:
        live(store, [("grade", 1, card_id, 4, "scheduled") for card_id in CARDS * 3])
    corrupt(path, "log.b", "interval = interval + 1")
    with Store(path) as store:
        report = check_collection(store)
    assert [item.card_id for item in report.inconsistencies] == ["log.b"]
    assert "interval 16 (replay: 15)" in str(report.inconsistencies[0])


def test_doctor_notices_a_review_count_that_does_not_match_the_log(tmp_path):
    path = tmp_path / "recall.db"
    with collection(path) as store:
        live(store, [("grade", 0, "log.c", 4, "scheduled")])
    corrupt(path, "log.c", "reviews = 5")
    with Store(path) as store:
        (item,) = check_collection(store).inconsistencies
    assert str(item) == "log.c: stored reviews 5 (log: 1)"


def run_doctor(path: Path, deck: Path, *args: str):
    config = path.with_name("config.toml")
    config.touch()
    return CliRunner().invoke(cli, ["--db", str(path), "--cards", str(deck), "--config", str(config),
                                    "doctor", *args], prog_name="recall")


def test_recall_doctor_after_a_long_random_session_then_after_a_hand_edit(tmp_path, small_deck):
    path = tmp_path / "recall.db"
    with Store(path) as store:
        from recall.deck import load_decks

        store.sync_cards(load_decks([small_deck]).cards)
        card_ids = [card.id for card in store.cards()]
        day = DAY_ONE
        for number in range(400):  # a long session: every grade, same-day repeats, undos
            day += timedelta(days=number % 3 == 0)
            saved = store.record_review(ReviewInput(card_ids[number * 7 % len(card_ids)], number * 5 % 6), day, NOON)
            if number % 11 == 0:
                store.undo_review(saved.id, NOON)
    result = run_doctor(path, small_deck)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK: {len(card_ids)} cards, ")
    corrupt(path, card_ids[1], "easiness_centi = 400")
    result = run_doctor(path, small_deck)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{card_ids[1]}: stored easiness_centi 400 (replay: ")
    assert f"1 of {len(card_ids)} card(s) differ" in result.stderr
    listed = json.loads(run_doctor(path, small_deck, "--json").stdout)
    assert [item["card_id"] for item in listed["inconsistent"]] == [card_ids[1]]
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
