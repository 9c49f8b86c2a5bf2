"""The end of a session: how many cards, the average grade, and when each card comes back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from recall.errors import RecallError
from recall.tui.text import plural
from recall.tui.widgets.table import Table

if TYPE_CHECKING:
    from recall.store import Store
    from recall.study import SessionSummary
    from recall.tui.app import RecallApp

PROMPT_WIDTH = 50  # what 80 columns leave beside the date and the number of days


def card_prompts(store: Store, card_ids: list[str]) -> dict[str, str]:
    return {card_id: row.prompt for card_id in card_ids if (row := store.card(card_id)) is not None}


def one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def summary_text(summary: SessionSummary) -> str:
    if summary.reviewed == 0:
        return "Nothing to study right now: no card is due and today's new cards are done. See you tomorrow."
    drills = summary.reviewed - len(summary.comes_back)
    lines = [f"Session done: {plural(summary.reviewed, 'review')}, "
             f"average grade {summary.average_quality:.1f}."]
    if drills:
        lines.append(f"Drill repeats of cards graded below 4 (SM-2 step 7): {drills}. "
                     "They change nothing in the schedule.")
    return "\n".join(lines)


class SummaryScreen(Screen[None]):
    app: RecallApp
    BINDINGS = [
        Binding("enter,escape", "app.pop_screen", "Dashboard", id="summary.dashboard",
                tooltip="Back to the dashboard"),
        Binding("q", "app.quit", "Quit", id="summary.quit", tooltip="Leave recall"),
    ]

    def __init__(self, summary: SessionSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(summary_text(self.summary), id="summary-text", classes="panel")
        table = Table(id="comes-back", cursor_type="row", zebra_stripes=True)
        table.border_title = "When each card comes back"
        table.display = bool(self.summary.comes_back)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        if self.summary.comes_back:
            self.show_comes_back()

    @work(group="summary")
    async def show_comes_back(self) -> None:
        """Each card by its prompt (the learner knows cards by what they ask, not by id), soonest first."""
        table = self.query_one(DataTable)
        table.add_columns("Next review", "In", "Card")
        ids = [card_id for card_id, _due in self.summary.comes_back]
        try:
            prompts = await self.app.database.query(card_prompts, ids)
        except RecallError:
            prompts = {}
        today = self.app.today
        for card_id, due in sorted(self.summary.comes_back, key=lambda pair: (pair[1] is None, pair[1], pair[0])):
            days = (due - today).days if due else None
            table.add_row(f"{due:%a %d %b %Y}" if due else "-", plural(days, "day") if days is not None else "-",
                          one_line(prompts.get(card_id, card_id), PROMPT_WIDTH))

    def on_data_table_row_selected(self) -> None:
        """enter on the table (which has the focus) goes back to the dashboard too."""
        self.app.pop_screen()
