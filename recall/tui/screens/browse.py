"""Browse: every card with its schedule, a search box and deck/tag filters; enter opens a card, x suspends
it (or brings it back), e edits its deck file. Leeches and suspended cards are marked in words."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from recall.errors import RecallError
from recall.scheduler import is_leech
from recall.tui.columns import Column
from recall.tui.deck_files import edit_deck_file, reload_card
from recall.tui.navigation import OpenCard, OpenCardForm
from recall.tui.widgets.table import Table

if TYPE_CHECKING:
    from recall.store import CardRow
    from recall.tui.app import RecallApp

SEARCH_DELAY_S = 0.2
FILL_BATCH = 250
# The prompt and the due date always show; the rest as the width allows (the deck's name goes first).
COLUMNS = (Column("id", "ID", 20, drop_order=1), Column("deck", "Deck", 16, drop_order=6),
           Column("prompt", "Prompt", 32, flexible=True), Column("due", "Due", 10),
           Column("interval", "Interval", 8, drop_order=2), Column("easiness", "Easiness", 8, drop_order=5),
           Column("reviews", "Reviews", 7, drop_order=3), Column("lapses", "Lapses", 6, drop_order=4))


def matches(card: CardRow, words: list[str], deck: str | None, tag: str | None) -> bool:
    """Every search word appears in the card's id, prompt, answer or key points (case-insensitive)."""
    if deck is not None and card.deck != deck:
        return False
    if tag is not None and tag not in card.tags:
        return False
    if not words:
        return True
    haystack = " ".join((card.id, card.prompt, card.answer, *card.key_points, *card.tags)).lower()
    return all(word in haystack for word in words)


def flagged_prompt(card: CardRow, leech_lapses: int) -> str:
    """The prompt after a word for a suspended card or a leech (never colour alone)."""
    flags = ["SUSPENDED"] * card.suspended + ["LEECH"] * is_leech(card.lapses, leech_lapses)
    return f"{' '.join(flags)}: {card.prompt}" if flags else card.prompt


def card_cells(card: CardRow, leech_lapses: int) -> dict[str, str]:
    return {"id": card.id, "deck": card.deck, "prompt": flagged_prompt(card, leech_lapses),
            "due": card.due.isoformat() if card.due else "new", "interval": f"{card.interval}d",
            "easiness": f"{card.easiness_centi / 100:.2f}", "reviews": str(card.reviews), "lapses": str(card.lapses)}


def options(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in sorted(set(values))]


class BrowseScreen(Screen[None]):
    app: RecallApp
    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="browse.search", tooltip="Type words to find cards"),
        Binding("x", "toggle_suspended", "Suspend", id="browse.suspend",
                tooltip="Suspend the card (no session asks it; its history stays), or bring it back"),
        Binding("e", "edit_deck", "Deck file", id="browse.edit_deck", tooltip="Open the card's deck file in $EDITOR"),
        Binding("n", "new_card", "New card", id="browse.new_card", tooltip="Write a new card (in the deck shown)"),
        Binding("E", "edit_card", "Edit card", id="browse.edit_card", tooltip="Edit the highlighted card in a form"),
        Binding("escape", "back", "Back", id="browse.back", tooltip="Back (from the search box: to the table)"),
    ]

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.initial_deck = deck
        self.all_cards: list[CardRow] = []
        self._search_timer: Timer | None = None
        self._filters_filled = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="browse-filters"):
            yield Input(placeholder="Search id, prompt, answer, key points  (/)", id="search", compact=True)
            yield Select[str]([], prompt="All decks", id="deck-filter", compact=True)
            yield Select[str]([], prompt="All tags", id="tag-filter", compact=True)
        table = Table(COLUMNS, id="cards", cursor_type="row", zebra_stripes=True)
        table.border_title = "Cards  (enter: details)"
        yield table
        yield Static("Loading cards…", id="browse-count", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Browse"
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load_cards()

    @work(exclusive=True, group="browse")
    async def load_cards(self) -> None:
        try:
            self.all_cards = await self.app.database.query(lambda store: store.cards())
        except RecallError as error:
            self.notify(str(error), title="Cannot read the cards", severity="error")
            return
        decks = self.query_one("#deck-filter", Select)
        tags = self.query_one("#tag-filter", Select)
        if not self._filters_filled:
            self._filters_filled = True
            decks.set_options(options(card.deck for card in self.all_cards))
            tags.set_options(options(tag for card in self.all_cards for tag in card.tags))
            if self.initial_deck is not None:
                decks.value = self.initial_deck
        self.apply_filters()

    @work(exclusive=True, group="filter")
    async def apply_filters(self) -> None:
        """Fill the table with the matching cards, a batch at a time so that keys and frames get through
        while ten thousand rows go in; a newer search cancels this one at its next batch."""
        words = self.query_one("#search", Input).value.lower().split()
        deck = self.query_one("#deck-filter", Select).value
        tag = self.query_one("#tag-filter", Select).value
        deck = None if deck is Select.NULL else deck
        tag = None if tag is Select.NULL else tag
        shown = [card for card in self.all_cards if matches(card, words, deck, tag)]
        self.query_one("#browse-count", Static).update(
            f"{len(shown)} of {len(self.all_cards)} cards" + ("" if len(shown) == len(self.all_cards) else
                                                              " match"))
        table = self.query_one(Table)
        table.clear_rows()
        for start in range(0, len(shown), FILL_BATCH):
            for card in shown[start:start + FILL_BATCH]:
                table.add_cells(card_cells(card, self.app.settings.leech_lapses), key=card.id)
            await asyncio.sleep(0)

    @on(Input.Changed, "#search")
    def search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY_S, self.apply_filters)

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(Select.Changed)
    def filter_changed(self) -> None:
        if self.all_cards:
            self.apply_filters()

    @on(DataTable.RowSelected, "#cards")
    def open_card(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenCard(event.row_key.value))

    def highlighted(self) -> CardRow | None:
        """The card under the table's cursor, when the table has the focus."""
        table = self.query_one(DataTable)
        if self.focused is not table or not table.row_count:
            return None
        card_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((card for card in self.all_cards if card.id == card_id), None)

    @work(group="browse-change")
    async def action_toggle_suspended(self) -> None:
        card = self.highlighted()
        if card is None:
            return
        try:
            await self.app.database.query(lambda store: store.set_suspended(card.id, not card.suspended))
        except RecallError as error:
            self.notify(str(error), title="Nothing changed", severity="error")
            return
        self.notify(f"{card.id}: " + ("back in sessions." if card.suspended else
                                      "suspended; no session asks it, its history stays."), timeout=4)
        self.load_cards()

    async def action_edit_deck(self) -> None:
        """Hand the terminal to $EDITOR on the card's deck file, then reload the decks and the list."""
        card = self.highlighted()
        if card is not None and card.source and edit_deck_file(self.app, card.source):
            self.reload_after_edit(card.id)

    @work(group="browse-change")
    async def reload_after_edit(self, card_id: str) -> None:
        await reload_card(self.app, card_id)
        self.load_cards()

    def action_new_card(self) -> None:
        deck = self.query_one("#deck-filter", Select).value
        self.post_message(OpenCardForm(deck=None if deck is Select.NULL else deck))

    def action_edit_card(self) -> None:
        card = self.highlighted()
        if card is not None:
            self.post_message(OpenCardForm(card.id))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        if self.focused is not None and self.focused.id == "search":
            self.query_one(DataTable).focus()
        else:
            self.app.pop_screen()
