"""Control of the daily load (issue 15): one deck or tag, more once today's queue is done, new cards per
deck, leeches and suspended cards."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from recall.config import ConfigError, load_settings
from recall.deck import load_decks
from recall.scheduler import is_leech
from recall.store import ReviewInput, Store
from recall.study import NoSuchScope, StudyPlan, StudySession, check_scope, new_card_allowance, todays_queue

TODAY = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)


@pytest.fixture
def two_decks(tmp_path: Path, write_deck) -> Store:
    """Deck "A": a1..a4 (a1 and a3 tagged "calc"), then deck "B": b1..b3 (b1 tagged "calc")."""
    first = write_deck("a.toml", {"id": "a1", "tags": ["calc"]}, "a2", {"id": "a3", "tags": ["calc"]}, "a4",
                       deck="A")
    second = write_deck("b.toml", {"id": "b1", "tags": ["calc"]}, "b2", "b3", deck="B")
    with Store(tmp_path / "recall.db") as store:
        store.sync_cards(load_decks([first, second]).cards)
        yield store


def review(store: Store, card_id: str, day: date, quality: int = 4) -> None:
    store.record_review(ReviewInput(card_id, quality), day, NOON)


def ids(items) -> list[str]:
    return [item.card.id for item in items]


class TestScope:
    def test_one_deck_is_studied_alone(self, two_decks):
        review(two_decks, "b2", TODAY - timedelta(days=1))
        assert ids(todays_queue(two_decks, TODAY, 10, plan=StudyPlan(deck="B"))) == ["b2", "b1", "b3"]

    def test_one_tag_across_decks(self, two_decks):
        assert ids(todays_queue(two_decks, TODAY, 10, plan=StudyPlan(tag="calc"))) == ["a1", "a3", "b1"]

    def test_deck_and_tag_together(self, two_decks):
        assert ids(todays_queue(two_decks, TODAY, 10, plan=StudyPlan(deck="B", tag="calc"))) == ["b1"]

    def test_drills_stay_in_the_scope(self, two_decks):
        review(two_decks, "a1", TODAY, 2)
        review(two_decks, "b1", TODAY, 2)
        assert [(item.card.id, item.kind) for item in todays_queue(two_decks, TODAY, 0, plan=StudyPlan(deck="B"))] \
            == [("b1", "drill")]

    def test_an_unknown_deck_or_tag_names_the_known_ones(self, two_decks):
        with pytest.raises(NoSuchScope, match=r"^no deck named 'C'; the decks are: A, B$"):
            check_scope(two_decks, StudyPlan(deck="C"))
        with pytest.raises(NoSuchScope, match=r"^no tag named 'algebra'; the tags are: calc$"):
            check_scope(two_decks, StudyPlan(tag="algebra"))
        check_scope(two_decks, StudyPlan(deck="A", tag="calc"))


class TestNewCardsPerDeck:
    def test_a_deck_limit_caps_that_deck_within_the_total(self, two_decks):
        assert ids(todays_queue(two_decks, TODAY, 5, {"A": 2})) == ["a1", "a2", "b1", "b2", "b3"]

    def test_the_total_still_caps_every_deck(self, two_decks):
        assert ids(todays_queue(two_decks, TODAY, 3, {"B": 2})) == ["a1", "a2", "a3"]

    def test_a_deck_limit_counts_that_decks_new_cards_of_the_day(self, two_decks):
        review(two_decks, "a1", TODAY)
        assert new_card_allowance(two_decks, TODAY, 5, {"A": 2}, "A") == 1
        assert new_card_allowance(two_decks, TODAY, 5, {"A": 2}, "B") == 4
        assert ids(todays_queue(two_decks, TODAY, 5, {"A": 2}, StudyPlan(deck="A"))) == ["a2"]


class TestStudyMore:
    def test_extra_new_cards_go_past_the_allowance_and_leave_tomorrows_whole(self, two_decks):
        for card_id in ("a1", "a2"):
            review(two_decks, card_id, TODAY, 5)
        assert todays_queue(two_decks, TODAY, 2) == []
        extra = todays_queue(two_decks, TODAY, 2, plan=StudyPlan(extra_new=3))
        assert ids(extra) == ["a3", "a4", "b1"]
        for card_id in ids(extra):
            review(two_decks, card_id, TODAY, 5)
        assert new_card_allowance(two_decks, TODAY, 2) == 0
        assert new_card_allowance(two_decks, TODAY + timedelta(days=1), 2) == 2
        assert [item.kind for item in todays_queue(two_decks, TODAY + timedelta(days=1), 2)] == \
            ["review"] * 5 + ["new"] * 2

    def test_reviewing_ahead_asks_cards_due_within_n_days_soonest_first(self, two_decks):
        review(two_decks, "a1", TODAY - timedelta(days=2), 5)   # due TODAY - 1: due now
        review(two_decks, "a2", TODAY - timedelta(days=1), 5)   # due TODAY
        review(two_decks, "b1", TODAY - timedelta(days=7), 5)   # due TODAY - 6
        review(two_decks, "b1", TODAY - timedelta(days=6), 5)   # 6 days: due TODAY
        review(two_decks, "b2", TODAY, 5)                       # scheduled today: never asked ahead
        review(two_decks, "a3", TODAY - timedelta(days=2), 5)
        review(two_decks, "a3", TODAY - timedelta(days=1), 5)   # due TODAY + 5
        plan = StudyPlan(ahead_days=5, extra_new=0)
        queue = todays_queue(two_decks, TODAY, 0, plan=plan)
        assert ids(queue) == ["a1", "a2", "b1", "a3"]
        assert ids(todays_queue(two_decks, TODAY, 0, plan=StudyPlan(ahead_days=4))) == ["a1", "a2", "b1"]

    def test_a_card_reviewed_ahead_is_scheduled_not_drilled(self, two_decks):
        review(two_decks, "a1", TODAY - timedelta(days=1), 5)  # due TODAY
        review(two_decks, "a1", TODAY, 5)  # 6 days: due TODAY + 6
        session = StudySession.start(two_decks, TODAY + timedelta(days=1), 0, lambda: NOON,
                                     plan=StudyPlan(ahead_days=7))
        record = session.grade(5)
        assert (record.card_id, record.kind) == ("a1", "scheduled")


class TestLeechesAndSuspension:
    def test_a_card_is_a_leech_at_the_configured_number_of_lapses(self):
        assert [is_leech(lapses) for lapses in (3, 4, 5)] == [False, True, True]
        assert is_leech(2, leech_lapses=2)

    def test_lapses_count_failed_reviews_of_a_learned_card(self, two_decks):
        day = TODAY
        review(two_decks, "a1", day, 1)  # not yet learned: no lapse
        for _ in range(4):
            day += timedelta(days=1)
            review(two_decks, "a1", day, 4)
            day += timedelta(days=1)
            review(two_decks, "a1", day, 0)
        assert two_decks.card("a1").lapses == 4

    def test_a_suspended_card_leaves_every_queue_and_keeps_its_history(self, two_decks, write_deck):
        review(two_decks, "a1", TODAY - timedelta(days=1), 2)
        assert two_decks.set_suspended("a1", True)
        assert not two_decks.set_suspended("a1", True)
        assert "a1" not in ids(todays_queue(two_decks, TODAY, 10))
        assert "a1" not in ids(todays_queue(two_decks, TODAY - timedelta(days=1), 10))  # nor its drill
        two_decks.sync_cards(load_decks([write_deck("a.toml", {"id": "a1", "prompt": "Changed."}, deck="A")]).cards)
        card = two_decks.card("a1")
        assert (card.suspended, card.reviews, card.prompt) == (True, 1, "Changed.")
        assert two_decks.set_suspended("a1", False)
        assert ids(todays_queue(two_decks, TODAY, 0)) == ["a1"]

    def test_suspending_in_a_session_moves_on_and_drops_the_cards_later_drill(self, two_decks):
        session = StudySession.start(two_decks, TODAY, 2, lambda: NOON)
        session.grade(1)  # a1 owes a drill
        assert session.suspend().id == "a2"
        assert (session.current.card.id, session.current.kind) == ("a1", "drill")
        assert two_decks.card("a2").suspended
        assert session.suspend().id == "a1"
        assert session.current is None
        assert [record.card_id for record in (step.record for step in session.history)] == ["a1"]


class TestSettings:
    @pytest.fixture
    def config(self, tmp_path):
        def load(text: str, env: dict | None = None):
            path = tmp_path / "config.toml"
            path.write_text(text, encoding="utf-8")
            return load_settings({"config": str(path)}, env or {})
        return load

    def test_the_daily_load_settings_and_their_defaults(self, config):
        default = config("")
        assert (default.new_per_day, default.deck_new_per_day, default.scheduler, default.desired_retention,
                default.leech_lapses) == (5, {}, "sm2", 0.9, 4)
        chosen = config('scheduler = "fsrs"\ndesired_retention = 0.85\nleech_lapses = 6\n'
                        '[decks."Neural nets"]\nnew_per_day = 2\n[decks.Small]\n')
        assert (chosen.deck_new_per_day, chosen.scheduler, chosen.desired_retention, chosen.leech_lapses) == (
            {"Neural nets": 2}, "fsrs", 0.85, 6)
        assert config("", {"RECALL_SCHEDULER": "fsrs"}).scheduler == "fsrs"

    @pytest.mark.parametrize(("text", "message"), [
        ('scheduler = "anki"\n', "scheduler must be one of sm2, fsrs, not 'anki'"),
        ("desired_retention = 0.5\n", "`desired_retention` must be a fraction from 0.7 to 0.99, not 0.5"),
        ("desired_retention = 1\n", "`desired_retention` must be a decimal number"),
        ("leech_lapses = 0\n", "`leech_lapses` must be a whole number from 1 to 1000, not 0"),
        ("decks = 3\n", '`decks` must be tables of deck settings ([decks."NAME"])'),
        ('[decks."A"]\nnew_per_day = -1\n', '`new_per_day` of [decks."A"] must be a whole number from 0 to 10000'),
        ('[decks."A"]\nnew = 1\n', 'unknown deck setting `new` in [decks."A"] (known: new_per_day)'),
        ('decks = {A = 1}\n', '`decks.A` must be a table ([decks."A"])'),
    ])
    def test_a_bad_value_is_one_sentence(self, config, text, message):
        with pytest.raises(ConfigError, match=re.escape(message)):
            config(text)
