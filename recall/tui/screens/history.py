"""History: reviews and average grade per day, every review newest first, and export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Select, Static

from recall.errors import RecallError
from recall.export import FORMATS, ExportFilter, export_reviews, file_suffix
from recall.tui.columns import Column
from recall.tui.navigation import OpenCard
from recall.tui.text import local_time, plural
from recall.tui.widgets.bar_chart import BarChart, Series
from recall.tui.widgets.table import Table

if TYPE_CHECKING:
    from recall.store import Store
    from recall.tui.app import RecallApp

CHART_DAYS = 60
SHOWN_REVIEWS = 1000
# The deck's name goes first when the terminal is narrow, then the suggested grade; the card's id takes
# the room left.
COLUMNS = (Column("when", "When", 16), Column("card", "Card", 14, flexible=True),
           Column("deck", "Deck", 14, drop_order=3), Column("kind", "Kind", 9, drop_order=1),
           Column("grade", "Grade", 5), Column("suggested", "Suggested", 9, drop_order=2),
           Column("grader", "Grader", 8), Column("interval", "Interval", 8))


@dataclass(frozen=True)
class HistoryData:
    reviews: list[dict]
    total: int
    per_day: dict[date, tuple[int, float]]


def history_data(store: Store, today: date) -> HistoryData:
    from recall.stats import reviews_per_day

    return HistoryData(store.recent_reviews(SHOWN_REVIEWS), store.review_count(),
                       reviews_per_day(store, today - timedelta(days=CHART_DAYS - 1)))


def daily_series(per_day: dict[date, tuple[int, float]], today: date) -> tuple[Series, Series]:
    """(reviews per day, average grade per day) for the last CHART_DAYS days, oldest first."""
    days = [today - timedelta(days=offset) for offset in range(CHART_DAYS - 1, -1, -1)]
    labels = tuple(f"{day:%d %b}" for day in days)
    counts = tuple(float(per_day.get(day, (0, 0.0))[0]) for day in days)
    averages = tuple(float(per_day.get(day, (0, 0.0))[1] or 0.0) for day in days)
    return Series(counts, labels), Series(averages, labels)


def review_cells(review: dict) -> dict[str, str]:
    suggested = review["suggested_quality"]
    return {"when": local_time(review["reviewed_at"]), "card": review["card_id"], "deck": review["deck"],
            "kind": review["kind"], "grade": str(review["quality"]),
            "suggested": "" if suggested is None else str(suggested), "grader": review["grader"] or "self",
            "interval": f"{review['interval_after']}d"}


def export_to(store: Store, fmt: str, path: Path, progress: Callable[[int, int], None], today: date) -> int:
    return export_reviews(store, fmt, ExportFilter(), output=path, progress=progress, today=today)


def default_export_path(today: date, fmt: str) -> str:
    return f"recall-reviews-{today.isoformat()}{file_suffix(fmt)}"


class HistoryScreen(Screen[None]):
    app: RecallApp
    BINDINGS = [
        Binding("x", "export", "Export", id="history.export",
                tooltip="Write every review to the file below, in the chosen format"),
        Binding("escape", "app.pop_screen", "Back", id="history.back", tooltip="Back to the dashboard"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="history-charts"):
            yield BarChart(f"Reviews per day, last {CHART_DAYS} days", id="reviews-chart", classes="panel")
            yield BarChart("Average grade per day", maximum=5, id="grades-chart", classes="panel")
        table = Table(COLUMNS, id="reviews", cursor_type="row", zebra_stripes=True)
        table.border_title = "Reviews, newest first  (enter: the card)"
        yield table
        with Horizontal(id="export-form"):
            yield Select([(fmt, fmt) for fmt in FORMATS], value="csv", allow_blank=False, id="export-format",
                         compact=True)
            yield Input(id="export-path", placeholder="file to write", compact=True)
            yield Button("Export all (x)", id="export-button", variant="primary", compact=True)
        yield Static("", id="export-status", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "History"
        self.query_one("#export-path", Input).value = default_export_path(self.app.today, "csv")
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load_history()

    @work(exclusive=True, group="history")
    async def load_history(self) -> None:
        today = self.app.today
        try:
            data = await self.app.database.query(history_data, today)
        except RecallError as error:
            self.notify(str(error), title="Cannot read the history", severity="error")
            return
        reviews_chart, grades_chart = daily_series(data.per_day, today)
        self.query_one("#reviews-chart", BarChart).series = reviews_chart
        self.query_one("#grades-chart", BarChart).series = grades_chart
        table = self.query_one(Table)
        table.clear_rows()
        for review in data.reviews:
            table.add_cells(review_cells(review), key=str(review["id"]))
        shown = len(data.reviews)
        table.border_subtitle = (plural(data.total, "review") if shown == data.total
                                 else f"newest {shown} of {data.total} (export has them all)")

    @on(DataTable.RowSelected, "#reviews")
    def open_card(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenCard(self.query_one(Table).row_cells(event.row_key.value)["card"]))

    @on(Select.Changed, "#export-format")
    def format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        path_input.value = str(Path(path_input.value or "recall-reviews").with_suffix(file_suffix(str(event.value))))

    @on(Button.Pressed, "#export-button")
    @on(Input.Submitted, "#export-path")
    def export_requested(self) -> None:
        self.action_export()

    @work(exclusive=True, group="export")
    async def action_export(self) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        raw_path = self.query_one("#export-path", Input).value.strip()
        status = self.query_one("#export-status", Static)
        if not raw_path:
            self.notify("Type the file to export to.", severity="warning")
            return
        path = Path(raw_path).expanduser().absolute()

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(status.update, f"Exporting… {done} of {total} reviews")

        status.update(f"Exporting to {path}…")
        try:
            count = await self.app.database.query(export_to, fmt, path, progress, self.app.today)
        except RecallError as error:  # ExportError, StoreError
            status.update(str(error))
            self.notify(str(error), title="Export failed", severity="error")
            return
        status.update(f"Exported {plural(count, 'review')} as {fmt} to {path}")
        self.notify(f"Exported {plural(count, 'review')} to {path}", title="Export done")
