"""Rules of the offline grader's reading (recall/grading/offline.py), one test each, found by mutation
testing (bench/mutation.py grading.offline): which misspellings and derived forms stand for a card's word,
what the rationale of a checklist says, and what an unsure verdict suggests on a card without a core."""

from __future__ import annotations

from dataclasses import replace

import pytest

from recall.deck import Card
from recall.grading.base import NOT_SURE, KeyPointResult
from recall.grading import offline
from recall.grading.offline import (
    OFFLINE_NOTICE, Token, best_phrase, card_weights, checklist_rationale, clear_cut, coverage, expected_grade,
    offline_verdict, one_edit_apart, read_as, reads_as_english, share_of_answer_used, share_of_question_named,
    status_for, stems, tokens,
)


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


@pytest.mark.parametrize("negator", ["dont", "doesnt", "isnt", "arent", "cant", "wont", "didnt", "wasnt", "werent",
                                     "shouldn't", "mustn\u2019t"])
def test_a_contraction_negates_with_or_without_its_apostrophe(negator: str) -> None:
    assert stems(f"it {negator} saturate") == ["¬satur"]


def test_a_negator_reaches_over_two_small_words_but_not_three() -> None:
    assert stems("never the a slow learning") == ["fast", "learn"]   # "not slow" is "fast"
    assert stems("not a the an saturation") == ["satur"]


def test_a_negated_word_starts_at_its_negator_and_each_word_knows_its_sentence() -> None:
    assert [(token.stem, token.start, token.end, token.sentence)
            for token in tokens("the neuron isn't saturated. the gradient is small")] == [
        ("neuron", 4, 10, 0), ("¬satur", 11, 26, 0), ("gradient", 32, 40, 1), ("¬larg", 44, 49, 1)]


def test_a_word_reads_the_same_with_or_without_an_apostrophe_inside_it() -> None:
    assert stems("five o'clock") == stems("five oclock") == ["five", "oclock"]


def test_a_two_letter_word_is_a_content_word() -> None:
    assert stems("the lr is small") == ["lr", "¬larg"]


def test_a_long_point_is_covered_at_a_quarter_of_its_words_once_that_makes_four() -> None:
    assert [status_for(0.25, 16), status_for(0.25, 15), status_for(0.24, 100)] == ["covered", "partial", "partial"]


def test_an_answer_reads_as_english_when_one_word_in_five_is_a_stopword() -> None:
    assert reads_as_english("the neuron saturates gradient vanishes")
    assert not reads_as_english("the neuron saturates gradient vanishes fast")


def test_a_misspelt_negated_word_states_the_point_as_the_right_spelling_does() -> None:
    card = Card(id="nn.x", deck="D", prompt="Why?", answer="Because.",
                key_points=("the output neuron does not saturate", "learning is slow"))
    misspelt = coverage(card, "the output neuron does not saturatte")
    assert (list(misspelt.scores), misspelt.contradicted) == ([1.0, 0.0], (False, False))


def test_the_plural_of_an_abbreviated_phrase_reads_as_its_short_form() -> None:
    assert stems("two convolutional neural networks and support-vector machines") == ["two", "cnn", "svm"]


NEURON_SATURATES = {"neuron": 1.0, "satur": 1.0}


def test_a_contradiction_counts_only_in_the_sentences_its_stretch_stands_in() -> None:
    """"It does not saturate. The neuron ..." and "The neuron ... . It does not saturate" both state "neuron"
    in a sentence of its own, which says nothing against the point."""
    before = [Token("¬satur", 0, 20, 0), Token("neuron", 22, 32, 1)]
    after = [Token("neuron", 0, 10, 0), Token("¬satur", 12, 32, 1)]
    for found in (before, after):
        phrase = best_phrase(NEURON_SATURATES, found, "x" * 40)
        assert (phrase.score, phrase.contradicted) == (0.5, False)


def test_a_stretch_may_span_a_sentence_without_content_words() -> None:
    found = [Token("neuron", 0, 6, 0), Token("satur", 13, 22, 2)]
    phrase = best_phrase(NEURON_SATURATES, found, "neuron. Yes. saturates")
    assert (phrase.score, phrase.text) == (1.0, "neuron. Yes. saturates")


def test_the_evidence_is_the_first_shortest_stretch_with_the_best_share() -> None:
    answer = "neuron saturates, neuron"
    found = [Token("neuron", 0, 6, 0), Token("satur", 7, 16, 0), Token("neuron", 18, 24, 0)]
    assert best_phrase(NEURON_SATURATES, found, answer).text == "neuron saturates"


def test_a_share_of_exactly_the_partial_mark_is_evidence_and_below_it_is_not() -> None:
    point = {"neuron": 1.0, "satur": 9.0}   # "neuron" alone is a tenth of the point: PARTIAL_AT
    at_mark = best_phrase(point, [Token("neuron", 0, 6, 0)], "neuron")
    assert (at_mark.score, at_mark.text) == (0.1, "neuron")
    below = best_phrase({"neuron": 1.0, "satur": 19.0}, [Token("neuron", 0, 6, 0)], "neuron")
    assert (below.score, below.text) == (0.05, "")


def test_a_contradiction_of_at_least_the_partial_mark_wins_over_a_share_below_it() -> None:
    point = {"neuron": 1.0, "satur": 9.0}   # "neuron" is a tenth of the point: PARTIAL_AT
    contradicted = best_phrase(point, [Token("neuron", 0, 6, 0), Token("¬satur", 7, 19, 0)], "neuron not saturate")
    assert (contradicted.score, contradicted.contradicted, contradicted.text) == (0.0, True, "neuron not saturate")
    # "neuron" in a sentence of its own holds the partial mark, and the contradiction no longer wins
    at_mark = best_phrase(point, [Token("neuron", 0, 6, 0), Token("¬satur", 8, 20, 1)], "neuron. not saturate")
    assert (at_mark.contradicted, at_mark.score, at_mark.text) == (False, 0.1, "neuron")


def test_a_blank_answer_lists_every_key_point_as_missing_with_certainty() -> None:
    card = Card(id="nn.x", deck="D", prompt="Why?", answer="Because.", key_points=("one thing", "another thing"))
    verdict = offline_verdict(card, "I don't know")
    assert ([(result.text, result.status) for result in verdict.key_points], verdict.suggested_quality,
            verdict.confident) == ([("one thing", "missing"), ("another thing", "missing")], 0, True)


def test_a_long_key_point_is_covered_by_five_of_its_sixteen_words() -> None:
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa"
    card = Card(id="nn.x", deck="D", prompt="Why?", answer="Because.", key_points=(words, "another thing entirely"))
    verdict = offline_verdict(card, "alpha bravo charlie delta echo")
    assert [result.status for result in verdict.key_points] == ["covered", "missing"]


def test_the_feedback_lists_the_points_the_grade_a_doubt_when_unsure_and_the_reference_answer() -> None:
    card = Card(id="nn.x", deck="D", prompt="Why?", answer=" Because. ", key_points=("one thing", "another thing"))
    points = "- [ ] **missing**: one thing\n- [ ] **missing**: another thing\n\n"
    assert offline_verdict(card, "I don't know").feedback == (
        f"_{OFFLINE_NOTICE}_\n\n### Key points\n{points}**Suggested grade: 0** (Nothing to grade: a blank answer "
        "or \"I don't know\".)\n\n### Reference answer\n\nBecause.\n")
    assert offline_verdict(card, "le neurone sature vite").feedback == (
        f"_{OFFLINE_NOTICE}_\n\n### Key points\n{points}**Suggested grade: 3** (0 of 2 key points covered, 0 "
        f"partly.)\n\n{NOT_SURE}\n\n### Reference answer\n\nBecause.\n")


# -- what an unsure verdict suggests on a card whose key points are its answer's clauses (no core) ----------

CLAUSE_CARD = Card(id="q.stack", deck="CS", prompt="What is a stack?",
                   answer="A stack is a last in, first out list. Elements are pushed and popped at its top.",
                   key_points=("a stack is a last in first out list", "elements are pushed and popped at its top"))


def test_an_answer_sharing_no_word_with_a_clause_card_is_unsure_and_leans_3() -> None:
    verdict = offline_verdict(CLAUSE_CARD, "Think of a pile of plates in a cafeteria.")
    assert (verdict.confident, verdict.suggested_quality) == (False, 3)
    written = offline_verdict(replace(CLAUSE_CARD, core=1), "Think of a pile of plates in a cafeteria.")
    assert (written.confident, written.suggested_quality) == (True, 0)
    assert clear_cut([0.0, 0.0], [False, False], for_grading=False) is False


def test_the_share_of_the_answer_used_weighs_each_reference_word_by_its_idf() -> None:
    idf, _ = card_weights(CLAUSE_CARD)
    reference = {stem.removeprefix("\u00ac") for stem in stems(CLAUSE_CARD.answer)}
    assert share_of_answer_used(CLAUSE_CARD, "") == 0.0
    assert share_of_answer_used(CLAUSE_CARD, CLAUSE_CARD.answer) == pytest.approx(1.0)
    assert share_of_answer_used(CLAUSE_CARD, "pushed, popped") == pytest.approx(
        (idf["push"] + idf["pop"]) / sum(idf[stem] for stem in reference))
    assert share_of_answer_used(CLAUSE_CARD, "pushd") == share_of_answer_used(CLAUSE_CARD, "pushed")  # read as


@pytest.mark.parametrize(("share", "rubric", "lean"), [
    (0.0, 0, 3), (0.099, 1, 3), (0.1, 1, 4), (0.399, 2, 4), (0.4, 2, 5), (0.2, 5, 5),
])
def test_on_a_clause_card_an_unsure_verdict_leans_3_4_or_5_as_it_uses_0_1_and_0_4_of_the_answer(
        monkeypatch, share, rubric, lean) -> None:
    monkeypatch.setattr(offline, "share_of_answer_used", lambda card, answer: share)
    assert expected_grade(CLAUSE_CARD, rubric, "a stack") == lean
    assert expected_grade(replace(CLAUSE_CARD, core=1), rubric, "a stack") == max(1, rubric)  # names it


def test_every_key_point_covered_strongly_on_a_clause_card_is_still_a_confident_grade() -> None:
    verdict = offline_verdict(CLAUSE_CARD, "A stack is a last in first out list: elements are pushed and popped "
                                           "at its top.")
    assert (verdict.confident, verdict.suggested_quality) == (True, 5)


def test_a_word_counts_as_used_or_named_in_either_sense() -> None:
    assert share_of_answer_used(CLAUSE_CARD, "never pushed") == share_of_answer_used(CLAUSE_CARD, "pushed") > 0
    assert share_of_question_named(CLAUSE_CARD, "not a stack") == 1.0
    slow = replace(CLAUSE_CARD, prompt="Why is a stack slow?")  # read as stack, ¬fast
    assert share_of_question_named(slow, "it is fast") == share_of_question_named(slow, "it is slow") == 0.5


def test_a_question_or_answer_without_content_words_lowers_nothing() -> None:
    bare = replace(CLAUSE_CARD, prompt="Why?", answer="It is.", core=1)
    assert share_of_question_named(bare, "pushed") == 1.0
    assert expected_grade(bare, 2, "pushed") == 2
    assert share_of_answer_used(bare, "pushed") == 0.0


def test_naming_exactly_a_fifth_of_the_question_is_enough_to_keep_an_unsure_2() -> None:
    card = replace(CLAUSE_CARD, prompt="Why do stacks push, pop, peek and overflow?", core=1)
    assert share_of_question_named(card, "a stack") == 0.2
    assert expected_grade(card, 2, "a stack") == 2
    assert expected_grade(card, 2, "a list") == 1
