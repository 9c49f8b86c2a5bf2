"""The app's tables are drawn at the widths they measured, even when they were drawn before measuring
(which happens on a busy machine: the history showed "2026" for "2026-11-27 08:59")."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from recall.tui.widgets.table import Table


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Table()


async def test_rows_drawn_before_the_columns_are_measured_are_drawn_again_after():
    app = TableApp()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(Table)
        table.add_columns("When", "Card")
        await pilot.pause()
        table.add_row("2026-11-27 08:59", "nn.overfitting")
        assert table.render_line(1).text.startswith(" 2026  nn.o ")  # drawn first, at the labels' widths
        await table._on_idle(events.Idle())  # where Textual measures the new rows, when the table is idle
        assert table.render_line(1).text.startswith(" 2026-11-27 08:59  nn.overfitting ")
