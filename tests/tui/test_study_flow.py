"""The whole study flow in the app, graded by Claude through the real SDK against the fake Messages API:
type, submit, streamed feedback, grade, next card, undo, quit, and reopen with the review and the draft."""

from __future__ import annotations

from fake_messages_api import StreamedReply
from textual.widgets import Markdown, TextArea
from tui_helpers import study_screen, wait_for_phase, wait_until, write_explanation

from recall.store import Store
from recall.tui.widgets.grade_bar import GradeBar
from recall.tui.widgets.session_progress import SessionProgress

SATURATION_ANSWER = "Large z: flat sigmoid, tiny slope, slow learning."
SATURATION_CORRECTED = ("When |z| is large the sigmoid is flat, so **its derivative sigma'(z) is tiny**; the "
                        "quadratic cost's gradient carries that factor, so **the weights barely change** and the "
                        "neuron learns slowly.")
SOFTMAX_ANSWER = "Softmax turns the outputs into probabilities that add up to one."


def reply(corrected: str, statuses: list[str], grade: int) -> dict:
    return {"corrected_explanation": corrected,
            "key_points": [{"number": number, "status": status, "evidence": "" if status == "missing" else "z"}
                           for number, status in enumerate(statuses, start=1)],
            "misconceptions": [], "rationale": "Judged on the key points.", "grade": grade}


def feedback_source(app) -> str:  # noqa: ANN001
    return app.screen.query_one("#feedback", Markdown).source


async def test_a_session_graded_by_claude_is_kept_across_quit_and_reopen(make_app, claude_settings, api, db_path):
    api.script(StreamedReply.json(reply(SATURATION_CORRECTED, ["covered", "covered"], 4), chunk_delay=0.03),
               StreamedReply.json(reply("Softmax **exponentiates** and normalises.", ["partial", "covered"], 2)))
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        assert screen.query_one(SessionProgress).position == (1, 3)
        await pilot.press(*SATURATION_ANSWER)
        assert screen.query_one("#explanation", TextArea).text == SATURATION_ANSWER
        await pilot.press("ctrl+j")

        # The corrected explanation streams in before the reply is complete.
        await wait_until(pilot, lambda: "sigma'(z)" in feedback_source(app), what="the first streamed text")
        assert screen.phase == "grading"
        assert "Suggested grade" not in feedback_source(app)
        await wait_for_phase(pilot, "graded")
        assert SATURATION_CORRECTED in feedback_source(app)
        assert "covered" in feedback_source(app) and "Suggested grade" in feedback_source(app)
        assert screen.query_one(GradeBar).verdict.suggested_quality == 4
        sent = api.requests[0].body
        assert SATURATION_ANSWER in sent["messages"][0]["content"] and sent["model"] == "claude-haiku-5-5"

        await pilot.press("enter")  # keep the suggested 4
        screen = await study_screen(pilot, "nn.softmax")
        assert screen.query_one(SessionProgress).position == (2, 3)
        write_explanation(screen, SOFTMAX_ANSWER)
        await pilot.press("ctrl+j")
        await wait_for_phase(pilot, "graded")
        await pilot.press("2")  # a fail: the card owes a drill, asked once the due and new cards are done
        screen = await study_screen(pilot, "nn.overfitting")
        assert screen.query_one(SessionProgress).position == (3, 3)

        await pilot.press("escape", "u")  # leave the box, take back the 2
        screen = await study_screen(pilot, "nn.softmax")
        assert screen.query_one("#explanation", TextArea).text == SOFTMAX_ANSWER
        assert screen.query_one(SessionProgress).position == (2, 3)
        await pilot.press(" ", "m", "a", "y", "b", "e")  # typed after the undo, quit before the autosave
        await pilot.press("ctrl+q")

    with Store(db_path) as store:
        [saturation] = store.reviews_for_card("nn.saturation")
        assert (saturation["quality"], saturation["suggested_quality"]) == (4, 4)
        assert (saturation["grader"], saturation["model"]) == ("claude", "claude-haiku-5-5")
        assert saturation["answer"] == SATURATION_ANSWER and SATURATION_CORRECTED in saturation["feedback"]
        assert store.reviews_for_card("nn.softmax") == []
        assert store.draft("nn.softmax") == SOFTMAX_ANSWER + " maybe"

    reopened = make_app(start="study", **claude_settings)
    async with reopened.run_test(size=(100, 36)) as pilot:
        screen = await study_screen(pilot, "nn.softmax")
        assert screen.query_one("#explanation", TextArea).text == SOFTMAX_ANSWER + " maybe"
        assert screen.query_one(SessionProgress).position == (1, 2)  # saturation is not due until tomorrow


async def test_typing_digits_and_letters_in_the_box_never_grades_or_skips(make_app, db_path):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        await pilot.press(*"4 5 0 drusei", "enter")
        assert screen.card.id == "nn.saturation" and screen.phase == "answering"
        assert screen.query_one("#explanation", TextArea).text == "4 5 0 drusei\n"
    with Store(db_path) as store:
        assert store.review_count() == 0


async def test_the_draft_is_saved_while_typing(make_app, db_path):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        await study_screen(pilot, "nn.saturation")
        write_explanation(app.screen, "half a thought")
        with Store(db_path) as store:
            await wait_until(pilot, lambda: store.draft("nn.saturation") == "half a thought",
                             what="the autosaved draft")


async def test_grading_yourself_without_submitting_records_a_self_grade(make_app, db_path):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        write_explanation(await study_screen(pilot, "nn.saturation"), "I remember this one")
        await pilot.press("escape", "5")
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["quality"], review["suggested_quality"], review["grader"]) == (5, None, "self")
    assert review["answer"] == "I remember this one"


async def test_skip_leaves_the_card_due_and_the_session_ends_with_a_summary(make_app, db_path):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        await study_screen(pilot, "nn.saturation")
        await pilot.press("escape", "s")
        write_explanation(await study_screen(pilot, "nn.softmax"),
                          "Softmax exponentiates each weighted input and divides by the sum, so the outputs "
                          "are positive and add up to one")
        await pilot.press("ctrl+j")
        await wait_for_phase(pilot, "graded")
        await pilot.press("5")
        await study_screen(pilot, "nn.overfitting")
        await pilot.press("escape", "1")  # a fail: asked again as a drill
        await study_screen(pilot, "nn.overfitting")
        assert app.screen.query_one(SessionProgress).kind == "drill"
        await pilot.press("escape", "4")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen", what="the summary")
        text = str(app.screen.query_one("#summary-text").content)
        assert "3 reviews, average grade 3.3" in text and "graded below 4 (SM-2 step 7): 1." in text
        table = app.screen.query_one("#comes-back")
        await wait_until(pilot, lambda: table.row_count == 2, what="the cards coming back")
        rows = [table.get_row_at(i) for i in range(2)]
        assert rows == [["Sun 29 Nov 2026", "1 day", "What is overfitting?"],
                        ["Sun 29 Nov 2026", "1 day", "What does a softmax layer output?"]]
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen", what="the dashboard")
    with Store(db_path) as store:
        assert store.reviews_for_card("nn.saturation") == []
        assert [r["kind"] for r in store.reviews_for_card("nn.overfitting")] == ["drill", "scheduled"]
