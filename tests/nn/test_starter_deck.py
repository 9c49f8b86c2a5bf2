"""The bundled starter deck: the card format's rules, chapter coverage, and a card for every demo."""

import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from nn import DEMOS, split_demo
from recall.cli import cli
from recall.deck import KNOWN_CARD_FIELDS, MAX_MISCONCEPTIONS, load_decks

CARDS = Path(__file__).resolve().parents[2] / "cards"
CARD_FIELDS = {"id", "prompt", "answer", "key_points", "tags", "demo", "core", "misconceptions"}
REQUIRED = {"id", "prompt", "answer", "key_points", "tags", "core", "misconceptions"}
CHAPTERS = {f"ch{number}" for number in range(1, 7)}


def deck_files():
    return sorted(CARDS.glob("*.toml"))


def cards_of(path):
    return tomllib.loads(path.read_text())["card"]


def all_cards():
    return [card for path in deck_files() for card in cards_of(path)]


def test_the_deck_covers_the_whole_book_in_at_least_60_cards():
    per_chapter = {path.stem: len(cards_of(path)) for path in deck_files()}
    assert set(per_chapter) == CHAPTERS and sum(per_chapter.values()) >= 60
    assert min(per_chapter.values()) >= 8, per_chapter  # chapters 4 and 6 have about 8 each (issue 13)


def test_one_deck_file_per_chapter_each_titled():
    stems = [path.stem for path in deck_files()]
    assert set(stems) == CHAPTERS and stems == sorted(stems)
    for path in deck_files():
        deck = tomllib.loads(path.read_text())
        assert set(deck) == {"deck", "card"}
        assert deck["deck"].startswith(f"Nielsen {path.stem[2:]}: ")


def test_card_fields_are_the_parsers():
    assert CARD_FIELDS == KNOWN_CARD_FIELDS


def test_cards_follow_the_format():
    cards = all_cards()
    ids = [card["id"] for card in cards]
    assert len(ids) == len(set(ids))
    for card in cards:
        assert REQUIRED <= set(card) <= CARD_FIELDS, card["id"]
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", card["id"])
        assert 3 <= len(card["key_points"]) <= 5, card["id"]
        assert all(isinstance(point, str) and len(point) > 20 for point in card["key_points"]), card["id"]
        assert card["tags"] and card["prompt"].strip() and len(card["answer"]) > 200, card["id"]
        if "demo" in card:
            split_demo(card["demo"])  # a demo in nn/, with only the options it lists for cards


def test_every_card_names_its_core_key_point_and_at_least_one_misconception():
    for card in all_cards():
        assert type(card["core"]) is int and 1 <= card["core"] <= len(card["key_points"]), card["id"]
        wrong = card["misconceptions"]
        assert 1 <= len(wrong) <= MAX_MISCONCEPTIONS, card["id"]
        assert all(isinstance(idea, str) and len(idea) > 10 for idea in wrong), card["id"]
        assert len(set(wrong)) == len(wrong), card["id"]


@pytest.mark.parametrize("path", deck_files(), ids=lambda path: path.stem)
def test_card_ids_start_with_their_chapter(path):
    for card in tomllib.loads(path.read_text())["card"]:
        assert card["id"].startswith(f"{path.stem}.") and path.stem in card["tags"]


def linked_demos():
    return {split_demo(card["demo"])[0] for card in all_cards() if "demo" in card}


def test_every_demo_is_linked_by_a_card():
    assert set(DEMOS) <= linked_demos()


def test_recall_loads_the_deck_without_problems():
    decks = load_decks([CARDS])
    assert [str(problem) for problem in decks.problems] == []
    assert len(decks.cards) == len(all_cards())
    assert all(card.core is not None and card.misconceptions for card in decks.cards)


def test_recall_check_passes_on_the_whole_bundled_deck(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "check.db"), "--config", str(config), "check"])
    assert result.exit_code == 0, result.output
    files = len(deck_files())
    assert result.stdout == f"OK: {len(all_cards())} cards in {files} deck(s) from {files} file(s)\n"
