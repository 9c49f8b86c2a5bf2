"""Rules of the offline grader's reading (recall/grading/offline.py), one test each, found by mutation
testing (bench/mutation.py grading.offline): which misspellings and derived forms stand for a card's word,
and what the rationale of a checklist says."""

from __future__ import annotations

import pytest

from recall.deck import Card
from recall.grading.base import KeyPointResult
from recall.grading.offline import checklist_rationale, coverage, one_edit_apart, read_as


@pytest.mark.parametrize(("a", "b"), [
    ("sigmoid", "sigmoids"), ("sigmoids", "sigmoid"),    # a letter added or dropped at the end
    ("gradiant", "gradient"), ("lable", "label"),        # one replaced, two swapped
])
def test_one_edit_apart_includes_a_letter_added_at_the_end(a: str, b: str) -> None:
    assert one_edit_apart(a, b)


def test_a_derived_form_shares_at_least_four_letters_with_the_cards_word() -> None:
    assert read_as("costli", ["cost"]) == "cost"          # "cost" has exactly MIN_PREFIX letters
    assert read_as("costli", ["cos"]) == "costli"


def test_a_derived_form_stands_for_the_cards_word_closest_in_length() -> None:
    assert read_as("reusabl", ["reus", "reusab"]) == "reusab"
    assert read_as("reus", ["reusabl", "reuse"]) == "reuse"


def test_a_five_letter_word_may_be_misspelt_a_four_letter_one_not() -> None:
    assert read_as("lable", ["label"]) == "label"
    assert read_as("lbel", ["label"]) == "lbel"


def test_the_rationale_counts_covered_partial_and_contradicted_points_and_names_an_uncovered_core() -> None:
    card = Card(id="nn.x", deck="D", prompt="Why?", answer="Because.", key_points=("one", "two", "three"), core=1)
    results = (KeyPointResult("one", "missing"), KeyPointResult("two", "covered"), KeyPointResult("three", "partial"))
    assert checklist_rationale(card, results, 1) == (
        "1 of 3 key points covered, 1 partly, 1 stated with the opposite sense; the core point (1) is not "
        "covered, so it cannot pass.")
    covered_core = (KeyPointResult("one", "covered"), *results[1:])
    assert checklist_rationale(card, covered_core, 0) == "2 of 3 key points covered, 1 partly."


def test_a_misspelt_word_covers_a_key_point_as_the_right_spelling_does() -> None:
    card = Card(id="nn.x", deck="D", prompt="Why?", answer="Because.",
                key_points=("the derivative of the sigmoid is tiny when z is large", "learning is slow"))
    right = coverage(card, "the derivative of the sigmoid is tiny when z is large")
    misspelt = coverage(card, "the derivitive of the sigmoid is tiny when z is large")
    assert list(misspelt.scores) == list(right.scores) == [1.0, 0.0]
