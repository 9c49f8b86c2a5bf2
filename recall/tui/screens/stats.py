"""Stats: the progress charts of `recall stats` (activity per day, retention per week, how intervals and
easiness are spread, cards added) and the hardest cards, a tab each so every one fits 80x24."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from recall.errors import RecallError
from recall.tui.navigation import OpenCard
from recall.tui.widgets.progress_chart import ProgressChart
from recall.tui.widgets.table import Table

if TYPE_CHECKING:
    from recall.tui.app import RecallApp

# Tab title and the charts it shows (names of `recall.progress_charts.progress_series`).
TABS = (("Activity", ("reviews", "minutes")), ("Retention", ("retention",)), ("Intervals", ("intervals",)),
        ("Easiness", ("easiness",)), ("Added", ("added",)))


class StatsScreen(Screen[None]):
    app: RecallApp
    BINDINGS = [
        Binding("right,n", "next_tab(1)", "Next tab", id="stats.next", tooltip="The next chart"),
        Binding("left,p", "next_tab(-1)", "Previous tab", id="stats.previous", tooltip="The previous chart"),
        Binding("escape", "app.pop_screen", "Back", id="stats.back", tooltip="Back to the dashboard"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="stats-tabs"):
            for title, charts in TABS:
                with TabPane(title, id=f"tab-{title.lower()}"):
                    for name in charts:
                        yield ProgressChart(id=f"chart-{name}", classes="progress-chart")
            with TabPane("Hardest", id="tab-hardest"):
                table = Table(id="hardest", cursor_type="row", zebra_stripes=True)
                table.border_title = "Most lapses, then lowest easiness  (enter: the card)"
                yield table
                yield Static("No card has lapsed yet.", id="no-hardest")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Progress"
        self.load()

    @work(exclusive=True, group="stats")
    async def load(self) -> None:
        from recall.progress_charts import progress_series
        from recall.stats import progress_stats

        try:
            progress = await self.app.database.query(progress_stats, self.app.today)
        except RecallError as error:
            self.notify(str(error), title="Cannot read the database", severity="error")
            return
        for name, series in progress_series(progress).items():
            self.query_one(f"#chart-{name}", ProgressChart).show(series)
        table = self.query_one("#hardest", DataTable)
        table.add_columns("Lapses", "Ease", "Card")
        for card in progress["hardest"]:
            table.add_row(str(card["lapses"]), f"{card['easiness']:.2f}", " ".join(card["prompt"].split()),
                          key=card["id"])
        table.display = bool(progress["hardest"])
        self.query_one("#no-hardest").display = not progress["hardest"]

    def action_next_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        panes = [pane.id for pane in tabs.query(TabPane)]
        tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenCard(event.row_key.value))
