"""A grade decides when a card returns, so the app never keeps a suggestion the grader is unsure of
without the learner's own digit: on an unconfident verdict enter is disabled, the reference answer and
the key points open beside the text, and the hint asks for a grade. Claude's follow-up question shows
after the verdict and is stored with the feedback."""

from __future__ import annotations

from fake_messages_api import StreamedReply
from textual.widgets import Markdown
from tui_helpers import study_screen, wait_for_phase, wait_until, write_explanation

from recall.store import Store
from recall.tui.widgets.grade_bar import GradeBar

# The offline check finds the first key point only: it suggests 3 and is not sure of it.
UNSURE = "Saturation happens when z is large in magnitude, far out on the flat tails of the sigmoid."
# Every key point matched strongly: a confident 5.
SURE = ("When the weighted input z is large, the sigmoid is flat, so its derivative is tiny and the weight "
        "updates are tiny: the neuron learns slowly.")
FOLLOW_UP = "What would cross-entropy change about the factor that makes these updates tiny?"


def reply(statuses: list[str], grade: int) -> dict:
    return {"corrected_explanation": "When |z| is large ~~the output is zero~~ **sigma'(z) is tiny** "
                                     "[+ **so the updates are tiny**].",
            "key_points": [{"number": n, "status": status, "evidence": "" if status == "missing" else "z"}
                           for n, status in enumerate(statuses, start=1)],
            "misconceptions": [], "rationale": "Judged on the key points.", "grade": grade,
            "follow_up_question": FOLLOW_UP}


def feedback_source(screen) -> str:  # noqa: ANN001
    return screen.query_one("#feedback", Markdown).source


def rendered(widget) -> str:  # noqa: ANN001
    return str(widget.render())


async def graded(pilot, text: str):  # noqa: ANN001, ANN201 - StudyScreen
    screen = await study_screen(pilot, "nn.saturation")
    write_explanation(screen, text)
    await pilot.press("ctrl+j")
    await wait_for_phase(pilot, "graded")
    return screen


async def test_enter_does_nothing_on_an_unconfident_offline_verdict_and_a_digit_records(make_app, db_path):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await graded(pilot, UNSURE)
        bar = screen.query_one(GradeBar)
        assert (bar.verdict.suggested_quality, bar.verdict.confident) == (4, False)
        assert bar.hint == "0-5: your grade (the offline check is not sure) · i: edit, ctrl+j: regrade"
        assert "not sure, leans 4" in rendered(bar) and "suggested 4" not in rendered(bar)
        assert screen.check_action("accept", ()) is None  # shown, disabled
        assert screen.query_one("#reference").display  # the reference and the key points, beside the text
        assert "Not sure: compare your explanation with the key points" in feedback_source(screen)

        await pilot.press("enter")
        assert screen.phase == "graded" and screen.card.id == "nn.saturation"
        await pilot.press("2")  # had enter kept the 3, this digit would have found the screen saving
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["quality"], review["suggested_quality"], review["grader"]) == (2, 4, "offline")


async def test_enter_keeps_a_confident_suggestion_labelled_as_one(make_app, db_path):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await graded(pilot, SURE)
        bar = screen.query_one(GradeBar)
        assert bar.verdict.confident and "suggested 5" in rendered(bar)
        assert bar.hint.startswith("enter: keep the suggested grade")
        assert screen.check_action("accept", ()) is True
        assert not screen.query_one("#reference").display
        await pilot.press("enter")
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["quality"], review["suggested_quality"]) == (5, 5)


async def test_claudes_follow_up_shows_after_the_verdict_and_is_stored(make_app, claude_settings, api, db_path):
    api.script(StreamedReply.json(reply(["covered", "covered"], 5)))
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await graded(pilot, SURE)
        source = feedback_source(screen)
        assert f"**Follow-up (not graded):** {FOLLOW_UP}" in source
        assert source.index("Suggested grade: 5") < source.index(FOLLOW_UP)
        assert "~~the output is zero~~ **sigma'(z) is tiny**" in source
        assert screen.query_one(GradeBar).verdict.follow_up_question == FOLLOW_UP
        await pilot.press("enter")
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert review["quality"] == 5 and FOLLOW_UP in review["feedback"]


async def test_a_claude_grade_its_checklist_disagrees_with_needs_the_learners_digit(make_app, claude_settings, api,
                                                                                 db_path):
    api.script(StreamedReply.json(reply(["partial", "missing"], 3)))  # a pass on a checklist that fails
    app = make_app(start="study", **claude_settings)
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await graded(pilot, UNSURE)
        bar = screen.query_one(GradeBar)
        assert not bar.verdict.confident
        assert bar.hint == "0-5: your grade (the grade and its checklist disagree) · i: edit, ctrl+j: regrade"
        assert "> **Check:** The model suggested 3 but the checklist suggests 1" in feedback_source(screen)
        await pilot.press("enter")
        assert screen.phase == "graded"
        await pilot.press("1")
        await wait_until(pilot, lambda: screen.card is not None and screen.card.id == "nn.softmax",
                         what="the next card")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
    assert (review["quality"], review["suggested_quality"], review["grader"]) == (1, 3, "claude")
