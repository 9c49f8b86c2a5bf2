"""The dashboard: what is due, what was done, what is coming, and the decks. The app's home screen.

It draws at once with placeholders; the numbers arrive from the store thread when it has opened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from recall.errors import RecallError
from recall.tui.columns import Column
from recall.tui.navigation import OpenBrowse, OpenCardForm, OpenHistory, OpenRecap, OpenStats, StartStudy
from recall.tui.text import plural
from recall.tui.widgets.bar_chart import BarChart, Series
from recall.tui.widgets.heatmap import ReviewHeatmap, first_shown_day
from recall.tui.widgets.stat_tile import StatTile

if TYPE_CHECKING:
    from textual.widgets import DataTable

    from recall.store import Store
    from recall.tui.app import RecallApp
    from recall.tui.widgets.table import Table

# The numbers always show in full; a long deck name ends in an ellipsis.
DECK_COLUMNS = (Column("deck", "Deck", 12, flexible=True), Column("cards", "Cards", 5), Column("due", "Due", 5),
                Column("new", "New", 5))


@dataclass(frozen=True)
class DashboardData:
    due_today: int
    new_available: int
    reviewed_today: int
    streak_days: int
    cards: int
    reviews_per_day: dict[date, int]
    due_forecast: tuple[int, ...]
    decks: tuple[dict, ...]


def dashboard_data(store: Store, today: date, new_per_day: int, deck_limits: Mapping[str, int]) -> DashboardData:
    """Everything the dashboard shows, in one trip to the store thread, and nothing it does not show:
    `collection_stats` would also price the token use, two thirds of its time at a million reviews."""
    from recall.stats import (
        FORECAST_DAYS, card_counts, deck_counts, due_forecast, reviews_per_day, streak, study_days,
    )
    from recall.study import EVERYTHING, new_cards_for

    counts = card_counts(store, today)
    new_available = len(new_cards_for(store, today, new_per_day, deck_limits, EVERYTHING))  # as a session asks
    per_day = reviews_per_day(store, first_shown_day(today))
    return DashboardData(
        due_today=counts["due"], new_available=new_available,
        reviewed_today=per_day.get(today, (0, 0.0))[0], streak_days=streak(study_days(store), today),
        cards=counts["active"], reviews_per_day={day: count for day, (count, _average) in per_day.items()},
        due_forecast=tuple(due_forecast(store, today, FORECAST_DAYS)), decks=tuple(deck_counts(store, today)))


def forecast_series(forecast: tuple[int, ...]) -> Series:
    labels = ("today", *(f"+{offset}d" for offset in range(1, len(forecast))))
    return Series(tuple(float(count) for count in forecast), labels)


class DashboardScreen(Screen[None]):
    """Home: today's numbers, a 16-week heatmap, a 30-day forecast and the decks."""

    app: RecallApp
    # Under 30 rows the tiles take one row each (no border), so that seven decks fit at 80x24.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("s", "study", "Study", id="dashboard.study", tooltip="Start today's session"),
        Binding("b", "browse", "Browse", id="dashboard.browse", tooltip="Every card, with search and filters"),
        Binding("n", "new_card", "New card", id="dashboard.new_card", tooltip="Write a new card in a form"),
        Binding("R", "recap", "Recap", id="dashboard.recap", show=False,  # 80 columns keep "? Help" in view
                tooltip="Explain a chapter in one text: the highlighted deck's cards, or every card"),
        Binding("h", "history", "History", id="dashboard.history",
                tooltip="Every review, a chart per day, and export"),
        Binding("t", "stats", "Stats", id="dashboard.stats",
                tooltip="Charts of your progress: activity, retention, intervals, hardest cards"),
        Binding("q", "app.quit", "Quit", id="dashboard.quit", tooltip="Leave recall"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="tiles"):
            yield StatTile("Due today", id="due-today")
            yield StatTile("New available", id="new-available")
            yield StatTile("Reviewed today", id="reviewed-today")
            yield StatTile("Streak", id="streak")
        with Horizontal(id="charts"):
            with Vertical(id="heatmap-box", classes="panel") as box:
                box.border_title = "Reviews, last 16 weeks"
                yield ReviewHeatmap(self.app.today, id="heatmap")  # the study day, not the calendar's
            yield BarChart("Due, next 30 days", id="forecast", classes="panel")
        with Vertical(id="decks-box", classes="panel") as decks_box:
            decks_box.border_title = "Decks  (enter: study a deck)"
            yield Static("…", id="decks-placeholder")
        yield Footer()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    @work(exclusive=True, group="dashboard")
    async def refresh_data(self) -> None:
        try:
            await self.app.database.ready()
            today = self.app.today
            data = await self.app.database.query(dashboard_data, today, self.app.settings.new_per_day,
                                                  self.app.settings.deck_new_per_day)
        except RecallError as error:
            self.notify(str(error), title="Cannot read the database", severity="error")
            return
        await self.show(data, today)

    async def show(self, data: DashboardData, today: date) -> None:
        table = await self._decks_table()
        self.sub_title = f"{data.cards} cards · {today:%A %d %B %Y}"
        self.query_one("#due-today", StatTile).value = str(data.due_today)
        self.query_one("#new-available", StatTile).value = str(data.new_available)
        self.query_one("#reviewed-today", StatTile).value = str(data.reviewed_today)
        self.query_one("#streak", StatTile).value = plural(data.streak_days, "day")
        heatmap = self.query_one(ReviewHeatmap)
        heatmap.today = today
        heatmap.counts = data.reviews_per_day
        self.query_one("#forecast", BarChart).series = forecast_series(data.due_forecast)
        table.clear_rows()
        for deck in data.decks:
            table.add_cells({"deck": deck["deck"], "cards": str(deck["cards"]), "due": str(deck["due"] or 0),
                             "new": str(deck["new"] or 0)}, key=deck["deck"])

    async def _decks_table(self) -> Table:
        """The decks table, made when the first numbers arrive: DataTable is the dashboard's heaviest
        widget, and leaving it out of the first frame makes that frame come about 10 ms sooner."""
        from recall.tui.widgets.table import Table

        for table in self.query("#decks").results(Table):
            return table
        table = Table(DECK_COLUMNS, id="decks", cursor_type="row", zebra_stripes=True)
        await self.query_one("#decks-placeholder").remove()
        await self.query_one("#decks-box").mount(table)
        return table

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """enter on a deck studies that deck alone (b still browses every card)."""
        from recall.study import StudyPlan  # loaded by now: the numbers came from the store thread

        self.post_message(StartStudy(StudyPlan(deck=event.row_key.value)))

    def action_study(self) -> None:
        self.post_message(StartStudy())

    def action_browse(self, deck: str | None = None) -> None:
        self.post_message(OpenBrowse(deck))

    def action_recap(self) -> None:
        """A recap of the deck highlighted in the decks table when it has the focus, else of every card."""
        deck = None
        for table in self.query("#decks").results():
            if table.has_focus and table.row_count:
                deck = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        self.post_message(OpenRecap(deck))

    def action_history(self) -> None:
        self.post_message(OpenHistory())

    def action_stats(self) -> None:
        self.post_message(OpenStats())

    def action_new_card(self) -> None:
        self.post_message(OpenCardForm())
