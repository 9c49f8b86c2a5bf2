"""Rules of grading, one test each, on the pure functions where there is one: the cross-check's tolerance,
the offline grader's cap on a 5, "I do not know" and its variants graded 0 locally, and the SDK's two
retries reaching the anthropic client (against the fake Messages API, no network)."""

from __future__ import annotations

import numpy as np
import pytest
from fake_messages_api import ErrorReply, FakeMessagesAPI, StreamedReply

from recall.config import Settings
from recall.deck import Card
from recall.grading import make_grader
from recall.grading.base import KeyPointResult, is_trivial_answer
from recall.grading.claude import ClaudeGrader, cross_check
from recall.grading.offline import suggest_quality

CARD = Card(id="nn.saturation", deck="Small", prompt="What is a saturated sigmoid neuron?",
            answer="When z is large in magnitude the sigmoid is flat, so its derivative is tiny.",
            key_points=("the derivative of the sigmoid is tiny when z is large in magnitude",
                        "a tiny derivative makes the weight updates tiny, so learning is slow"))
ANSWER = "A saturated neuron has a large z, so its output barely changes and it learns slowly."
REPLY = {
    "corrected_explanation": "A saturated neuron has a large z, so **sigma'(z) is tiny** and it learns slowly.",
    "key_points": [{"number": 1, "status": "covered", "evidence": "large z"},
                   {"number": 2, "status": "covered", "evidence": "learns slowly"}],
    "misconceptions": [],
    "rationale": "Both key points are there.",
    "grade": 4,
    "follow_up_question": "Why does a tiny derivative slow learning?",
}


def points(*statuses: str) -> tuple[KeyPointResult, ...]:
    return tuple(KeyPointResult(f"point {number}", status) for number, status in enumerate(statuses, start=1))


# -- the cross-check ------------------------------------------------------------------------------------


def test_the_cross_check_flags_a_grade_2_away_from_its_checklist_and_not_1_away() -> None:
    """Every point covered, no misconception: the checklist says 5. The model's 4 is within the tolerance
    (1), its 3 is not; both pass, so only the distance decides. Likewise below: nothing covered says 0,
    a 1 is let through and a 2 flagged (both fail)."""
    covered = points("covered", "covered")
    assert cross_check(5, covered, ()) == ()
    assert cross_check(4, covered, ()) == ()
    [notice] = cross_check(3, covered, ())
    assert "suggested 3 but the checklist suggests 5" in notice
    missing = points("missing", "missing")
    assert cross_check(1, missing, ()) == ()
    [notice] = cross_check(2, missing, ())
    assert "suggested 2 but the checklist suggests 0" in notice


# -- the offline grader's 5 -----------------------------------------------------------------------------


@pytest.mark.parametrize(("scores", "quality"), [
    ([1.0, 1.0], 5), ([0.8, 0.8], 5),   # every point matched strongly
    ([0.7, 0.7], 4),                    # covered (at least 0.5), but none strongly
    ([1.0, 0.55], 4),                   # one point covered only just
])
def test_the_offline_grader_suggests_5_only_when_every_point_is_matched_strongly(scores: list[float],
                                                                                  quality: int) -> None:
    """Without meaning, an adequate match of every key point earns a 4, not a 5."""
    assert suggest_quality(["covered", "covered"], np.array(scores)) == quality


# -- "I don't know" ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [
    "I do not know", "i do not know.", "I DO NOT KNOW!", "  I do not know  ", "Do not know",
    "I don't know", "I don\u2019t know", "i dont know", "Don't know.", "idk", "IDK", "dunno", "I dunno",
    "No idea", "I have no idea.", "not sure", "I'm not sure", "I forgot", "?", "", "   ",
])
def test_i_do_not_know_and_its_common_variants_are_trivial(answer: str) -> None:
    assert is_trivial_answer(answer)


@pytest.mark.parametrize("answer", ["I do not know why, but the derivative is tiny", "FIFO", "no", "know"])
def test_an_answer_that_only_contains_i_do_not_know_is_not_trivial(answer: str) -> None:
    assert not is_trivial_answer(answer)


# -- the SDK's retries --------------------------------------------------------------------------------------


async def test_claude_grading_retries_twice_by_default_so_two_overloaded_replies_still_grade() -> None:
    """The SDK retries 529s itself (README: "the SDK already retries up to twice"): the grader's default
    of 2 retries must reach the anthropic client, through make_grader as the app and the CLI build it."""
    assert ClaudeGrader("claude-haiku-5-5", "test-key").max_retries == 2
    overloaded = ErrorReply(529, "overloaded_error", "Overloaded", {"retry-after-ms": "5"})
    with FakeMessagesAPI() as api:
        api.script(overloaded, overloaded, StreamedReply.json(REPLY))
        grader = make_grader(Settings(grader="claude", api_key="test-key", base_url=api.base_url))
        try:
            verdict = await grader.grade(CARD, ANSWER)
        finally:
            await grader.aclose()
    assert verdict.suggested_quality == 4
    assert [request.headers["x-stainless-retry-count"] for request in api.requests] == ["0", "1", "2"]
