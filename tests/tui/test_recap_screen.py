"""The recap screen (issue 12 section 3): R on the dashboard opens it; the recap is kept as a draft as
it is typed; ctrl+j streams the correction; the learner confirms or changes each card's grade and enter
records them all, by the recap rule."""

from __future__ import annotations

from fake_messages_api import ErrorReply, StreamedReply
from textual.coordinate import Coordinate
from textual.widgets import Markdown, Static, TextArea
from tui_helpers import record_notifications, settle, wait_until

from recall.store import Store
from recall.tui.screens.recap import RecapScreen
from recall.tui.widgets.recap_grades import RecapGrades

RECAP = ("The derivative of the sigmoid is tiny when z is large in magnitude, and a tiny derivative makes the "
         "weight updates tiny, so learning is slow. Each softmax output is the exponential of its weighted "
         "input divided by the sum of exponentials.")
CORRECTION = "The sigmoid's derivative ~~is zero~~ **is tiny** when |z| is large [+ **so learning is slow**]."
REPLY = {"corrected_explanation": CORRECTION,
         "cards": [{"card": 1, "key_points": [{"number": 1, "status": "covered", "evidence": "tiny"},
                                              {"number": 2, "status": "covered", "evidence": "slow"}],
                    "misconceptions": [], "rationale": "Both points.", "grade": 4}]}


async def recap_screen(pilot) -> RecapScreen:  # noqa: ANN001
    """Open the recap screen from the dashboard and wait until the recap box is ready."""
    await wait_until(pilot, lambda: pilot.app.database._store is not None, what="the store")
    await pilot.press("R")
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "phase", None) == "writing", what="the recap box")
    return pilot.app.screen


async def submit(pilot, text: str = RECAP) -> RecapScreen:  # noqa: ANN001
    screen = await recap_screen(pilot)
    screen.query_one("#recap-box", TextArea).insert(text)
    await pilot.press("ctrl+j")
    await wait_until(pilot, lambda: screen.phase in ("grades", "failed"), what="the grading")
    return screen


def reviews(db_path) -> list[dict]:  # noqa: ANN001
    with Store(db_path) as store:
        return list(store.db.query("SELECT card_id, kind, quality, answer, grader FROM reviews ORDER BY id"))


async def test_offline_every_grade_is_confirmed_then_recorded_by_the_rule(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await submit(pilot)
        assert isinstance(screen, RecapScreen) and screen.scope.label == "all cards"
        table = screen.query_one(RecapGrades)
        assert list(table.grades) == ["nn.saturation", "nn.softmax"]
        assert "Not covered (no grade)" in screen.query_one("#recap-feedback", Markdown).source
        assert app.focused is table
        assert table.cursor_row == 0
        for _ in range(table.row_count):  # a digit grades the highlighted card and moves to the next
            await pilot.press("3")
        await wait_until(pilot, lambda: table.grades == {"nn.saturation": 3, "nn.softmax": 3}, what="the grades")
        table.cursor_coordinate = Coordinate(0, 0)
        await pilot.press("5")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.phase == "done", what="the recording")
        assert "nn.saturation: 5, scheduled review" in str(screen.query_one("#recap-scope", Static).content)
    rows = reviews(db_path)
    assert [(r["card_id"], r["kind"], r["quality"]) for r in rows] == [("nn.saturation", "scheduled", 5),
                                                                      ("nn.softmax", "scheduled", 3)]
    assert all(r["answer"] == RECAP and r["grader"] == "offline" for r in rows)
    with Store(db_path) as store:
        assert store.draft("recap:all cards") is None


async def test_enter_does_nothing_while_a_card_has_no_grade(make_app, db_path):
    app = make_app()
    notes = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await submit(pilot)
        table = screen.query_one(RecapGrades)
        # the offline check is sure of the saturation card (every point matched strongly), not of softmax
        assert table.grades == {"nn.saturation": 5, "nn.softmax": None} and table.missing() == ["nn.softmax"]
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("a grade first" in note for note in notes), what="the refusal")
        assert screen.phase == "grades"
    assert reviews(db_path) == []


async def test_the_recap_is_kept_as_a_draft_as_it_is_typed_and_comes_back(make_app, db_path):
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await recap_screen(pilot)
        await pilot.press(*"half a recap")
        with Store(db_path) as store:
            await wait_until(pilot, lambda: store.draft("recap:all cards") == "half a recap", what="the autosave")
    async with make_app().run_test(size=(80, 24)) as pilot:
        screen = await recap_screen(pilot)
        assert screen.query_one("#recap-box", TextArea).text == "half a recap"


async def test_claude_streams_the_correction_and_maps_the_cards(make_app, api, claude_settings, db_path):
    api.script(StreamedReply.json(REPLY, chunk_chars=12))
    async with make_app(**claude_settings).run_test(size=(80, 24)) as pilot:
        screen = await submit(pilot)
        assert screen.phase == "grades"
        source = screen.query_one("#recap-feedback", Markdown).source
        assert source.startswith(CORRECTION) and "### nn.saturation" in source
        assert "- nn.softmax: What does a softmax layer output?" in source
        assert screen.query_one(RecapGrades).grades == {"nn.saturation": 4}
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.phase == "done", what="the recording")
    assert [(r["card_id"], r["quality"], r["grader"]) for r in reviews(db_path)] == [("nn.saturation", 4, "claude")]
    assert "<learner_explanation>" in api.requests[0].body["messages"][0]["content"]


async def test_a_failing_request_is_one_sentence_and_the_recap_is_kept(make_app, api, claude_settings, db_path):
    api.default_reply = ErrorReply(401, "authentication_error", "invalid x-api-key")
    async with make_app(**claude_settings).run_test(size=(80, 24)) as pilot:
        screen = await submit(pilot)
        assert screen.phase == "failed"
        failure = str(screen.query_one("#recap-failure", Static).content)
        assert failure.startswith("Grading failed: The API key was rejected (401)")
        assert screen.query_one("#recap-box", TextArea).text == RECAP
        await pilot.press("o")
        await wait_until(pilot, lambda: screen.phase == "grades", what="the offline grading")
    assert reviews(db_path) == []
    with Store(db_path) as store:
        assert store.draft("recap:all cards") == RECAP


def test_recap_graded_offline_at_80x24(snap_compare, make_app):
    async def graded(pilot) -> None:  # noqa: ANN001
        await submit(pilot)
        await settle(pilot)

    assert snap_compare(make_app(), run_before=graded)

