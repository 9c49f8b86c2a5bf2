"""A demo's lines (up to 80 columns, charts among them) show whole: at 80x24 the demo lies over the feedback,
the terminal's whole width, under the prompt and the explanation box; from 160 columns on it goes beside
the main column. Its output scrolls by keyboard, and the panel tells which lines show (issue 13)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Log
from tui_helpers import study_screen, wait_until

from recall.tui.screens.card_detail import CardDetailScreen
from recall.tui.widgets.demo_panel import DemoPanel


@asynccontextmanager
async def saturation_card(make_app, size: tuple[int, int]) -> AsyncIterator[tuple[Pilot, Screen]]:  # noqa: ANN001
    """The study app at `size`, on the card nn.saturation (which links a demo)."""
    app = make_app(start="study")
    async with app.run_test(size=size) as pilot:
        yield pilot, await study_screen(pilot, "nn.saturation")


async def run_demo(pilot, panel: DemoPanel) -> Log:  # noqa: ANN001
    """Press d and wait until the demo has finished and the log knows its widest line (a worker of its own)."""
    await pilot.press("d")
    await wait_until(pilot, lambda: panel.status == "finished", what="the demo to finish")
    await wait_until(pilot, lambda: all(worker.is_finished for worker in pilot.app.workers), what="the workers")
    await pilot.pause()
    return panel.query_one(Log)


def assert_whole_lines(panel: DemoPanel, log: Log, lines: int) -> None:
    assert panel.content_region.width >= 78 and panel.content_region.height >= lines
    assert 70 < log.virtual_size.width <= log.scrollable_content_region.width  # the longest line, unclipped
    assert log.max_scroll_x == 0


async def test_at_80x24_the_demo_lies_over_the_feedback_at_full_width(make_app):
    async with saturation_card(make_app, (80, 24)) as (pilot, screen):
        await pilot.press("escape")
        panel = screen.query_one(DemoPanel)
        log = await run_demo(pilot, panel)
        side = screen.query_one("#side")
        assert side.region.width == 80 and side.has_class("-demo-over")
        assert_whole_lines(panel, log, 10)
        assert log.scrollable_content_region.height >= 10
        # The prompt and the explanation box stay in view; the feedback and the grade bar are under the demo.
        assert screen.query_one("#explanation").region.bottom <= side.region.y
        assert side.region.bottom == screen.query_one("#study-body").region.bottom
        assert screen.query_one("#feedback-box").region.y >= side.region.y
        assert any(not line.strip() for line in log.lines)  # the demo's blank lines are kept


async def test_at_200x50_the_demo_goes_beside_a_main_column_of_100(make_app):
    async with saturation_card(make_app, (200, 50)) as (pilot, screen):
        await pilot.press("escape")
        panel = screen.query_one(DemoPanel)
        log = await run_demo(pilot, panel)
        side, main = screen.query_one("#side"), screen.query_one("#study-main")
        assert side.region.width >= 82 and main.region.width >= 100
        assert side.region.x >= main.region.right  # beside, not over
        assert_whole_lines(panel, log, 40)
        assert log.scrollable_content_region.height >= log.virtual_size.height  # all of it, no scrolling


async def test_the_reference_alone_keeps_its_side_strip(make_app):
    async with saturation_card(make_app, (80, 24)) as (pilot, screen):
        await pilot.press("escape", "r")
        side = screen.query_one("#side")
        await wait_until(pilot, lambda: side.region.width > 0, what="the side column")
        assert side.region.width == 36 and not side.classes & {"-demo-over", "-demo-beside"}
        panel = screen.query_one(DemoPanel)
        await run_demo(pilot, panel)  # with the demo too, both lie over the feedback, the demo the larger
        await wait_until(pilot, lambda: side.region.width == 80, what="the side column over the feedback")
        assert panel.region.height > screen.query_one("#reference").region.height
        await pilot.press("d")  # closes the finished demo's panel
        await wait_until(pilot, lambda: side.region.width == 36, what="the strip again")


async def test_the_demo_scrolls_by_keyboard_and_says_which_lines_show(make_app):
    async with saturation_card(make_app, (80, 24)) as (pilot, screen):
        await pilot.press("escape")
        before = screen.focused
        panel = screen.query_one(DemoPanel)
        log = await run_demo(pilot, panel)
        assert screen.focused is log  # the keys scroll the demo, not the feedback under it
        shown, total = log.scrollable_content_region.height, log.line_count
        # it follows the output to the end (the last scroll may land a refresh after the last line)
        await wait_until(pilot, lambda: log.scroll_y == total - shown, what="the end of the output")
        await wait_until(pilot, lambda: f"lines {total - shown + 1}-{total} of {total} · d: close"
                         in str(panel.border_subtitle), what="the subtitle at the end")
        await pilot.press("home")
        await wait_until(pilot, lambda: log.scroll_y == 0, what="the top")
        await wait_until(pilot, lambda: f"lines 1-{shown} of {total}" in str(panel.border_subtitle),
                         what="the subtitle to follow")
        await pilot.press("down")
        await wait_until(pilot, lambda: log.scroll_y == 1, what="one line down")
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: log.scroll_y > 1, what="a page down")
        await pilot.press("pageup", "up")
        await wait_until(pilot, lambda: log.scroll_y == 0, what="back up")
        await pilot.press("d")  # closes, and the focus goes back where it was
        assert not panel.display
        await wait_until(pilot, lambda: screen.focused is before, what="the focus to come back")


async def test_the_panel_moves_when_the_terminal_is_resized(make_app):
    async with saturation_card(make_app, (80, 24)) as (pilot, screen):
        await pilot.press("escape", "d")
        side, main = screen.query_one("#side"), screen.query_one("#study-main")
        await wait_until(pilot, lambda: side.region.width == 80, what="the demo over the feedback")
        await pilot.resize_terminal(200, 50)
        await wait_until(pilot, lambda: side.has_class("-demo-beside") and side.region.width >= 82
                         and main.region.width >= 100, what="the demo beside the main column")
        await pilot.resize_terminal(120, 40)
        await wait_until(pilot, lambda: side.has_class("-demo-over") and side.region.width == 120
                         and side.region.y == screen.query_one("#feedback-box").region.y,
                         what="the demo over the feedback again (the box shrinks for it first)")


async def card_detail_demo(pilot) -> tuple[CardDetailScreen, DemoPanel, Log]:  # noqa: ANN001
    await wait_until(pilot, lambda: pilot.app.screen.query("#decks"), what="the dashboard")
    await pilot.app.push_screen(CardDetailScreen("nn.saturation"))
    screen = pilot.app.screen
    assert isinstance(screen, CardDetailScreen)
    await wait_until(pilot, lambda: screen.card is not None, what="the card")
    panel = screen.query_one(DemoPanel)
    return screen, panel, await run_demo(pilot, panel)


async def test_the_card_detail_demo_shows_whole_lines_under_the_card_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen, panel, log = await card_detail_demo(pilot)
        assert panel.region.width == 80
        assert_whole_lines(panel, log, 10)
        assert screen.query_one("#detail").region.bottom <= panel.region.y  # the card above, scrolling
        await pilot.press("d")
        await wait_until(pilot, lambda: screen.focused is screen.query_one("#detail"), what="the focus back")


async def test_the_card_detail_demo_goes_beside_the_card_at_200x50(make_app):
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        screen, panel, log = await card_detail_demo(pilot)
        assert panel.region.width >= 82 and screen.query_one("#detail").region.width >= 100
        assert_whole_lines(panel, log, 40)


async def test_the_output_keeps_its_end_in_view_when_a_scrollbar_takes_a_line_and_not_once_scrolled_up(make_app):
    """A line wider than the panel brings a horizontal scrollbar: the view loses a line without scrolling,
    and the end must stay in view (under load the log's width, measured in a thread, does the same). Once
    the learner scrolls up, the output no longer pulls the view down."""
    async with saturation_card(make_app, (80, 24)) as (pilot, screen):
        await pilot.press("escape")
        panel = screen.query_one(DemoPanel)
        log = await run_demo(pilot, panel)
        await wait_until(pilot, lambda: log.scroll_y == log.max_scroll_y > 0, what="the end of the output")
        log.write_line("x" * 200)
        await wait_until(pilot, lambda: log.max_scroll_x > 0, what="the horizontal scrollbar")
        await wait_until(pilot, lambda: log.scroll_y == log.max_scroll_y, what="the end in view again")
        await pilot.press("up")
        await wait_until(pilot, lambda: log.scroll_y == log.max_scroll_y - 1, what="one line up")
        log.write_line("y" * 300)
        await wait_until(pilot, lambda: log.max_scroll_x > 200, what="the wider line measured")
        await pilot.pause()
        assert log.scroll_y < log.max_scroll_y - 1  # left where the learner put it
