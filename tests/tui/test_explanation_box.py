"""Issue 11: what the learner types is never lost or changed behind their back. Text typed while the
session loads is kept (merged with the card's draft, never replaced by it), and from the moment ctrl+j
submits, the submitted text is frozen: keys pressed right after it do not edit it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from textual.widgets import TextArea
from tui_helpers import record_notifications, study_screen, wait_for_phase, wait_until, write_explanation

import recall.collection
from recall.deck import load_decks
from recall.store import Store

ANSWER = "The sigmoid is flat for large z, so its derivative is tiny and that makes learning hard."


@pytest.fixture
def slow_store(monkeypatch) -> Iterator[threading.Event]:
    """The store does not open until the test sets the returned event: the session stays loading."""
    opened = threading.Event()
    open_collection = recall.collection.open_collection

    def open_when_allowed(settings):  # noqa: ANN001, ANN202 - runs on the store's thread
        if not opened.wait(60):
            raise TimeoutError("the test never let the store open")
        return open_collection(settings)

    monkeypatch.setattr(recall.collection, "open_collection", open_when_allowed)
    yield opened
    opened.set()


def explanation_box(app) -> TextArea:  # noqa: ANN001
    return app.screen.query_one("#explanation", TextArea)


async def type_while_loading(pilot, text: str) -> None:  # noqa: ANN001
    app = pilot.app
    await wait_until(pilot, lambda: type(app.screen).__name__ == "StudyScreen"
                     and app.screen.focused is not None and app.screen.focused.id == "explanation",
                     timeout=30, what="the study screen's box to take the focus")
    await pilot.press(*text)
    assert app.screen.phase == "loading"  # the store is still closed: no card yet


def seed_draft(db_path, small_deck, text: str) -> None:  # noqa: ANN001
    with Store(db_path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        store.save_draft("nn.saturation", text)


async def test_text_typed_while_the_session_loads_is_kept_and_graded(make_app, slow_store, db_path):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        await type_while_loading(pilot, "early words")
        slow_store.set()
        await study_screen(pilot, "nn.saturation")
        assert explanation_box(app).text == "early words"
        await pilot.press("ctrl+j")
        await wait_for_phase(pilot, "graded", timeout=30)
        await pilot.press("0")
        await study_screen(pilot, "nn.softmax")
    with Store(db_path) as store:
        [review] = store.reviews_for_card("nn.saturation")
        assert review["answer"] == "early words"


async def test_text_typed_while_the_session_loads_is_merged_with_the_draft(make_app, slow_store, db_path,
                                                                           small_deck):
    seed_draft(db_path, small_deck, "from the draft")
    app = make_app(start="study")
    notes = record_notifications(app)
    async with app.run_test(size=(100, 36)) as pilot:
        await type_while_loading(pilot, "typed early")
        slow_store.set()
        await study_screen(pilot, "nn.saturation")
        assert explanation_box(app).text == "from the draft\ntyped early"
        assert any("draft" in note and "typed" in note for note in notes)
        with Store(db_path) as store:  # the merged text is the draft now
            await wait_until(pilot, lambda: store.draft("nn.saturation") == "from the draft\ntyped early",
                             timeout=30, what="the merged draft to be saved")


async def test_keys_pressed_right_after_ctrl_j_do_not_edit_the_submitted_text(make_app):
    app = make_app(start="study")
    async with app.run_test(size=(100, 36)) as pilot:
        screen = await study_screen(pilot, "nn.saturation")
        grader = await app.grader()
        sent: list[str] = []
        grade = grader.grade

        async def spy(card, answer, on_text=None):  # noqa: ANN001, ANN202
            sent.append(answer)
            return await grade(card, answer, on_text)

        grader.grade = spy
        write_explanation(screen, ANSWER)
        # The store's thread is busy (another write, a slow disk) when the learner submits.
        busy = threading.Event()
        blocker = asyncio.ensure_future(app.database.run(busy.wait, 30))
        try:
            await pilot.press("ctrl+j", *"rxy")
        finally:
            busy.set()
        await blocker
        await wait_for_phase(pilot, "graded", timeout=30)
        assert sent == [ANSWER]
        assert explanation_box(app).text == ANSWER
        assert screen.card.id == "nn.saturation"  # the letters graded nothing and skipped nothing
