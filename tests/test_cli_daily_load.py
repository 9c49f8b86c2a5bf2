"""The daily load on the command line (issue 15): due and study of one deck or tag, reviewing ahead and
extra new cards, leeches and suspension."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from test_cli import Recall, assert_one_line_error, cli_today

from recall.store import ReviewInput


@pytest.fixture
def recall(tmp_path, small_deck) -> Recall:  # noqa: ANN001
    config = tmp_path / "config.toml"
    config.write_text('new_per_day = 5\n[decks."Small"]\nnew_per_day = 2\n')
    return Recall(tmp_path / "cli.db", small_deck, config)


def lapse(recall: Recall, card_id: str, times: int) -> None:
    """`times` lapses of a card, the last ending two days ago (so it is due today)."""
    recall("due")  # creates the database and syncs the deck
    with recall.store() as store:
        day = cli_today() - timedelta(days=2 * times + 1)
        for _ in range(times):
            store.record_review(ReviewInput(card_id, 4), day)
            store.record_review(ReviewInput(card_id, 0), day + timedelta(days=1))
            day += timedelta(days=2)


def test_due_honours_the_deck_limit_and_the_tag(recall):
    assert [item["id"] for item in json.loads(recall("due", "--json").stdout)] == ["nn.saturation", "nn.softmax"]
    assert [item["id"] for item in json.loads(recall("due", "--json", "--tag", "ch3").stdout)] == ["nn.saturation"]
    assert [item["id"] for item in json.loads(recall("due", "--json", "--deck", "Small", "--extra-new", "3").stdout)] \
        == ["nn.saturation", "nn.softmax", "nn.overfitting"]


@pytest.mark.parametrize(("command", "option", "message"), [
    ("due", "--deck", "no deck named 'Big'; the decks are: Small"),
    ("study", "--deck", "no deck named 'Big'; the decks are: Small"),
    ("due", "--tag", "no tag named 'Big'; the tags are: ch3"),
])
def test_an_unknown_deck_or_tag_is_one_sentence_naming_the_known_ones(recall, command, option, message):
    assert_one_line_error(recall(command, option, "Big"), message)


def test_review_ahead_lists_cards_due_soon(recall):
    recall("due")
    with recall.store() as store:
        for offset in (3, 2):
            store.record_review(ReviewInput("nn.softmax", 5), cli_today() - timedelta(days=offset))
    assert [item["id"] for item in json.loads(recall("due", "--json", "--ahead", "4").stdout)] == [
        "nn.softmax", "nn.saturation", "nn.overfitting"]
    assert "nn.softmax" not in [item["id"] for item in json.loads(recall("due", "--json").stdout)]


def test_leeches_are_listed_marked_and_suspended_without_losing_history(recall):
    lapse(recall, "nn.softmax", 4)
    cards = {card["id"]: card for card in json.loads(recall("cards", "--json").stdout)}
    assert (cards["nn.softmax"]["leech"], cards["nn.softmax"]["suspended"], cards["nn.softmax"]["lapses"]) == (
        True, False, 4)
    assert cards["nn.saturation"]["leech"] is False
    leeches = recall("cards", "--leeches")
    assert [line.split()[0] for line in leeches.stdout.splitlines()] == ["nn.softmax"]
    assert leeches.stdout.splitlines()[0].startswith("nn.softmax".ljust(26) + "L ")
    assert recall("suspend", "nn.softmax").stdout == (
        "nn.softmax: suspended; no session asks it until `recall unsuspend nn.softmax`\n")
    assert recall("suspend", "nn.softmax").stdout == "nn.softmax was already suspended\n"
    assert "nn.softmax" not in [item["id"] for item in json.loads(recall("due", "--json").stdout)]
    cards = {card["id"]: card for card in json.loads(recall("cards", "--json").stdout)}
    assert (cards["nn.softmax"]["suspended"], cards["nn.softmax"]["reviews"]) == (True, 8)
    assert recall("cards").stdout.splitlines()[1].startswith("nn.softmax".ljust(26) + "LS ")
    assert recall("unsuspend", "nn.softmax").stdout.startswith("nn.softmax: back in sessions, due ")
    assert "nn.softmax" in [item["id"] for item in json.loads(recall("due", "--json").stdout)]


def test_the_leech_threshold_is_a_setting(recall):
    lapse(recall, "nn.softmax", 2)
    recall.config.write_text("leech_lapses = 2\n")
    assert [card["id"] for card in json.loads(recall("cards", "--json", "--leeches").stdout)] == ["nn.softmax"]


def test_suspending_an_unknown_card_is_one_sentence(recall):
    assert_one_line_error(recall("suspend", "nn.sofmax"), "no card with id 'nn.sofmax'; did you mean nn.softmax?")


def test_doctor_replays_with_the_configured_scheduler(recall):
    lapse(recall, "nn.softmax", 2)
    recall.config.write_text('scheduler = "fsrs"\n')
    assert recall("doctor").stdout.startswith("OK: 3 cards, 4 reviews")
    fsrs_card = json.loads(recall("cards", "--json").stdout)[1]
    assert fsrs_card["stability"] is not None
    recall.config.write_text("")
    sm2_card = json.loads(recall("cards", "--json").stdout)[1]
    assert (sm2_card["stability"], sm2_card["lapses"], sm2_card["interval"]) == (None, 2, 1)
    assert recall("doctor").stdout.startswith("OK: 3 cards, 4 reviews")
