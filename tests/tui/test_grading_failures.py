"""When Claude grading fails, the app shows the grader's own sentence, keeps the typed text, and offers
retry, offline grading and grading yourself; esc cancels a request in flight."""

from __future__ import annotations

from fake_messages_api import ErrorReply, StreamedReply
from textual.widgets import Markdown, Static, TextArea
from tui_helpers import study_screen, wait_for_phase, wait_until, write_explanation

from recall.store import Store
from recall.tui.widgets.grade_bar import GradeBar

ANSWER = "The sigmoid is flat for large z, so its derivative is tiny and the weights barely change."
GOOD_REPLY = {"corrected_explanation": "Right: **sigma'(z) is tiny** for large |z|.",
              "key_points": [{"number": 1, "status": "covered", "evidence": "its derivative is tiny"},
                             {"number": 2, "status": "covered", "evidence": "the weights barely change"}],
              "misconceptions": [], "rationale": "Both points, in the learner's words.", "grade": 5}


def failure_message(screen) -> str:  # noqa: ANN001
    return str(screen.query_one("#failure-message", Static).content)


async def submit(pilot, screen) -> None:  # noqa: ANN001
    write_explanation(screen, ANSWER)
    await pilot.press("ctrl+j")


async def failed_submission(pilot):  # noqa: ANN001, ANN201 - StudyScreen
    """Explain the first card, submit it, and wait until grading has failed."""
    screen = await study_screen(pilot, "nn.saturation")
    await submit(pilot, screen)
    await wait_for_phase(pilot, "failed")
    return screen


async def test_an_error_mid_stream_shows_the_message_and_retry_grades(make_app, claude_settings, api, db_path):
    api.script(StreamedReply.json(GOOD_REPLY, error_after=3),  # the API's `event: error`, overloaded
               StreamedReply.json(GOOD_REPLY))
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await failed_submission(pilot)
        assert "overloaded" in failure_message(screen)
        assert screen.query_one("#failure").display
        assert screen.query_one("#explanation", TextArea).text == ANSWER
        await pilot.press("t")
        await wait_for_phase(pilot, "graded")
        assert not screen.query_one("#failure").display
        assert screen.query_one(GradeBar).verdict.suggested_quality == 5
        await pilot.press("enter")
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["quality"], review["grader"]) == (5, "claude")
    assert len(api.requests) == 2


async def test_a_rejected_key_can_be_graded_offline_instead(make_app, claude_settings, api, db_path):
    api.script(ErrorReply(401, "authentication_error", "invalid x-api-key"))
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await failed_submission(pilot)
        assert "The API key was rejected (401)" in failure_message(screen)
        await pilot.press("o")
        await wait_for_phase(pilot, "graded")
        verdict = screen.query_one(GradeBar).verdict
        assert verdict.grader == "offline"
        assert "Offline check" in screen.query_one("#feedback", Markdown).source
        await pilot.press("enter" if verdict.confident else "4")  # unsure: enter is disabled, a digit grades
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["grader"], review["suggested_quality"]) == ("offline", verdict.suggested_quality)
    assert review["quality"] == (verdict.suggested_quality if verdict.confident else 4)


async def test_after_a_failure_the_learner_can_grade_themselves(make_app, claude_settings, api, db_path):
    api.script(ErrorReply(404, "not_found_error", "model: claude-haiku-5-5"))
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await failed_submission(pilot)
        assert "claude-haiku-5-5 was not found" in failure_message(screen)
        await pilot.press("3")
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["grader"], review["quality"], review["answer"]) == ("self", 3, ANSWER)


async def test_esc_cancels_a_request_in_flight_and_keeps_the_text(make_app, claude_settings, api, db_path):
    api.script(StreamedReply.json(GOOD_REPLY, hang_after=2), StreamedReply.json(GOOD_REPLY))
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        await submit(pilot, screen)
        await wait_until(pilot, lambda: len(api.requests) == 1 and screen.phase == "grading",
                         what="the request to start")
        await pilot.press("escape")
        await wait_for_phase(pilot, "answering")
        assert api.wait_for_disconnect(5)
        assert screen.query_one("#explanation", TextArea).text == ANSWER
        assert "cancelled" in screen.query_one("#feedback", Markdown).source
        assert screen.focused is screen.query_one("#explanation")
        await pilot.press("ctrl+j")  # the same text again, and this time the reply comes
        await wait_for_phase(pilot, "graded")
    with Store(db_path) as store:
        assert store.review_count() == 0
        assert store.draft("nn.saturation") == ANSWER


async def test_enter_on_the_failure_panels_retry_button_grades_again(make_app, claude_settings, api, db_path):
    api.script(StreamedReply.json(GOOD_REPLY, error_after=3), StreamedReply.json(GOOD_REPLY))
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await failed_submission(pilot)
        await wait_until(pilot, lambda: screen.focused is screen.query_one("#retry"), what="the retry button")
        await pilot.press("enter")  # the button's, not the screen's "keep the suggested grade"
        await wait_for_phase(pilot, "graded")
        assert screen.query_one(GradeBar).verdict.suggested_quality == 5
        assert len(api.requests) == 2
