"""What a learner earns is neither doubled nor lost: one scheduled review per card and study day even with
two recalls at once, drills owed today read back from the log, drafts never older than the last review."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from recall.cli import cli
from recall.deck import load_decks
from recall.doctor import check_collection
from recall.store import ReviewInput, Store

TODAY = date(2026, 3, 1)
NOON = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)

RACER = textwrap.dedent("""
    import sys, time
    from datetime import date
    from pathlib import Path
    from recall.store import Store
    from recall.study import record_explanation

    database, start, card_ids = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    with Store(database) as store:
        deadline = time.monotonic() + 60
        while not start.exists() and time.monotonic() < deadline:
            pass  # spin, so both processes start writing at the same moment
        for _ in range(5):
            for card_id in card_ids:
                record_explanation(store, card_id, 5, "an explanation", None, 0, date(2026, 3, 1))
""")


def test_two_recalls_grading_the_same_cards_at_once_schedule_each_card_once_a_day(tmp_path, small_deck):
    database, start = tmp_path / "recall.db", tmp_path / "go"
    with Store(database) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        card_ids = [card.id for card in store.cards()]
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(database), str(start), *card_ids],
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    start.touch()
    for racer in racers:
        assert racer.wait(timeout=120) == 0, racer.stderr.read()
    with Store(database) as store:
        for card_id in card_ids:
            kinds = [row["kind"] for row in store.reviews_for_card(card_id)]
            assert (kinds.count("scheduled"), len(kinds)) == (1, 10)
            assert (store.card(card_id).interval, store.card(card_id).repetitions) == (1, 1)
        assert check_collection(store).inconsistencies == ()


def run(tmp_path: Path, deck: Path, *args: str):
    config = tmp_path / "config.toml"
    config.touch()
    return CliRunner().invoke(cli, ["--db", str(tmp_path / "recall.db"), "--cards", str(deck), "--config",
                                    str(config), *args], prog_name="recall")


def test_recall_due_lists_the_drills_owed_today_after_the_session_is_gone(tmp_path, small_deck):
    assert run(tmp_path, small_deck, "explain", "nn.softmax", "--answer", "no idea really, sorry",
               "--record", "--quality", "2").exit_code == 0
    result = run(tmp_path, small_deck, "due")
    kinds = [line.split()[0] for line in result.stdout.splitlines()]
    assert kinds == ["new", "new", "drill"]
    assert result.stdout.splitlines()[-1].split()[2] == "nn.softmax"
    assert result.stderr == "0 due, 2 new, 1 drill(s)\n"
    assert run(tmp_path, small_deck, "explain", "nn.softmax", "--answer", "exponentials over their sum",
               "--record", "--quality", "4").stdout.count("as a same-day drill") == 1
    assert "drill" not in run(tmp_path, small_deck, "due").stdout


def test_a_draft_older_than_the_cards_last_review_is_never_offered(store):
    store.save_draft("nn.saturation", "yesterday's attempt", NOON - timedelta(days=1))
    store.save_draft("nn.softmax", "written after the review", NOON + timedelta(minutes=5))
    for card_id in ("nn.saturation", "nn.softmax"):
        with store.transaction():  # as a second recall would leave it: the review landed after the draft
            store.conn.execute("UPDATE cards SET last_reviewed_at = ? WHERE id = ?",
                               ["2026-03-01T12:00:00.000Z", card_id])
    assert store.draft("nn.saturation") is None
    assert store.draft("nn.softmax") == "written after the review"


def test_keep_draft_never_replaces_the_draft_being_written(store):
    store.save_draft("nn.saturation", "typed in the app")
    assert store.keep_draft("nn.saturation", "a practice attempt") is False
    assert store.keep_draft("nn.softmax", "a practice attempt") is True
    assert store.drafts() == {"nn.saturation": "typed in the app", "nn.softmax": "a practice attempt"}


def test_a_drill_asked_for_a_card_never_scheduled_schedules_it(store):
    """Otherwise the card would be neither new (it has a review) nor ever due (it has no due date)."""
    saved = store.record_review(ReviewInput("nn.overfitting", 1, kind="drill"), TODAY, NOON)
    assert (saved.kind, store.card("nn.overfitting").due) == ("scheduled", TODAY + timedelta(days=1))
