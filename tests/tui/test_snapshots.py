"""Screenshots of every screen, compared with the accepted ones in __snapshots__ (pytest-textual-snapshot).

Every screen is taken at 80x24 (the size recall promises to be fully usable at) in the dark theme, the
light theme and with NO_COLOR; a few at 200x50 too. The day, the clock and the time zone are pinned and
the history is seeded the same way each time, so the pictures are exact. Each is taken once the screen has settled (`settle`: conditions, never a pause). After
a deliberate change, look at the new pictures and accept them with
`pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_messages_api import ErrorReply
from textual.widgets import Collapsible, DataTable, Log
from tui_helpers import CEILING_S, MORNING, TODAY, settle, study_screen, wait_for_phase, wait_until, write_explanation

from recall.deck import load_decks
from recall.store import ReviewInput, Store
from recall.tui.widgets.demo_panel import DemoPanel
from recall.tui.widgets.stat_tile import StatTile

EXPLANATION = ("When the weighted input z is large, the sigmoid is flat, so its derivative is tiny and the "
               "weight updates are tiny: the neuron learns slowly.")
UNSURE_EXPLANATION = "Saturation happens when z is large in magnitude, far out on the flat tails of the sigmoid."


@pytest.fixture
def seeded(db_path, small_deck) -> None:
    """Eight weeks of reviews in a fixed pattern: the heatmap, the charts and the history have content."""
    cards = ("nn.saturation", "nn.softmax", "nn.overfitting")
    with Store(db_path) as store:
        store.sync_cards(load_decks([small_deck]).cards)
        for days_ago in range(56, 0, -1):
            if days_ago % 4 == 3:
                continue
            for repeat in range(days_ago % 3 + 1):
                card = cards[(days_ago + repeat) % 3]
                store.record_review(
                    ReviewInput(card, 2 + (days_ago + repeat) % 4, suggested_quality=3, grader="offline",
                                answer=f"An explanation of {card}, {days_ago} days ago.",
                                feedback="Two of two key points covered.\n\n**Suggested grade: 3**"),
                    TODAY - timedelta(days=days_ago), MORNING - timedelta(days=days_ago) + timedelta(minutes=repeat))


async def graded(pilot) -> None:  # noqa: ANN001
    """Submit the first card's explanation and wait for the verdict."""
    write_explanation(await study_screen(pilot, "nn.saturation"), EXPLANATION)
    await pilot.press("ctrl+j")
    await wait_for_phase(pilot, "graded")


async def dashboard_loaded(pilot) -> None:  # noqa: ANN001
    def loaded() -> bool:
        streak = pilot.app.screen.query("#streak").results(StatTile)
        return any(tile.value is not None for tile in streak)

    await wait_until(pilot, loaded, what="the dashboard's numbers")
    await settle(pilot)


async def type_explanation(pilot) -> None:  # noqa: ANN001
    write_explanation(await study_screen(pilot, "nn.saturation"), EXPLANATION)
    await settle(pilot)


async def grade(pilot) -> None:  # noqa: ANN001
    await graded(pilot)
    await settle(pilot)


async def grade_unsure(pilot) -> None:  # noqa: ANN001
    """Not confident: no grade highlighted, the reference and key points beside the text, enter disabled."""
    write_explanation(await study_screen(pilot, "nn.saturation"), UNSURE_EXPLANATION)
    await pilot.press("ctrl+j")
    await wait_for_phase(pilot, "graded")
    await settle(pilot)


async def fail(pilot) -> None:  # noqa: ANN001
    write_explanation(await study_screen(pilot, "nn.saturation"), EXPLANATION)
    await pilot.press("ctrl+j")
    await wait_for_phase(pilot, "failed", timeout=4 * CEILING_S)  # the first to import anthropic, maybe
    await settle(pilot)


async def run_the_demo(pilot) -> None:  # noqa: ANN001
    """The demo over the feedback, scrolled back to its chart, on the saturation card's drill: with a
    grade to undo, the footer shows d, u and i."""
    for card_id, quality in (("nn.saturation", "2"), ("nn.softmax", "4"), ("nn.overfitting", "4")):
        await study_screen(pilot, card_id)
        await pilot.press("escape", quality)
    screen = await study_screen(pilot, "nn.saturation")
    await pilot.press("escape", "d")
    panel = screen.query_one(DemoPanel)
    await wait_until(pilot, lambda: panel.status == "finished", what="the demo to finish")
    await pilot.press("home")
    await wait_until(pilot, lambda: panel.query_one(Log).scroll_y == 0, what="the top of the output")
    await settle(pilot)
    assert panel.query_one(Log).virtual_size.width == 79  # the chart's 79-column lines show whole


async def study_three_cards(pilot) -> None:  # noqa: ANN001
    for card_id, quality in (("nn.saturation", "5"), ("nn.softmax", "4"), ("nn.overfitting", "3"),
                             ("nn.overfitting", "4")):
        await study_screen(pilot, card_id)
        await pilot.press("escape", quality)
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "SummaryScreen", what="the summary")
    await wait_until(pilot, lambda: pilot.app.screen.query_one(DataTable).row_count > 0, what="its rows")
    await settle(pilot)


async def browse(pilot) -> None:  # noqa: ANN001
    await pilot.press("b")
    await wait_until(pilot, lambda: pilot.app.screen.query(DataTable) and
                     pilot.app.screen.query_one(DataTable).row_count == 3, what="the cards")
    await settle(pilot)


async def card_detail(pilot) -> None:  # noqa: ANN001
    await browse(pilot)
    await pilot.press("enter")
    await wait_until(pilot, lambda: pilot.app.screen.query(Collapsible), what="the review history")
    await settle(pilot)


async def history(pilot) -> None:  # noqa: ANN001
    await pilot.press("h")
    await wait_until(pilot, lambda: pilot.app.screen.query(DataTable) and
                     pilot.app.screen.query_one(DataTable).row_count > 0, what="the reviews")
    await settle(pilot)


async def open_help(pilot) -> None:  # noqa: ANN001
    await dashboard_loaded(pilot)
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: type(pilot.app.screen).__name__ == "HelpScreen", what="the help")
    await settle(pilot)


# name: (where the app starts, whether it needs the seeded history, how to get there)
SCREENS = {
    "dashboard": ("dashboard", True, dashboard_loaded),
    "study-typing": ("study", False, type_explanation),
    "study-graded": ("study", False, grade),
    "study-unsure": ("study", False, grade_unsure),
    "study-failed": ("study", False, fail),
    "study-demo": ("study", False, run_the_demo),
    "summary": ("study", False, study_three_cards),
    "browse": ("dashboard", True, browse),
    "card-detail": ("dashboard", True, card_detail),
    "history": ("dashboard", True, history),
    "help": ("dashboard", False, open_help),
}
LOOKS = ("dark", "light", "no-color")


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize("name", SCREENS)
def test_every_screen_at_80x24(snap_compare, make_app, request, monkeypatch, api, name, look):
    """Everything a screen shows fits 80x24, in either theme and without colour (NO_COLOR: the glyphs
    and the words must carry what colour would)."""
    start, needs_history, run_before = SCREENS[name]
    if needs_history:
        request.getfixturevalue("seeded")
    if look == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")
    overrides: dict = {"theme": "textual-light"} if look == "light" else {}
    if name == "study-failed":
        api.script(ErrorReply(401, "authentication_error", "invalid x-api-key"))
        overrides |= {"grader": "claude", "api_key": "test-key", "base_url": api.base_url}
    assert snap_compare(make_app(start=start, **overrides), run_before=run_before, terminal_size=(80, 24))


def test_dashboard_light_theme_at_200x50(snap_compare, make_app, seeded):
    assert snap_compare(make_app(theme="textual-light"), run_before=dashboard_loaded, terminal_size=(200, 50))


def test_study_graded_with_the_reference_at_200x50(snap_compare, make_app):
    async def grade_and_show_the_answer(pilot) -> None:  # noqa: ANN001
        await graded(pilot)
        await pilot.press("r")
        await settle(pilot)

    assert snap_compare(make_app(start="study"), run_before=grade_and_show_the_answer, terminal_size=(200, 50))
