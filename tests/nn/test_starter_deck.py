"""The bundled starter deck: the card format's rules, chapter coverage, and a card for every demo."""

import re
import tomllib
from pathlib import Path

import pytest

from nn import DEMOS
from recall.deck import load_decks

CARDS = Path(__file__).resolve().parents[2] / "cards"
CARD_FIELDS = {"id", "prompt", "answer", "key_points", "tags", "demo"}
REQUIRED = {"id", "prompt", "answer", "key_points", "tags"}


def deck_files():
    return sorted(CARDS.glob("*.toml"))


def all_cards():
    return [card for path in deck_files() for card in tomllib.loads(path.read_text())["card"]]


def test_one_deck_file_per_chapter_each_titled():
    assert [path.stem for path in deck_files()] == ["ch1", "ch2", "ch3", "ch5"]
    for path in deck_files():
        deck = tomllib.loads(path.read_text())
        assert set(deck) == {"deck", "card"}
        assert deck["deck"].startswith(f"Nielsen {path.stem[2:]}: ")


def test_cards_follow_the_format():
    cards = all_cards()
    assert len(cards) >= 30
    ids = [card["id"] for card in cards]
    assert len(ids) == len(set(ids))
    for card in cards:
        assert REQUIRED <= set(card) <= CARD_FIELDS, card["id"]
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", card["id"])
        assert 3 <= len(card["key_points"]) <= 5, card["id"]
        assert all(isinstance(point, str) and len(point) > 20 for point in card["key_points"]), card["id"]
        assert card["tags"] and card["prompt"].strip() and len(card["answer"]) > 200, card["id"]
        assert card.get("demo", DEMOS[0]) in DEMOS, card["id"]


@pytest.mark.parametrize("path", deck_files(), ids=lambda path: path.stem)
def test_card_ids_start_with_their_chapter(path):
    for card in tomllib.loads(path.read_text())["card"]:
        assert card["id"].startswith(f"{path.stem}.") and path.stem in card["tags"]


# Demos whose chapter has no deck yet (cards/ch4.toml and cards/ch6.toml are to be written): the list must
# shrink as cards arrive, never grow unnoticed.
AWAITING_CARDS = set()


def test_every_demo_is_linked_by_a_card():
    linked = {card["demo"] for card in all_cards() if "demo" in card}
    assert set(DEMOS) - AWAITING_CARDS <= linked
    assert AWAITING_CARDS <= set(DEMOS) and not AWAITING_CARDS & linked, "remove linked demos from AWAITING_CARDS"


def test_recall_loads_the_deck_without_problems():
    decks = load_decks([CARDS])
    assert [str(problem) for problem in decks.problems] == []
    assert len(decks.cards) == len(all_cards())
