"""Rules of the grading contract (recall/grading/base.py), one test each, found by mutation testing
(bench/mutation.py grading.base): how a key point's status reads, why an unsure verdict asks, what a
grading error carries, which answers are decided locally, and the grade bands' edges."""

from __future__ import annotations

import pytest

from recall.grading.base import (
    GradingError, KeyPointResult, Verdict, doubt, is_trivial_answer, key_point_status_line, plain_phrase,
    quality_from_checklist,
)


@pytest.mark.parametrize(("result", "line"), [
    (KeyPointResult("p", "covered"), "- [x] **covered**: p"),
    (KeyPointResult("p", "partial"), "- [~] **partial**: p"),
    (KeyPointResult("p", "missing"), "- [ ] **missing**: p"),
    (KeyPointResult("p", "covered", "q"), '- [x] **covered**: p  \n  you said: "q"'),
    (KeyPointResult("p", "partial", "q"), '- [~] **partial**: p  \n  you said: "q"'),
    (KeyPointResult("p", "missing", "not q"), '- [ ] **missing**: p  \n  you said the opposite: "not q"'),
])
def test_a_key_points_status_reads_without_colour_and_quotes_the_learners_words(result: KeyPointResult,
                                                                               line: str) -> None:
    assert key_point_status_line(result) == line


@pytest.mark.parametrize(("grader", "why"), [("offline", "the offline check is not sure"),
                                             ("claude", "the grade and its checklist disagree")])
def test_an_unsure_verdict_says_why_by_its_grader(grader: str, why: str) -> None:
    assert doubt(Verdict(3, (), "", grader)) == why


def test_a_grading_error_is_its_sentence_and_by_default_neither_retryable_nor_of_a_kind() -> None:
    error = GradingError("the grader is down; try again")
    assert (str(error), error.retryable, error.kind) == ("the grader is down; try again", False, "error")
    error = GradingError("overloaded", retryable=True, kind="overloaded")
    assert (error.retryable, error.kind) == (True, "overloaded")


@pytest.mark.parametrize(("answer", "phrase"), [
    ("  I DON\u2019T   know...  ", "i dont know"),     # casefolded, apostrophe dropped, punctuation a space
    ("I don't\tknow!!", "i dont know"),
    ("I don\u02bct know", "i dont know"),
    ("I don`t know", "i dont know"),
    ("I don\u2018t know", "i dont know"),
    ("\ufb01ne-tuning", "fine tuning"),                 # NFKC: the ligature is two letters
])
def test_an_answer_is_compared_casefolded_without_apostrophes_or_punctuation(answer: str, phrase: str) -> None:
    assert plain_phrase(answer) == phrase


@pytest.mark.parametrize(("answer", "trivial"), [("", True), ("  ?!  ", True), ("I don't know.", True),
                                                 ("x", False), ("42", False), ("no", False)])
def test_only_a_blank_or_a_plain_i_do_not_know_is_decided_locally(answer: str, trivial: bool) -> None:
    assert is_trivial_answer(answer) is trivial


@pytest.mark.parametrize(("statuses", "minor", "quality"), [
    (["covered"] * 5, 0, 5),
    (["covered"] * 5, 1, 4),                          # a minor slip makes a full checklist a 4
    (["covered"] * 4 + ["partial"], 0, 4),            # exactly 4/5 is a 4
    (["covered"] * 3 + ["missing"] * 2, 0, 3),        # 3/5
    (["covered"] + ["missing"], 0, 3),                # exactly 1/2 is a pass
    (["covered"] * 2 + ["partial"] * 3, 0, 2),        # 2/5
    (["partial", "missing"], 0, 1),                   # none covered, one partial
    (["missing", "missing"], 0, 0),
])
def test_the_grade_bands_at_their_edges(statuses: list, minor: int, quality: int) -> None:
    assert quality_from_checklist(statuses, minor_misconceptions=minor) == quality


@pytest.mark.parametrize(("core", "quality"), [(1, 2), (2, 4), (3, 4)])
def test_the_core_is_the_key_point_numbered_from_one(core: int, quality: int) -> None:
    assert quality_from_checklist(["missing", "covered", "covered", "covered", "covered"], core=core) == quality


@pytest.mark.parametrize("core", [0, 4])
def test_a_core_outside_the_key_points_is_refused_with_both_numbers(core: int) -> None:
    with pytest.raises(ValueError) as refused:
        quality_from_checklist(["covered"] * 3, core=core)
    assert str(refused.value) == f"core is {core}, but there are 3 key points"
