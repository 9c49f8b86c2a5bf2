"""The end of a session: how many cards, the average grade, when each card comes back, and more to study
if the learner wants it (reviews due soon, a few more new cards)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from recall.errors import RecallError
from recall.tui.navigation import StartStudy
from recall.tui.text import plural
from recall.tui.widgets.table import Table

if TYPE_CHECKING:
    from recall.store import Store
    from recall.study import SessionSummary
    from recall.tui.app import RecallApp

PROMPT_WIDTH = 50  # what 80 columns leave beside the date and the number of days
AHEAD_DAYS = 7  # how far "review ahead" looks


def card_prompts(store: Store, card_ids: list[str]) -> dict[str, str]:
    return {card_id: row.prompt for card_id in card_ids if (row := store.card(card_id)) is not None}


def one_line(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def summary_text(summary: SessionSummary, scheduler: str = "sm2") -> str:
    if summary.reviewed == 0:
        return "Nothing to study right now: no card is due and today's new cards are done. See you tomorrow."
    drills = summary.reviewed - len(summary.comes_back)
    lines = [f"Session done: {plural(summary.reviewed, 'review')}, "
             f"average grade {summary.average_quality:.1f}."]
    if drills:
        lines.append(f"Drill repeats of cards graded below 4 (SM-2 step 7): {drills}. " +
                     ("They change nothing in the schedule." if scheduler == "sm2" else
                      "FSRS counts them as same-day reviews."))
    return "\n".join(lines)


def more_text(ahead: int, new: int, new_per_day: int) -> str:
    """The offer of more study, each with its key; empty when there is nothing more."""
    offers = []
    if ahead:
        offers.append(f"a  review the {plural(ahead, 'card')} due in the next {AHEAD_DAYS} days")
    if new:
        offers.append(f"n  {new} more new card{'s' if new != 1 else ''} (tomorrow still brings "
                      f"{new_per_day} new)")
    return "More, if you want:\n" + "\n".join(offers) if offers else ""


class SummaryScreen(Screen[None]):
    app: RecallApp
    BINDINGS = [
        Binding("enter,escape", "app.pop_screen", "Dashboard", id="summary.dashboard",
                tooltip="Back to the dashboard"),
        Binding("a", "review_ahead", "Review ahead", id="summary.ahead",
                tooltip=f"Review the cards due in the next {AHEAD_DAYS} days now"),
        Binding("n", "more_new", "More new", id="summary.more_new",
                tooltip="A few more new cards today; tomorrow's allowance stays whole"),
        Binding("q", "app.quit", "Quit", id="summary.quit", tooltip="Leave recall"),
    ]

    def __init__(self, summary: SessionSummary) -> None:
        super().__init__()
        self.summary = summary
        self.more = (0, 0)  # (cards due within AHEAD_DAYS, new cards on offer), once read

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(summary_text(self.summary, self.app.settings.scheduler), id="summary-text", classes="panel")
        more = Static("", id="summary-more", classes="panel", markup=False)
        more.display = False  # until there is something more to offer
        yield more
        table = Table(id="comes-back", cursor_type="row", zebra_stripes=True)
        table.border_title = "When each card comes back"
        table.display = bool(self.summary.comes_back)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        if self.summary.comes_back:
            self.show_comes_back()
        self.offer_more()

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

    @work(group="summary-more")
    async def offer_more(self) -> None:
        from recall.study import more_on_offer  # loaded by now: the session ran on the store thread

        new_per_day = self.app.settings.new_per_day
        try:
            self.more = await self.app.database.query(more_on_offer, self.app.today, self.summary.plan,
                                                      AHEAD_DAYS, new_per_day)
        except RecallError as error:
            self.notify(str(error), title="Cannot read the cards", severity="error")
            return
        offer = self.query_one("#summary-more", Static)
        offer.update(more_text(*self.more, new_per_day))
        offer.display = any(self.more)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review_ahead":
            return self.more[0] > 0
        if action == "more_new":
            return self.more[1] > 0
        return True

    def action_review_ahead(self) -> None:
        self.post_message(StartStudy(replace(self.summary.plan, ahead_days=AHEAD_DAYS), replace_screen=True))

    def action_more_new(self) -> None:
        self.post_message(StartStudy(replace(self.summary.plan, extra_new=self.more[1]), replace_screen=True))

    def on_data_table_row_selected(self) -> None:
        """enter on the table (which has the focus) goes back to the dashboard too."""
        self.app.pop_screen()
