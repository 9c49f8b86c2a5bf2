"""Screenshots of a demo shown in the study app (compared with __snapshots__, as in test_snapshots.py)."""

from __future__ import annotations

from textual.widgets import Log
from tui_helpers import settle, study_screen, wait_until

from recall.tui.widgets.demo_panel import DemoPanel


def test_study_demo_at_80x24(snap_compare, make_app):
    """The saturation demo over the feedback, the whole width, scrolled back to its chart (home: the output
    has the focus), whose 79-column lines show whole; the prompt and the explanation box above it; the
    subtitle says which of its lines show."""
    async def run_the_demo(pilot) -> None:  # noqa: ANN001
        screen = await study_screen(pilot, "nn.saturation")
        await pilot.press("escape", "d")
        panel = screen.query_one(DemoPanel)
        await wait_until(pilot, lambda: panel.status == "finished", what="the demo to finish")
        await pilot.press("home")
        await wait_until(pilot, lambda: panel.query_one(Log).scroll_y == 0, what="the top of the output")
        await settle(pilot)
        assert panel.query_one(Log).virtual_size.width == 79

    assert snap_compare(make_app(start="study"), run_before=run_the_demo, terminal_size=(80, 24))
