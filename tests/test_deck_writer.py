"""Writing cards into deck files: one table appended or replaced, every other byte kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from recall.deck import parse_deck
from recall.deck_writer import (
    DeckWriteError,
    NewCard,
    add_cards,
    card_spans,
    new_card_id,
    prompt_slug,
    replaced,
    rewrite_card,
)

COMMENTED_DECK = '''# My transformer notes, chapter 1.
deck = "Transformers"   # the deck's name

# --- attention ---
[[card]]
id = "tf.attention"  # keep this id
prompt = "Why scale the dot products by sqrt(d_k)?"
answer = """Large dot products push softmax into saturation,
so gradients vanish."""
key_points = [
  "dot products grow with d_k",   # variance d_k
  "saturated softmax has tiny gradients",
]
tags = ["ch1"]

# --- heads ---
[[card]]
id = "tf.heads"
prompt = "Why several attention heads?"
answer = "Each head can attend to a different relation."
key_points = ["each head learns its own projection"]
# trailing comment of the file
'''

SOFTMAX = NewCard("What does a softmax layer output?", "A distribution. It sums to one.",
                  ("outputs are positive", "they sum to one"), ("ch3",))


def test_ids_are_readable_and_unique_against_every_id():
    assert prompt_slug("What does a softmax layer output?") == "softmax-layer-output"
    assert new_card_id("My Transformers!", "Why scale by sqrt(d_k)?", set()) == "my-transformers.scale-by-sqrt-d-k"
    taken = {"nn.softmax-layer-output", "nn.softmax-layer-output-2"}
    assert new_card_id("nn", "What does a softmax layer output?", taken) == "nn.softmax-layer-output-3"


def test_add_appends_one_table_and_keeps_every_other_byte(tmp_path: Path):
    path = tmp_path / "tf.toml"
    path.write_text(COMMENTED_DECK)
    [card_id] = add_cards(path, [SOFTMAX], "Transformers", {"tf.attention", "tf.heads"})
    text = path.read_text()
    assert card_id == "transformers.softmax-layer-output"
    assert text.startswith(COMMENTED_DECK)
    assert text[len(COMMENTED_DECK):].startswith("\n[[card]]\nid = \"transformers.softmax-layer-output\"\n")
    cards, problems = parse_deck(path)
    assert problems == [] and [c.id for c in cards] == ["tf.attention", "tf.heads", card_id]
    assert cards[2].key_points == SOFTMAX.key_points and cards[2].tags == ("ch3",)


def test_add_creates_the_file_and_its_folder(tmp_path: Path):
    path = tmp_path / "decks" / "new.toml"
    [card_id] = add_cards(path, [SOFTMAX], "nn", set())
    [card], problems = parse_deck(path)
    assert problems == [] and card.id == card_id == "nn.softmax-layer-output" and card.deck == "nn"


@pytest.mark.parametrize("card, message", [
    (NewCard("Why?", "Because.", ()), "1 to 8 key points, not 0"),
    (NewCard("  ", "Because.", ("a",)), "`prompt` is empty"),
    (NewCard("Why?", "Because.", ("a",), demo="rm -rf /"), "is not a demo"),
])
def test_an_invalid_card_is_refused_and_nothing_is_written(tmp_path: Path, card: NewCard, message: str):
    path = tmp_path / "tf.toml"
    path.write_text(COMMENTED_DECK)
    with pytest.raises(DeckWriteError, match=message):
        add_cards(path, [card], "Transformers", set())
    assert path.read_text() == COMMENTED_DECK


def test_add_refuses_a_taken_id_and_a_file_of_another_deck(tmp_path: Path):
    path = tmp_path / "tf.toml"
    path.write_text(COMMENTED_DECK)
    with pytest.raises(DeckWriteError, match="already used"):
        add_cards(path, [NewCard("Q?", "A.", ("k",), id="tf.heads")], "Transformers", {"tf.heads"})
    with pytest.raises(DeckWriteError, match="holds the deck 'Transformers', not 'nn'"):
        add_cards(path, [SOFTMAX], "nn", set())
    assert path.read_text() == COMMENTED_DECK


def test_each_card_table_ends_before_the_comments_of_the_next():
    lines = COMMENTED_DECK.splitlines()
    [(first, first_end), (second, second_end)] = card_spans(COMMENTED_DECK)
    assert lines[first] == "[[card]]" and lines[first_end - 1] == 'tags = ["ch1"]'
    assert lines[second_end - 1].startswith("key_points") and second_end == len(lines) - 1


def test_replacing_a_card_keeps_every_other_line(tmp_path: Path):
    path = tmp_path / "tf.toml"
    path.write_text(COMMENTED_DECK)
    cards, _ = parse_deck(path)
    edited = NewCard("Why scale attention scores?", "To keep softmax out of saturation.",
                     ("scores grow with d_k", "scaling keeps gradients alive"), ("ch1", "attention"))
    rewrite_card(cards[0], edited)
    text = path.read_text()
    before, after = COMMENTED_DECK.splitlines(), text.splitlines()
    first, end = card_spans(COMMENTED_DECK)[0]
    new_first, new_end = card_spans(text)[0]
    assert after[:new_first] == before[:first] and after[new_end:] == before[end:]
    new_cards, problems = parse_deck(path)
    assert problems == [] and new_cards[0].id == "tf.attention" and new_cards[0].prompt == edited.prompt
    assert new_cards[1] == cards[1]


def test_replacing_the_last_card_keeps_the_trailing_comment():
    text = replaced(COMMENTED_DECK, 1, {"id": "tf.heads", "prompt": "P?", "answer": "A.", "key_points": ["k"]})
    assert text.endswith('key_points = ["k"]\n# trailing comment of the file\n')


def test_a_header_inside_a_multiline_string_is_refused():
    tricky = COMMENTED_DECK.replace("so gradients vanish.", "so gradients vanish.\n[[card]]\n")
    with pytest.raises(DeckWriteError, match="cannot find the card's table"):
        replaced(tricky, 0, {"id": "x"})
